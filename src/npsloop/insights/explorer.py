"""The responses explorer: find responses by what they say and who said it, and open one
with everything known about the person, so whoever follows up knows the customer first.

Filters combine (AND). The period is in the workspace's time zone, like every other
dashboard number; the segment matches the contact's properties as they were when they
answered (the snapshot on the response), which is what the Segments tab groups by.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.db.models.fields.json import KeyTransform

from npsloop.contacts.models import Account, Contact
from npsloop.errors import InvalidInput
from npsloop.insights.filters import Filters, responses_in
from npsloop.program.models import SurveyRequest
from npsloop.surveys.annotations import notes_by_response, tags_by_response
from npsloop.surveys.models import Category, Response
from npsloop.workspaces.models import Workspace

MAX_PER_PAGE = 500
MAX_TEXT = 200
MAX_PROPERTY_NAME = 100
# One person's history is short in practice (the cooldown sees to that); an import that
# piled thousands of responses on one contact must not make their page unbounded.
HISTORY_LIMIT = 500
MODULES_PROPERTY = "modules"
SCORES_ACCEPTED = "scores from 0 to 10: one (7), a range (0-6) or a list (9,10 or 0-3,9)"
SEGMENT_ACCEPTED = (
    "a contact property and its value as on the Segments tab, like plan=pro, "
    "or account=<the account's id>"
)

Segment = tuple[str, str]


def parse_scores(text: str) -> frozenset[int]:
    """The scores a text like "0-6", "9,10" or "7" names; InvalidInput otherwise."""
    scores: set[int] = set()
    for part in text.replace(" ", "").split(","):
        low, dash, high = part.partition("-")
        if not _is_score(low) or (dash and not _is_score(high)):
            raise InvalidInput({"score": f"must be {SCORES_ACCEPTED}, got {text!r}"})
        first, last = int(low), int(high) if dash else int(low)
        if last < first:
            raise InvalidInput(
                {"score": f"a range goes from low to high, like {last}-{first}, got {text!r}"}
            )
        scores.update(range(first, last + 1))
    return frozenset(scores)


def _is_score(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 2 and int(text) <= 10


def parse_segment(text: str) -> Segment:
    """("plan", "pro") from "plan=pro"; InvalidInput when it isn't name=value."""
    name, equals, value = text.partition("=")
    name, value = name.strip(), value.strip()
    if not equals or not name or not value or len(name) > MAX_PROPERTY_NAME:
        raise InvalidInput({"segment": f"must be {SEGMENT_ACCEPTED}, got {text!r}"})
    return name, value


@dataclass(frozen=True)
class Criteria:
    """What the explorer narrows the filtered responses by, beyond the dashboard filters."""

    category: str | None = None
    scores: frozenset[int] | None = None
    has_comment: bool | None = None
    text: str = ""
    segment: Segment | None = None

    def check(self) -> None:
        errors: dict[str, str] = {}
        if self.category is not None and self.category not in Category.values:
            errors["category"] = (
                f"must be one of {', '.join(Category.values)}, got {self.category!r}"
            )
        if self.scores is not None and (
            not self.scores or any(not 0 <= s <= 10 for s in self.scores)
        ):
            errors["score"] = f"must be {SCORES_ACCEPTED}, got {sorted(self.scores)}"
        if len(self.text) > MAX_TEXT:
            errors["q"] = f"must be at most {MAX_TEXT} characters, got {len(self.text)}"
        if self.segment is not None:
            name, value = self.segment
            if not name or not value or len(name) > MAX_PROPERTY_NAME:
                errors["segment"] = f"must be {SEGMENT_ACCEPTED}, got {name!r}={value!r}"
        if errors:
            raise InvalidInput(errors)


