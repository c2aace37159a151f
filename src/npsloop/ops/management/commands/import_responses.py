"""`npsloop import responses FILE --workspace SLUG`: record historical responses from a file."""

from __future__ import annotations

from argparse import ArgumentParser
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from npsloop.contacts.import_report import RejectsFile
from npsloop.contacts.importing import ColumnMap
from npsloop.contacts.tabular import FileProblem, Table
from npsloop.ops.import_command import USAGE_ERROR, ImportCommand, workspace_by_slug
from npsloop.surveys.importing import COLUMNS, ResponseImport, ensure_surveys
from npsloop.workspaces.models import Workspace


class Command(ImportCommand):
    help = (
        "Record responses from CSV, CSV.gz or JSON Lines. Columns: "
        f"{', '.join(COLUMNS)}; any other column is a property of the row's contact. "
        "A row's key (or, without one, its content) makes a second import change nothing. "
        "See docs/import-export.md."
    )
    fields = COLUMNS
    noun = "responses"

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--survey",
            metavar="NAME_OR_ID",
            help="the survey of rows without a survey column or cell "
            "(default: the workspace's only survey, if it has one survey)",
        )
        parser.add_argument(
            "--surveys",
            type=Path,
            metavar="SURVEYS_CSV",
            help="first create the surveys of this file (surveys.csv of `npsloop export`) "
            "whose names are not taken yet",
        )

    def handle(self, *args: object, **options: Any) -> None:
        if options["surveys"] is not None:
            workspace = workspace_by_slug(options["workspace"])
            try:
                with Table(options["surveys"]) as table:
                    created, unchanged = ensure_surveys(workspace, table)
            except FileProblem as error:
                raise CommandError(str(error), returncode=USAGE_ERROR) from None
            self.stdout.write(f"surveys: created {created}, unchanged {unchanged}")
        super().handle(*args, **options)

    def make_import(
        self,
        workspace: Workspace,
        table: Table,
        rejects: RejectsFile,
        columns: ColumnMap,
        on_batch: Callable[[], None],
        options: dict[str, Any],
    ) -> ResponseImport:
        return ResponseImport(workspace, table, rejects, columns, options["survey"], on_batch)
