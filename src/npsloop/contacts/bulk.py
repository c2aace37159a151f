"""Finding and inserting contacts a few thousand at a time, at the speed imports need.

For batches, the ORM spends far more time preparing each value in Python than the database
spends on the row. Lookups here pass a batch's ids as one parameter; inserts adapt values
once per column instead of once per value, on PostgreSQL with COPY, on SQLite with
multi-row ``INSERT … RETURNING id``. An import's new contacts need not become model
instances at all (``NewContact``): building one costs more than storing it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from functools import partial
from operator import attrgetter
from typing import Any

from django.db import connection, models

from npsloop.contacts.models import Account, Contact
from npsloop.workspaces.models import Workspace

Adapter = Callable[[object], object]
SMALL_BATCH = 50
_FIELDS = [f for f in Contact._meta.concrete_fields if not f.primary_key]
_VALUES = attrgetter(*(field.attname for field in _FIELDS))


class NewContact:
    """A contact about to be inserted, with a Contact's attributes and none of its machinery."""

    __slots__ = tuple(field.attname for field in _FIELDS)
    created_at: datetime
    updated_at: datetime

    def __init__(self, workspace_id: int) -> None:
        self.workspace_id = workspace_id
        self.external_id: str | None = None
        self.email: str | None = None
        self.name = ""
        self.locale = ""
        self.signed_up_at: datetime | None = None
        self.account_id: int | None = None
        self.properties: dict[str, object] = {}
        self.unsubscribed_at: datetime | None = None
        self.bounced_at: datetime | None = None


Row = Contact | NewContact


def contacts_matching(workspace: Workspace, column: str, values: Collection[str]) -> list[Contact]:
    """The workspace's contacts whose ``column`` (external_id or email) is one of ``values``."""
    if not values:
        return []
    assert column in {"external_id", "email"}
    sql, params = _matching(Contact._meta.db_table, "t.*", workspace, column, values)
    return list(Contact.objects.raw(sql, params))


def account_ids(workspace: Workspace, external_ids: Collection[str]) -> dict[str, tuple[int, str]]:
    """The id and name of the workspace's accounts with these external ids, by external id.

    Plain values, not model instances: an import asks for its few hundred accounts with
    every batch.
    """
    if not external_ids:
        return {}
    table = connection.ops.quote_name(Account._meta.db_table)
    given: list[str] | str
    if connection.vendor == "postgresql":
        # A workspace has few accounts: reading them is cheaper than probing for each.
        condition, given = "external_id = ANY(%s)", list(external_ids)
    else:
        condition, given = (
            "external_id IN (SELECT value FROM json_each(%s))",
            json.dumps(list(external_ids)),
        )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT external_id, id, name FROM {table} WHERE workspace_id = %s AND {condition}",
            [workspace.pk, given],
        )
        return {external_id: (pk, name) for external_id, pk, name in cursor.fetchall()}


def _matching(
    table: str, columns: str, workspace: Workspace, column: str, values: Collection[str]
) -> tuple[str, list[Any]]:
    """A query for the workspace's rows whose ``column`` is one of ``values`` (one parameter)."""
    table = connection.ops.quote_name(table)
    if connection.vendor == "postgresql":
        # One probe of the unique index per value, whatever the planner's statistics say:
        # written as "= ANY(…)" or a join, PostgreSQL scans the whole workspace as long as
        # it believes it small, which it does for most of an import.
        # The values travel as one JSON text: the driver would adapt a list value by value.
        sql = (
            f"SELECT {columns} FROM json_array_elements_text(%s::json) AS given(value), "
            f"LATERAL (SELECT * FROM {table} WHERE workspace_id = %s AND {column} = given.value "
            "LIMIT 1) t"
        )
        return sql, [json.dumps(list(set(values))), workspace.pk]
    sql = (
        f"SELECT {columns} FROM {table} t WHERE t.workspace_id = %s "
        f"AND t.{column} IN (SELECT value FROM json_each(%s))"
    )
    return sql, [workspace.pk, json.dumps(list(values))]


