"""`npsloop ask --survey ID FILE`: schedule email asks for the contacts listed in a file."""

from __future__ import annotations

import csv
import io
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from npsloop.errors import InvalidInput
from npsloop.program.asks import ask_contacts, delay_of
from npsloop.surveys.models import Survey

ID_COLUMNS = ("external_id", "email", "contact")


class Command(BaseCommand):
    help = (
        "Schedule an email ask for every contact in FILE: one external id or email per line, "
        "or a CSV whose header has an external_id, email or contact column. Contacts the "
        "rules keep from being asked are listed with the reason."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="the contacts to ask ('-' reads stdin)")
        parser.add_argument("--survey", type=int, required=True, metavar="ID")
        parser.add_argument(
            "--delay-minutes", type=int, default=0, help="send this many minutes from now"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        survey = Survey.objects.select_related("workspace").filter(pk=options["survey"]).first()
        if survey is None:
            raise CommandError(
                f"no survey with id {options['survey']}; list them with "
                "GET /api/v1/surveys or in the admin at /admin/surveys/survey/"
            )
        identifiers = read_identifiers(options["file"])
        if not identifiers:
            raise CommandError(f"{options['file']} names no contacts")
        try:
            report = ask_contacts(survey, identifiers, delay=delay_of(options["delay_minutes"]))
        except InvalidInput as error:
            raise CommandError(str(error)) from error
        for skipped in report.skipped:
            self.stdout.write(f"skipped {skipped.contact}: {skipped.reason}")
        self.stdout.write(
            f"scheduled {len(report.scheduled)}, skipped {len(report.skipped)} "
            f"(survey {survey.pk} {survey.name!r} in workspace {survey.workspace.slug})"
        )


def read_identifiers(path: Path) -> list[str]:
    """External ids or emails from a plain list or a CSV with an id column."""
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"can't read {path}: {error}") from error
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return []
    header = [cell.strip().lower() for cell in next(csv.reader([lines[0]]))]
    column = next((name for name in ID_COLUMNS if name in header), None)
    if column is None:
        if len(header) > 1:
            raise CommandError(
                f"{path}: a CSV needs an {', '.join(ID_COLUMNS)} column; its header is "
                f"{', '.join(header)}"
            )
        return lines
    index = header.index(column)
    rows = csv.reader(io.StringIO("\n".join(lines[1:])))
    return [row[index].strip() for row in rows if len(row) > index and row[index].strip()]