def matching_responses(
    workspace: Workspace, filters: Filters, criteria: Criteria
) -> QuerySet[Response]:
    """Every response of the workspace that the filters and criteria let through, newest
    first; InvalidInput for criteria that make no sense."""
    criteria.check()
    rows = responses_in(workspace, filters)
    if criteria.category is not None:
        rows = rows.filter(category=criteria.category)
    if criteria.scores is not None:
        rows = rows.filter(score__in=sorted(criteria.scores))
    if criteria.has_comment is True:
        rows = rows.exclude(comment="")
    elif criteria.has_comment is False:
        rows = rows.filter(comment="")
    if criteria.text:
        rows = rows.filter(comment__icontains=criteria.text)
    if criteria.segment is not None:
        rows = _in_segment(rows, *criteria.segment)
    return rows.order_by("-created_at", "-pk")


def _in_segment(rows: QuerySet[Response], name: str, value: str) -> QuerySet[Response]:
    if name == "account":
        return rows.filter(account__external_id=value)
    # Property values are scalars; the Segments tab shows 42 as "42" and true as "true", so
    # the text matches the string and also the number or boolean it spells.
    candidates: list[object] = [value]
    try:
        spelled = json.loads(value)
    except ValueError:
        spelled = None
    if isinstance(spelled, bool | int | float):
        candidates.append(spelled)
    # A KeyTransform rather than properties__<name>: a property name may hold "__".
    rows = rows.alias(_segment=KeyTransform(name, "properties"))
    match = Q()
    for candidate in candidates:
        match |= Q(_segment=candidate)
    return rows.filter(match)


def search_responses(
    workspace: Workspace,
    filters: Filters,
    *,
    category: str | None = None,
    scores: set[int] | frozenset[int] | None = None,
    has_comment: bool | None = None,
    text: str = "",
    segment: Segment | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[Response], int]:
    """One page of the matching responses, newest first, and how many match in all.

    A page past the last one is empty (the total says how many pages there are).
    """
    errors: dict[str, str] = {}
    if page < 1:
        errors["page"] = f"must be a page number from 1, got {page}"
    if not 1 <= per_page <= MAX_PER_PAGE:
        errors["per_page"] = f"must be from 1 to {MAX_PER_PAGE}, got {per_page}"
    if errors:
        raise InvalidInput(errors)
    criteria = Criteria(
        category=category,
        scores=frozenset(scores) if scores is not None else None,
        has_comment=has_comment,
        text=text.strip(),
        segment=segment,
    )
    rows = matching_responses(workspace, filters, criteria)
    total = rows.count()
    start = (page - 1) * per_page
    if start >= total:
        # Never hand the database an offset past the end: a huge one overflows its integer.
        return [], total
    found = list(rows.select_related("survey", "contact", "account")[start : start + per_page])
    return found, total


EXPORT_HEADER = (
    "id",
    "created_at",
    "survey",
    "score",
    "category",
    "channel",
    "wave",
    "comment",
    "contact_email",
    "contact_external_id",
    "account",
    "tags",
    "notes",
)
# The tags of a response in one cell, and its notes, each "author, day: text", in another.
TAG_SEPARATOR = "; "
NOTE_SEPARATOR = "\n\n"
EXPORT_CHUNK = 2000


def export_rows(
    workspace: Workspace, filters: Filters, criteria: Criteria
) -> Iterator[tuple[object, ...]]:
    """Every matching response as a row of EXPORT_HEADER, read in chunks so an export of a
    million responses never holds them all in memory. created_at is ISO 8601 in UTC."""
    rows = matching_responses(workspace, filters, criteria).values_list(
        "pk",
        "created_at",
        "survey__name",
        "score",
        "category",
        "channel",
        "wave",
        "comment",
        "contact__email",
        "contact__external_id",
        "account__external_id",
    )
    read = rows.iterator(chunk_size=EXPORT_CHUNK)
    # Tags and notes are looked up a chunk of responses at a time: two queries per chunk,
    # not two per response.
    while chunk := list(islice(read, EXPORT_CHUNK)):
        ids = [row[0] for row in chunk]
        tags = tags_by_response(ids)
        notes = notes_by_response(ids)
        for pk, created_at, *rest in chunk:
            yield (
                pk,
                utc_iso(created_at),
                *rest,
                TAG_SEPARATOR.join(tags.get(pk, [])),
                NOTE_SEPARATOR.join(
                    f"{note.author_name}, {note.created_at:%Y-%m-%d}: {note.body}"
                    for note in notes.get(pk, [])
                ),
            )


