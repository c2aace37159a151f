"""A workspace as four CSV files that `npsloop import` reads back unchanged, and two more
with the responses' tags and notes (not imported: they are for reading).

Rows name each other by external ids, emails, survey names and response keys, never by
database ids, so an export imported into a new workspace exports again byte for byte.
Rows are streamed from the database, so any size costs the same memory.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from npsloop.contacts.importing import CONTACT_COLUMNS, PROPERTY_PREFIX
from npsloop.contacts.models import Account, Contact
from npsloop.surveys.importing import SURVEY_COLUMNS
from npsloop.surveys.models import Note, Response, ResponseTag, Survey
from npsloop.workspaces.models import Workspace

RESPONSE_HEADER = [
    "key",
    "survey",
    "created_at",
    "score",
    "channel",
    "comment",
    "answers",
    "external_id",
    "email",
]
TAG_HEADER = ["key", "tag"]
NOTE_HEADER = ["key", "created_at", "author", "body"]
CHUNK = 2000
# What a spreadsheet runs as a formula when a cell starts with it.
FORMULA_STARTS = ("=", "+", "-", "@")


def export_workspace(workspace: Workspace, folder: Path) -> dict[str, int]:
    """Write contacts.csv, accounts.csv, surveys.csv and responses.csv; rows per file."""
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "contacts.csv": _write(folder / "contacts.csv", *_contacts(workspace)),
        "accounts.csv": _write(folder / "accounts.csv", *_accounts(workspace)),
        "surveys.csv": _write(folder / "surveys.csv", *_surveys(workspace)),
        "responses.csv": _write(folder / "responses.csv", RESPONSE_HEADER, _responses(workspace)),
        "tags.csv": _write(folder / "tags.csv", TAG_HEADER, _tags(workspace)),
        "notes.csv": _write(folder / "notes.csv", NOTE_HEADER, _notes(workspace)),
    }


def neutralised(text: str) -> str:
    """Text a spreadsheet shows as text: a leading quote before what it would run as a
    formula. For files people open; not for the ones import reads back as they are."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _tags(workspace: Workspace) -> Iterator[list[str]]:
    links = (
        ResponseTag.objects.filter(response__workspace=workspace)
        .order_by("response__created_at", "response__key", "tag__name")
        .values_list("response__key", "tag__name")
    )
    for key, name in links.iterator(CHUNK):
        yield [neutralised(key), neutralised(name)]


def _notes(workspace: Workspace) -> Iterator[list[str]]:
    notes = (
        Note.objects.filter(workspace=workspace)
        .order_by("response__created_at", "response__key", "created_at", "pk")
        .values_list("response__key", "created_at", "author_name", "body")
    )
    for key, created_at, author, body in notes.iterator(CHUNK):
        yield [neutralised(key), cell(created_at), neutralised(author), neutralised(body)]


def _write(path: Path, header: list[str], rows: Iterable[list[str]]) -> int:
    count = 0
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    partial.replace(path)  # a file is either the whole export or the previous one
    return count


def property_columns(names: Iterable[str], fields: Iterable[str]) -> dict[str, str]:
    """Column per property name: the plain name, or ``property:NAME`` where the plain name
    would be read as a documented field (or is not a name an import reads back as is)."""
    taken = {field.lower() for field in fields}
    columns = {}
    for name in sorted(names):
        clash = name.strip().lower() in taken or name.startswith(PROPERTY_PREFIX)
        columns[name] = PROPERTY_PREFIX + name if clash or name != name.strip() else name
    return columns


def cell(value: object) -> str:
    """Text for a CSV cell: text as it is, numbers and booleans as JSON writes them."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return json.dumps(value, ensure_ascii=False)


def _property_names(rows: Iterable[dict[str, object]]) -> set[str]:
    names: set[str] = set()
    for properties in rows:
        names.update(properties)
    return names


def _contacts(workspace: Workspace) -> tuple[list[str], Iterator[list[str]]]:
    contacts = Contact.objects.filter(workspace=workspace)
    names = _property_names(contacts.values_list("properties", flat=True).iterator(CHUNK))
    columns = property_columns(names, CONTACT_COLUMNS)

    def rows() -> Iterator[list[str]]:
        values = contacts.order_by("pk").values_list(
            "external_id",
            "email",
            "name",
            "locale",
            "signed_up_at",
            "account__external_id",
            "account__name",
            "properties",
        )
        for *fields, properties in values.iterator(CHUNK):
            yield [cell(value) for value in fields] + [cell(properties.get(n)) for n in columns]

    return [*CONTACT_COLUMNS, *columns.values()], rows()


def _accounts(workspace: Workspace) -> tuple[list[str], Iterator[list[str]]]:
    accounts = Account.objects.filter(workspace=workspace)
    names = _property_names(accounts.values_list("properties", flat=True).iterator(CHUNK))
    columns = property_columns(names, ["external_id", "name"])

    def rows() -> Iterator[list[str]]:
        values = accounts.order_by("external_id").values_list("external_id", "name", "properties")
        for external_id, name, properties in values.iterator(CHUNK):
            yield [external_id, name] + [cell(properties.get(n)) for n in columns]

    return ["external_id", "name", *columns.values()], rows()


def _surveys(workspace: Workspace) -> tuple[list[str], Iterator[list[str]]]:
    values = Survey.objects.filter(workspace=workspace).order_by("pk").values_list(*SURVEY_COLUMNS)
    return list(SURVEY_COLUMNS), ([cell(v) for v in row] for row in values.iterator(CHUNK))


def _responses(workspace: Workspace) -> Iterator[list[str]]:
    values = (
        Response.objects.filter(workspace=workspace)
        .order_by("created_at", "key")
        .values_list(
            "key",
            "survey__name",
            "created_at",
            "score",
            "channel",
            "comment",
            "answers",
            "contact__external_id",
            "contact__email",
        )
    )
    for (
        key,
        survey,
        created_at,
        score,
        channel,
        comment,
        answers,
        external_id,
        email,
    ) in values.iterator(CHUNK):
        yield [
            key,
            survey,
            cell(created_at),
            str(score),
            channel,
            comment,
            json.dumps(answers, ensure_ascii=False, sort_keys=True) if answers else "",
            cell(external_id),
            cell(email),
        ]
