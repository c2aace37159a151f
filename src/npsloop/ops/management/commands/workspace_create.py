"""`npsloop workspace create NAME`: prints only the slug, so scripts can capture it."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from npsloop.errors import InvalidInput
from npsloop.workspaces.configure import create_workspace


class Command(BaseCommand):
    help = "Create a workspace (one surveyed product or brand) and print its slug."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("name", help='the name people see, e.g. "Acme Cloud"')
        parser.add_argument(
            "--time-zone",
            default="UTC",
            help="IANA name like Europe/Berlin: days of the reports start at its midnight "
            "(default UTC)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            workspace = create_workspace(options["name"], time_zone=options["time_zone"])
        except InvalidInput as error:
            raise CommandError(str(error)) from error
        self.stdout.write(workspace.slug)
