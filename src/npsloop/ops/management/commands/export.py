"""`npsloop export --workspace SLUG --out DIR`: the workspace as CSV files import reads back."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from npsloop.insights.export import export_workspace
from npsloop.ops.import_command import USAGE_ERROR, workspace_by_slug


class Command(BaseCommand):
    help = (
        "Write contacts.csv, accounts.csv, surveys.csv and responses.csv into DIR (and the "
        "responses' tags.csv and notes.csv, which are not imported). "
        "Import them back with `npsloop import contacts DIR/contacts.csv` and "
        "`npsloop import responses DIR/responses.csv --surveys DIR/surveys.csv`."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--workspace", required=True, metavar="SLUG", help="workspace slug")
        parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="folder")

    def handle(self, *args: object, **options: Any) -> None:
        workspace = workspace_by_slug(options["workspace"])
        folder: Path = options["out"]
        if folder.exists() and not folder.is_dir():
            raise CommandError(f"--out {folder}: is a file, not a folder", returncode=USAGE_ERROR)
        try:
            counts = export_workspace(workspace, folder)
        except OSError as error:
            raise CommandError(
                f"--out {folder}: {error.strerror}", returncode=USAGE_ERROR
            ) from None
        for name, rows in counts.items():
            self.stdout.write(f"{folder / name}: {rows} rows")