def refresh_statistics() -> None:
    """Let PostgreSQL's planner see the rows a bulk load just added.

    Autovacuum analyzes a growing table long after a fast import has grown it tenfold; in
    between, the planner believes a workspace has a few hundred contacts and answers each
    batch's lookup by scanning all of them, which makes an import quadratic.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Contact._meta.db_table)}")


def insert_contacts(contacts: list[Contact]) -> None:
    """Insert unsaved contacts and set their primary keys, like ``bulk_create``."""
    if len(contacts) < SMALL_BATCH:
        # An API call or the widget inserts one contact: the ORM's INSERT is cheaper then
        # than drawing ids and opening a COPY.
        Contact.objects.bulk_create(contacts)
        return
    ids = _insert(contacts, with_ids=True)
    for contact, new_id in zip(contacts, ids, strict=True):
        contact.pk = new_id
        contact._state.adding = False
        contact._state.db = connection.alias


def insert_new(rows: Sequence[NewContact]) -> None:
    """Insert new contacts that nobody needs as model instances (nor their ids)."""
    _insert(rows, with_ids=False)


def _insert(rows: Sequence[Row], with_ids: bool) -> list[int]:
    # Raw driver errors become Django's (IntegrityError for a concurrent insert of the same
    # contact), which upsert_contact knows how to retry.
    with connection.wrap_database_errors:
        if connection.vendor == "postgresql":
            return _copy(rows, with_ids)
        return _insert_values(rows)


def _copy(rows: Sequence[Row], with_ids: bool) -> list[int]:
    """COPY, with ids taken from the sequence beforehand when they are wanted.

    The rows are written as COPY text by hand, a column at a time: the driver's per-value
    adaptation would cost three times the rest of the insert.
    """
    meta = Contact._meta
    quote = connection.ops.quote_name
    columns = [quote(field.column) for field in _FIELDS]
    texts = [_copy_texts(field, list(map(attrgetter(field.attname), rows))) for field in _FIELDS]
    ids: list[int] = []
    with connection.cursor() as cursor:
        if with_ids:
            # COPY returns nothing; without ids the column default draws them.
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(rows)],
            )
            ids = sorted(new_id for (new_id,) in cursor.fetchall())
            columns.insert(0, quote(meta.pk.column))
            texts.insert(0, list(map(str, ids)))
        statement = f"COPY {quote(meta.db_table)} ({', '.join(columns)}) FROM STDIN"
        with cursor.cursor.copy(statement) as copy:
            copy.write("\n".join(map("\t".join, zip(*texts, strict=True))) + "\n")
    return ids


# COPY's text format: a backslash starts an escape, tab separates, newline ends a row.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NEEDS_ESCAPE = re.compile(r"[\\\t\n\r]").search
NULL = "\\N"


def _copy_texts(field: models.Field[Any, Any], values: list[Any]) -> list[str]:
    """A column's values as COPY text."""
    if isinstance(field, models.DateTimeField):
        # A batch shares its created_at and updated_at, and many share a signup day.
        known = {value: NULL if value is None else value.isoformat() for value in set(values)}
        return [known[value] for value in values]
    if isinstance(field, models.JSONField):
        encode = partial(json.dumps, cls=field.encoder)
        values = [None if value is None else encode(value) for value in values]
    elif not isinstance(field, models.CharField | models.TextField):
        return [NULL if value is None else str(value) for value in values]
    given = [value for value in values if value is not None]
    # Looked for in the whole column first: escaping each value would cost more than the COPY.
    if _NEEDS_ESCAPE("".join(given)):
        values = [None if value is None else value.translate(_COPY_ESCAPES) for value in values]
    if len(given) < len(values):
        return [NULL if value is None else value for value in values]
    return values


def _insert_values(rows: Sequence[Row]) -> list[int]:
    quote = connection.ops.quote_name
    adapters = [_adapter(field) for field in _FIELDS]
    columns = ", ".join(quote(field.column) for field in _FIELDS)
    row_sql = "(" + ", ".join(["%s"] * len(_FIELDS)) + ")"
    per_statement = max(1, (connection.features.max_query_params or 999) // len(_FIELDS))
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params: list[Any] = [
                value if adapt is None else adapt(value)
                for row in chunk
                for adapt, value in zip(adapters, _VALUES(row), strict=True)
            ]
            cursor.execute(
                f"INSERT INTO {quote(Contact._meta.db_table)} ({columns}) "
                f"VALUES {', '.join([row_sql] * len(chunk))} "
                f"RETURNING {quote(Contact._meta.pk.column)}",
                params,
            )
            # SQLite returns the ids of a multi-row VALUES insert in the order given.
            ids.extend(new_id for (new_id,) in cursor.fetchall())
    return ids


def _adapter(field: models.Field[object, object]) -> Adapter | None:
    """How a value of the field becomes a query parameter; None when it is one already."""
    if isinstance(field, models.DateTimeField):
        return _datetimes()
    if isinstance(field, models.JSONField):
        encoder = field.encoder

        def adapt_json(value: object) -> object:
            return None if value is None else connection.ops.adapt_json_value(value, encoder)

        return adapt_json
    if isinstance(field, models.ForeignKey | models.CharField | models.TextField):
        return None
    return lambda value: field.get_db_prep_save(value, connection)


def _datetimes() -> Adapter:
    """Adapt datetimes, remembering each: a batch shares its created_at and updated_at."""
    seen: dict[datetime, object] = {}

    def adapt(value: object) -> object:
        if value is None:
            return None
        assert isinstance(value, datetime)
        found = seen.get(value)
        if found is None:
            found = seen[value] = connection.ops.adapt_datetimefield_value(value)
        return found

    return adapt
