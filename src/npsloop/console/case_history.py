"""A case's history as the case page tells it: every line of its activity, its response's
notes and its replies in one timeline, newest first, each with who, when and what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.safestring import SafeString

from npsloop.console.tags_and_notes import shown_notes
from npsloop.loop.models import ActivityKind, Case, CaseActivity, CaseStatus

STATUS_WORDS = dict(CaseStatus.choices)
CHANGED_ORDER = {"outcome": 0, "due_at": 1, "priority": 2, "category": 3}


@dataclass(frozen=True)
class Entry:
    at: datetime
    who: str
    kind: str
    what: str
    note: SafeString | None = None  # a note, rendered
    text: str = ""  # a reply's text, shown as it was sent


def timeline(case: Case) -> list[Entry]:
    zone = ZoneInfo(case.workspace.time_zone)
    entries = [
        _entry(line, zone)
        for line in CaseActivity.objects.filter(case=case).order_by("at", "pk")
        # Notes are shown from the notes themselves, with their text.
        if line.kind != ActivityKind.NOTED
    ]
    entries += [
        Entry(shown.at, shown.note.author_name, "note", "wrote a note", note=shown.html)
        for shown in shown_notes(case.response)
    ]
    # Lines written in the same instant: the later written comes first, as the rest.
    return sorted(entries, key=lambda entry: entry.at)[::-1]


def _entry(line: CaseActivity, zone: ZoneInfo) -> Entry:
    data: dict[str, Any] = line.data or {}
    if line.kind == ActivityKind.REPLIED:
        return Entry(
            line.at,
            line.actor_name,
            line.kind,
            f"replied by email to {data.get('to', '')}: “{data.get('subject', '')}”",
            text=str(data.get("body", "")),
        )
    return Entry(line.at, line.actor_name, line.kind, describe(line.kind, data, zone))


def describe(kind: str, data: dict[str, Any], zone: ZoneInfo) -> str:
    if kind == ActivityKind.OPENED:
        return f"opened the case by the rule “{data.get('rule', '')}” ({data.get('routed', '')})"
    if kind == ActivityKind.ASSIGNED:
        owner = _name(data.get("owner"))
        previous = _name(data.get("previous"))
        if owner is None:
            return f"took the case from {previous}: nobody owns it now"
        return f"gave the case to {owner}" + (f" (was {previous})" if previous else "")
    if kind == ActivityKind.STATUS:
        return f"moved it from {_status(data.get('previous'))} to {_status(data.get('status'))}"
    if kind == ActivityKind.CHANGED:
        was: dict[str, Any] = data.get("previous") or {}
        # In one order on both databases (PostgreSQL's jsonb keeps keys in its own order).
        was = dict(sorted(was.items(), key=lambda item: CHANGED_ORDER.get(item[0], 99)))
        changes = [
            f"{field.replace('_at', '')} (was {_was(field, value, zone)})"
            for field, value in was.items()
        ]
        return "changed " + ", ".join(changes)
    if kind == ActivityKind.RESCORED:
        text = f"the answer was changed: {data.get('previous')} → {data.get('category')}"
        return text + (" — recovered" if data.get("recovered") else "")
    if kind == ActivityKind.OVERDUE:
        return "the case passed its due time without contact"
    return kind


def _was(field: str, value: object, zone: ZoneInfo) -> str:
    if value is None or value == "":
        return "none"
    if field == "due_at" and isinstance(value, str):
        return f"{datetime.fromisoformat(value).astimezone(zone):%d %b %Y %H:%M}"
    return str(value)


def _name(person: object) -> str | None:
    if isinstance(person, dict):
        return str(person.get("name") or person.get("email") or "someone")
    return None


def _status(value: object) -> str:
    return STATUS_WORDS.get(str(value), str(value)).lower()
