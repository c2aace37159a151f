"""`npsloop rollups rebuild`: recount the daily score histograms from the responses."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from npsloop.surveys.rollups import rebuild_now
from npsloop.workspaces.models import Workspace


class Command(BaseCommand):
    help = (
        "Recount the daily score histograms (rollups) that the dashboards read, from the "
        "responses themselves. Needed only after data was changed outside npsloop (raw SQL, "
        "a restored backup) or a workspace's time zone changed; the worker checks them "
        "every night anyway. Safe while responses arrive."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--workspace", metavar="SLUG", help="only this workspace (default: every workspace)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        workspaces = Workspace.objects.order_by("pk")
        if options["workspace"] is not None:
            workspaces = workspaces.filter(slug=options["workspace"])
            if not workspaces.exists():
                known = ", ".join(Workspace.objects.order_by("slug").values_list("slug", flat=True))
                raise CommandError(
                    f"no workspace with slug {options['workspace']!r}; known: {known or 'none'}"
                )
        for workspace in workspaces:
            started = time.perf_counter()
            rows = rebuild_now(workspace)
            self.stdout.write(
                f"{workspace.slug}: {rows} rollup rows in {time.perf_counter() - started:.1f} s"
            )
