"""Finding and inserting contacts a few thousand at a time, at the speed imports need.

For batches, the ORM spends far more time preparing each value in Python than the database
spends on the row. Lookups here pass a batch's ids as one parameter; inserts adapt values
once per column instead of once per value, on PostgreSQL with COPY (ids drawn from the
table's sequence first), on SQLite with multi-row ``INSERT … RETURNING id``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any

from django.db import connection, models

from npsloop.contacts.models import Contact
from npsloop.workspaces.models import Workspace

Adapter = Callable[[object], object]
SMALL_BATCH = 50


def contacts_matching(workspace: Workspace, column: str, values: Collection[str]) -> list[Contact]:
    """The workspace's contacts whose ``column`` (external_id or email) is one of ``values``."""
    if not values:
        return []
    assert column in {"external_id", "email"}
    table = connection.ops.quote_name(Contact._meta.db_table)
    given: list[str] | str
    if connection.vendor == "postgresql":
        condition, given = f"{column} = ANY(%s)", list(values)
    else:
        condition, given = (
            f"{column} IN (SELECT value FROM json_each(%s))",
            json.dumps(list(values)),
        )
    return list(
        Contact.objects.raw(
            f"SELECT * FROM {table} WHERE workspace_id = %s AND {condition}", [workspace.pk, given]
        )
    )


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
    fields = [f for f in Contact._meta.concrete_fields if not f.primary_key]
    # Raw driver errors become Django's (IntegrityError for a concurrent insert of the same
    # contact), which upsert_contact knows how to retry.
    with connection.wrap_database_errors:
        if connection.vendor == "postgresql":
            ids = _copy(fields, contacts)
        else:
            adapters = [(field.attname, _adapter(field)) for field in fields]
            rows = [[adapt(c.__dict__[name]) for name, adapt in adapters] for c in contacts]
            ids = _insert(fields, rows)
    for contact, new_id in zip(contacts, ids, strict=True):
        contact.pk = new_id
        contact._state.adding = False
        contact._state.db = connection.alias


def _copy(fields: list[models.Field[Any, Any]], contacts: list[Contact]) -> list[int]:
    """COPY with ids taken from the sequence beforehand (COPY returns nothing).

    The rows are written as COPY text by hand: the driver's per-value adaptation would
    cost three times the rest of the insert.
    """
    meta = Contact._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in [meta.pk, *fields])
    writers = [(field.attname, _copy_text(field)) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(contacts)],
        )
        ids = sorted(new_id for (new_id,) in cursor.fetchall())
        lines = [
            "\t".join([str(new_id), *(write(c.__dict__[name]) for name, write in writers)])
            for new_id, c in zip(ids, contacts, strict=True)
        ]
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            copy.write("\n".join(lines) + "\n")
    return ids


# COPY's text format: a backslash starts an escape, tab separates, newline ends a row.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(field: models.Field[Any, Any]) -> Callable[[Any], str]:
    if isinstance(field, models.JSONField):
        encoder = field.encoder

        def json_text(value: object) -> str:
            if value is None:
                return "\\N"
            return json.dumps(value, cls=encoder).translate(_COPY_ESCAPES)

        return json_text
    if isinstance(field, models.DateTimeField):
        return lambda value: "\\N" if value is None else value.isoformat()
    return lambda value: "\\N" if value is None else str(value).translate(_COPY_ESCAPES)


def _insert(fields: list[models.Field[Any, Any]], rows: list[list[Any]]) -> list[int]:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_statement = max(1, (connection.features.max_query_params or 999) // len(fields))
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            cursor.execute(
                f"INSERT INTO {quote(Contact._meta.db_table)} ({columns}) "
                f"VALUES {', '.join([row_sql] * len(chunk))} "
                f"RETURNING {quote(Contact._meta.pk.column)}",
                [value for values in chunk for value in values],
            )
            # SQLite returns the ids of a multi-row VALUES insert in the order given.
            ids.extend(new_id for (new_id,) in cursor.fetchall())
    return ids


def _adapter(field: models.Field[object, object]) -> Adapter:
    if isinstance(field, models.DateTimeField):
        return _datetimes()
    if isinstance(field, models.JSONField):
        encoder = field.encoder

        def adapt_json(value: object) -> object:
            return None if value is None else connection.ops.adapt_json_value(value, encoder)

        return adapt_json
    if isinstance(field, models.ForeignKey | models.CharField | models.TextField):
        return _as_is
    return lambda value: field.get_db_prep_save(value, connection)


def _as_is(value: object) -> object:
    return value


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
