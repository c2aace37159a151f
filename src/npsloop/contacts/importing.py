"""Importing contacts from a file: columns to fields, upserts in batches, every refusal reported.

Each batch is one transaction (inside ``upsert_contacts``), so a crash loses at most the
batch in flight, and running the same import again finishes the job: the rows already
stored come back "unchanged".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from zoneinfo import ZoneInfo

from npsloop.contacts import cells
from npsloop.contacts.bulk import refresh_statistics
from npsloop.contacts.fields import ContactData, clean_contact_data
from npsloop.contacts.file_import import FileImport
from npsloop.contacts.import_report import RejectsFile
from npsloop.contacts.outcome import Outcome
from npsloop.contacts.services import store_contacts
from npsloop.contacts.tabular import FileProblem, Row, Table
from npsloop.errors import InvalidInput
from npsloop.workspaces.models import Workspace

CONTACT_COLUMNS = (
    "external_id",
    "email",
    "name",
    "locale",
    "signed_up_at",
    "account_external_id",
    "account_name",
)
IDENTITY_COLUMNS = ("external_id", "email")
PROPERTY_PREFIX = "property:"
IGNORED = "-"
FIRST_ANALYZE = 10_000


class ColumnMap:
    """Which field each column fills: a documented field, a contact property, or nothing.

    A column named like a documented field (any case) fills it; ``property:NAME`` fills
    the property NAME (for properties named like a field); ``--map COLUMN=FIELD`` overrides
    both; every other column is a contact property of the same name.
    """

    def __init__(self, fields: Sequence[str], overrides: dict[str, str] | None = None) -> None:
        self.fields = tuple(fields)
        self.overrides = overrides or {}
        self._known: dict[str, str] = {}

    def field_of(self, column: str) -> str:
        """A field name, ``property:NAME``, or ``-`` for a column that is left out."""
        found = self._known.get(column)
        if found is None:
            found = self._resolve(column)
            self._known[column] = found
        return found

    def _resolve(self, column: str) -> str:
        if column in self.overrides:
            return self.overrides[column]
        name = column.strip()
        if name.lower() in self.fields:
            return name.lower()
        if name.startswith(PROPERTY_PREFIX):
            return name if len(name) > len(PROPERTY_PREFIX) else IGNORED
        return PROPERTY_PREFIX + name if name else IGNORED

    def split(self, values: dict[str, object]) -> tuple[dict[str, object], dict[str, object]]:
        """The given (non-empty) values of a row: documented fields, and properties."""
        fields: dict[str, object] = {}
        properties: dict[str, object] = {}
        known = self._known
        for column, value in values.items():
            # An empty (or blank) cell, or JSON null, means "no value given": nothing is
            # changed or set. Spelled out inline: this runs for every cell of a million rows.
            if value is None or (isinstance(value, str) and (not value or value.isspace())):
                continue
            field = known.get(column) or self.field_of(column)
            if field.startswith(PROPERTY_PREFIX):
                properties[field[len(PROPERTY_PREFIX) :]] = value
            elif field != IGNORED:
                fields[field] = value
        return fields, properties

    def require_identity(self, header: Iterable[str], path: object) -> None:
        """Refuse a header that can't name anyone: no contact could be matched or created."""
        header = list(header)
        if not any(self.field_of(column) in IDENTITY_COLUMNS for column in header):
            raise FileProblem(
                f"{path}: no identity column; the header needs external_id or email "
                f"(or --map YOUR_COLUMN=external_id), got: {', '.join(header)}"
            )


def parse_map_options(specs: Iterable[str], fields: Sequence[str]) -> dict[str, str]:
    """``COLUMN=FIELD`` options; raises ValueError with a message for people."""
    accepted = f"{', '.join(fields)}, {PROPERTY_PREFIX}NAME or {IGNORED} (leave the column out)"
    overrides: dict[str, str] = {}
    for spec in specs:
        column, equals, field = spec.partition("=")
        field = field.strip()
        if not equals or not column.strip() or not field:
            raise ValueError(
                f"--map expects COLUMN=FIELD, e.g. --map 'User ID=external_id'; got {spec!r}"
            )
        is_property = field.startswith(PROPERTY_PREFIX) and field != PROPERTY_PREFIX
        if field not in fields and field != IGNORED and not is_property:
            raise ValueError(f"--map {spec!r}: unknown field {field!r}; accepted: {accepted}")
        overrides[column.strip()] = field
    return overrides


def contact_data(
    fields: dict[str, object], properties: dict[str, object], zone: ZoneInfo
) -> ContactData:
    """The contact a row describes, or InvalidInput naming every cell that can't be read."""
    errors: dict[str, str] = {}
    texts: dict[str, str] = {}
    for name in ("external_id", "email", "name", "locale", "account_external_id", "account_name"):
        if name in fields:
            try:
                texts[name] = cells.text(fields[name], name, numbers=name.endswith("external_id"))
            except InvalidInput as error:
                errors.update(error.errors)
    signed_up_at = None
    if "signed_up_at" in fields:
        try:
            signed_up_at = cells.moment(fields["signed_up_at"], "signed_up_at", zone)
        except InvalidInput as error:
            errors.update(error.errors)
    if errors:
        raise InvalidInput(errors)
    return ContactData(
        external_id=texts.get("external_id"),
        email=texts.get("email"),
        name=texts.get("name"),
        locale=texts.get("locale"),
        signed_up_at=signed_up_at,
        account_external_id=texts.get("account_external_id"),
        account_name=texts.get("account_name"),
        properties=properties or None,
    )


class ContactImport(FileImport[ContactData]):
    """Contacts upserted by external id, else by email."""

    def __init__(
        self,
        workspace: Workspace,
        table: Table,
        rejects: RejectsFile,
        columns: ColumnMap,
        on_batch: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(workspace, table, rejects, on_batch)
        self.columns = columns
        if table.header is not None:
            columns.require_identity(table.header, table.path)
        self.created = 0
        # Statistics are refreshed each time the import has doubled what it created.
        self.analyze_at = FIRST_ANALYZE

    def parse(self, row: Row) -> ContactData:
        """The row's contact, checked here on the reading thread, not again when stored."""
        fields, properties = self.columns.split(row.values)
        return clean_contact_data(contact_data(fields, properties, self.zone))

    def identities(self, item: ContactData) -> Iterator[tuple[str, str]]:
        # The store finds a contact by external id, else by email.
        if item.external_id:
            yield "external_id", item.external_id
        if item.email:
            yield "email", item.email

    def repeat_warning(
        self, line: int, item: ContactData, name: str, value: str, first: int
    ) -> str:
        # Rows are upserts applied in file order, as if each came in a file of its own.
        return f"line {line} repeats {name} {value!r} of line {first}: line {line}'s values win"

    def store(self, items: list[ContactData]) -> list[Outcome | InvalidInput]:
        outcomes = store_contacts(self.workspace, items, cleaned=True)
        self.created += outcomes.count(Outcome.CREATED)
        if self.created >= self.analyze_at:
            refresh_statistics()
            self.analyze_at *= 2
        return outcomes