def utc_iso(when: datetime) -> str:
    return when.astimezone(ZoneInfo("UTC")).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class ResponseContext:
    """One response with what is known about the person who gave it."""

    response: Response
    contact: Contact | None
    account: Account | None
    modules: list[str]
    responses: list[Response] = field(default_factory=list)  # the contact's, oldest first
    more_responses: int = 0  # beyond HISTORY_LIMIT, not listed
    asks: list[SurveyRequest] = field(default_factory=list)  # oldest first
    more_asks: int = 0

    @property
    def erased(self) -> bool:
        return self.response.erased_at is not None

    @property
    def properties(self) -> list[tuple[str, object, object]]:
        """(name, value now, value when they answered) for every property either has;
        None where one of them lacks it."""
        now = self.contact.properties if self.contact else {}
        then = self.response.properties or {}
        names = sorted(set(now) | set(then))
        return [(name, now.get(name), then.get(name)) for name in names]

    @property
    def answers(self) -> list[tuple[str, str]]:
        """The answers to the extra questions as text; a list answer joined by commas."""
        rows = []
        for question, answer in (self.response.answers or {}).items():
            if isinstance(answer, list):
                text = ", ".join(str(item) for item in answer)
            elif isinstance(answer, bool):
                text = "yes" if answer else "no"
            else:
                text = str(answer)
            rows.append((str(question), text))
        return rows

    @property
    def earlier(self) -> list[Response]:
        return [r for r in self.responses if _before(r, self.response)]

    @property
    def later(self) -> list[Response]:
        return [r for r in self.responses if _before(self.response, r)]


def _before(a: Response, b: Response) -> bool:
    return (a.created_at, a.pk) < (b.created_at, b.pk)


def response_context(workspace: Workspace, response_id: int) -> ResponseContext | None:
    """The response with its contact's properties, account, modules used, every response
    and every ask of that contact; None when the workspace has no such response.

    A response whose person was erased, or that never had a contact, still opens: with
    its score, survey, channel and date, and the ask that collected it if there was one.
    """
    response = (
        Response.objects.filter(workspace=workspace, pk=response_id)
        .select_related("survey", "contact", "contact__account", "account")
        .first()
    )
    if response is None:
        return None
    contact = response.contact
    # The account when they answered; else the one the person belongs to now.
    account = response.account or (contact.account if contact else None)
    properties = contact.properties if contact else response.properties
    history: list[Response] = [response]
    asks_query: QuerySet[SurveyRequest] = SurveyRequest.objects.filter(
        workspace=workspace, response=response
    )
    more_responses = more_asks = 0
    if contact is not None:
        theirs = Response.objects.filter(workspace=workspace, contact=contact)
        history = list(
            theirs.select_related("survey").order_by("-created_at", "-pk")[:HISTORY_LIMIT]
        )
        history.reverse()
        more_responses = max(0, theirs.count() - len(history))
        asks_query = SurveyRequest.objects.filter(workspace=workspace, contact=contact)
    recent_asks = list(
        asks_query.select_related("survey", "response").order_by("-due_at", "-pk")[:HISTORY_LIMIT]
    )
    recent_asks.reverse()
    if len(recent_asks) == HISTORY_LIMIT:
        more_asks = asks_query.count() - HISTORY_LIMIT
    return ResponseContext(
        response=response,
        contact=contact,
        account=account,
        modules=modules_used(properties),
        responses=history,
        more_responses=more_responses,
        asks=recent_asks,
        more_asks=more_asks,
    )


def modules_used(properties: dict[str, object]) -> list[str]:
    """The `modules` property as a list. Property values are scalars, so the list is kept
    comma-separated ("billing,compute"); a list given some other way is read as well."""
    value = properties.get(MODULES_PROPERTY)
    if value is None or value == "":
        return []
    items = value if isinstance(value, list) else str(value).split(",")
    return [str(item).strip() for item in items if str(item).strip()]
