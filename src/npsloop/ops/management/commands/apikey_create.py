"""`npsloop apikey create --workspace SLUG`: prints only the secret, once."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from npsloop.workspaces.keys import create_api_key
from npsloop.workspaces.models import Workspace


class Command(BaseCommand):
    help = "Create an API key for a workspace and print its secret (shown once, stored hashed)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--workspace", required=True, metavar="SLUG")
        parser.add_argument("--name", default="", help="to tell keys apart, e.g. crm-sync")

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = find_workspace(options["workspace"])
        if len(options["name"]) > 100:
            raise CommandError(f"--name must be at most 100 characters, got {len(options['name'])}")
        key, secret = create_api_key(workspace, options["name"])
        self.stdout.write(secret)
        print(
            f"API key {key.prefix}… for workspace {workspace.slug}: the secret above is shown "
            "once and stored only as a hash; keep it now.",
            file=sys.stderr,
        )


def find_workspace(slug: str) -> Workspace:
    """The workspace with this slug, or an error that says how to find the right one."""
    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is None:
        known = ", ".join(Workspace.objects.order_by("slug").values_list("slug", flat=True)[:20])
        raise CommandError(
            f"no workspace with the slug {slug!r}; "
            + (f"existing workspaces: {known}. " if known else "there are no workspaces yet. ")
            + "Create one with `npsloop workspace create NAME` (it prints the slug), "
            "or see them all in the admin at /admin/workspaces/workspace/."
        )
    return workspace
