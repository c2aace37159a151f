"""`npsloop import contacts FILE --workspace SLUG`: create or update contacts from a file."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from npsloop.contacts.import_report import RejectsFile
from npsloop.contacts.importing import CONTACT_COLUMNS, ColumnMap, ContactImport
from npsloop.contacts.tabular import Table
from npsloop.ops.import_command import ImportCommand
from npsloop.workspaces.models import Workspace


class Command(ImportCommand):
    help = (
        "Create or update contacts from CSV, CSV.gz or JSON Lines, matched by external_id, "
        f"else email. Columns: {', '.join(CONTACT_COLUMNS)}; any other column is a contact "
        "property. Empty cells change nothing. See docs/import-export.md."
    )
    fields = CONTACT_COLUMNS
    noun = "contacts"

    def make_import(
        self,
        workspace: Workspace,
        table: Table,
        rejects: RejectsFile,
        columns: ColumnMap,
        on_batch: Callable[[], None],
        options: dict[str, Any],
    ) -> ContactImport:
        return ContactImport(workspace, table, rejects, columns, on_batch)
