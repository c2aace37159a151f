"""What `npsloop import contacts` and `npsloop import responses` share: options, the workspace,
the progress bar, the rejects file and the summary.

Problems with the command or the file as a whole stop it with one line on stderr and exit
status 2; problems with single rows go to the rejects file and the import goes on.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from npsloop.contacts.file_import import FileImport
from npsloop.contacts.import_report import ImportSummary, RejectsFile
from npsloop.contacts.importing import ColumnMap, parse_map_options
from npsloop.contacts.tabular import ACCEPTED_SUFFIXES, FileProblem, Table
from npsloop.workspaces.models import Workspace

USAGE_ERROR = 2


def workspace_by_slug(slug: str) -> Workspace:
    """The workspace, or a CommandError that lists the slugs there are."""
    found = Workspace.objects.filter(slug=slug).first()
    if found is not None:
        return found
    slugs = list(Workspace.objects.order_by("slug").values_list("slug", flat=True)[:20])
    known = f"; workspaces: {', '.join(slugs)}" if slugs else "; there are no workspaces yet"
    raise CommandError(
        f"no workspace with the slug {slug!r} (the short name `npsloop workspace create` "
        f"printed, like acme-cloud){known}",
        returncode=USAGE_ERROR,
    )


class ImportCommand(BaseCommand):
    """Base of the two import commands; subclasses name their fields and their importer."""

    fields: tuple[str, ...] = ()
    noun = "rows"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help=f"the file to import: {ACCEPTED_SUFFIXES}")
        parser.add_argument("--workspace", required=True, metavar="SLUG", help="workspace slug")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COLUMN=FIELD",
            help="read COLUMN as FIELD (repeatable); FIELD may be property:NAME, or - to skip it",
        )
        parser.add_argument(
            "--rejects",
            type=Path,
            metavar="PATH",
            help="where to write refused rows (default: FILE's name + .rejects.csv, here)",
        )
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def make_import(
        self,
        workspace: Workspace,
        table: Table,
        rejects: RejectsFile,
        columns: ColumnMap,
        on_batch: Callable[[], None],
        options: dict[str, Any],
    ) -> FileImport[Any]:
        raise NotImplementedError

    def handle(self, *args: object, **options: Any) -> None:
        try:
            columns = ColumnMap(self.fields, parse_map_options(options["map"], self.fields))
        except ValueError as error:
            raise CommandError(str(error), returncode=USAGE_ERROR) from None
        path: Path = options["file"]
        rejects_path: Path = options["rejects"] or Path.cwd() / f"{path.name}.rejects.csv"
        try:
            with Table(path) as table:
                workspace = workspace_by_slug(options["workspace"])
                rejects_path.unlink(missing_ok=True)  # one left by an earlier run would mislead
                with RejectsFile(rejects_path, table.header) as rejects:
                    summary = self._run(workspace, table, rejects, columns, options)
        except FileProblem as error:
            raise CommandError(str(error), returncode=USAGE_ERROR) from None
        self._report(summary, rejects_path)

    def _run(
        self,
        workspace: Workspace,
        table: Table,
        rejects: RejectsFile,
        columns: ColumnMap,
        options: dict[str, Any],
    ) -> ImportSummary:
        hidden = options["quiet"] or not sys.stderr.isatty()
        with tqdm(
            total=table.size,
            unit="B",
            unit_scale=True,
            desc=table.path.name,
            file=sys.stderr,
            disable=hidden,
        ) as bar:

            def advance() -> None:
                bar.update(table.bytes_read() - bar.n)

            job = self.make_import(workspace, table, rejects, columns, advance, options)
            try:
                return job.run()
            except FileProblem:
                self._report(job.summary, rejects.path)
                raise

    def _report(self, summary: ImportSummary, rejects_path: Path) -> None:
        self.stdout.write(f"{self.noun}: {summary}")
        if summary.repeated:
            rows = "row names" if summary.repeated == 1 else "rows name"
            self.stdout.write(f"{summary.repeated} {rows} what an earlier row of the file named:")
            for warning in summary.warnings():
                self.stdout.write(f"  {warning}")
        if summary.rejected:
            self.stdout.write(f"refused rows, with line numbers and reasons: {rejects_path}")
