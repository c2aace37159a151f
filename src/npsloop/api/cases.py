"""/cases: the closed loop's cases, listed with the inbox's filters, read and worked."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Any, Literal

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Header, Query, Router, Schema, Status

from npsloop.api.auth import workspace_of
from npsloop.api.errors import answers, field_error, reported_at
from npsloop.api.moments import Bound, Moment, start_of
from npsloop.api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from npsloop.api.responses import ContactRef
from npsloop.errors import NotFound
from npsloop.loop.case_list import UNASSIGNED, CaseFilters, cases_matching, with_details
from npsloop.loop.cases import Actor, StaleCase, StatusNotAllowed
from npsloop.loop.editing import CaseEdit, edit_case
from npsloop.loop.models import Case, CaseActivity, CaseStatus
from npsloop.loop.payload import case_data
from npsloop.surveys.annotations import MAX_TAG, tags_by_response
from npsloop.workspaces.models import ApiKey

router = Router(tags=["cases"])

StatusName = Literal["open", "contacted", "resolved", "closed"]
PriorityName = Literal["low", "normal", "high", "urgent"]
MAX_TAGS = 100


class Conflict(Schema):
    """409: the edit can't be made as asked."""

    detail: str = Field(description="What happened and what to do.")
    version: int | None = Field(
        None, description="The case's version now, when the edit came from an older one."
    )
    allowed: list[str] | None = Field(
        None, description="The statuses the case can move to, when the move was not one."
    )


class Person(Schema):
    email: str
    name: str


class CaseOut(Schema):
    id: int
    response: int = Field(description="The response the case answers.")
    survey: int
    contact: ContactRef | None = Field(description="null once the contact was erased.")
    account: str | None = Field(description="External id of the account.")
    kind: Literal["follow_up", "advocacy"]
    status: StatusName
    owner: Person | None = Field(description="null: nobody owns it yet.")
    team: str | None
    priority: PriorityName
    outcome: str | None
    category: Literal["promoter", "passive", "detractor"] = Field(
        description="The answer's category now."
    )
    opened_category: Literal["promoter", "passive", "detractor"] = Field(
        description="The answer's category when the case opened."
    )
    recovered: bool = Field(description="Opened for a detractor whose answer is now a promoter's.")
    due_at: datetime
    overdue: bool = Field(description="Still open (nobody contacted) past its due time.")
    opened_at: datetime
    first_contacted_at: datetime | None
    closed_at: datetime | None = Field(description="When it was resolved or closed.")
    version: int = Field(description="Send it back with an edit (or as If-Match).")
    tags: list[str] = Field(description="The tags of the response.")


class HistoryLine(Schema):
    at: datetime
    by: str = Field(description="A member's name, \"npsloop\" for the rules, or an API key's name.")
    kind: str = Field(
        description="opened, assigned, status, changed, rescored, noted, replied, overdue."
    )
    data: dict[str, Any]


class CaseDetail(CaseOut):
    history: list[HistoryLine] = Field(description="Everything that happened to it, oldest first.")


class CasePage(Schema):
    items: list[CaseOut]
    next_cursor: str | None


class CaseQuery(Schema):
    status: StatusName | None = None
    category: Literal["promoter", "passive", "detractor"] | None = Field(
        None, description="The answer's category now."
    )
    kind: Literal["follow_up", "advocacy"] | None = None
    survey: int | None = Field(None, description="The id of one of this workspace's surveys.")
    owner: str | None = Field(
        None, description=f"A member's email, or `{UNASSIGNED}` for cases nobody owns."
    )
    team: str | None = Field(None, description="A team's name.")
    account: str | None = Field(None, description="An account's external id.")
    tag: str | None = Field(None, description="A tag's name: cases whose response has it.")
    opened_after: Bound | None = Field(None, description="Opened at or after.")
    opened_before: Bound | None = Field(None, description="Opened before.")
    due_before: Bound | None = Field(None, description="Due before.")
    overdue: bool | None = Field(
        None, description="true: open cases past their due time; false: all others."
    )
    cursor: str | None = Field(
        None, description="The `next_cursor` of the previous page; omit for the first page."
    )
    limit: int = Field(
        DEFAULT_LIMIT,
        description=f"Items per page, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT}).",
        json_schema_extra={"minimum": 1, "maximum": MAX_LIMIT},
    )


class CasePatch(Schema):
    owner: str | None = Field(
        None,
        max_length=254,
        description="The email of a member who works cases (editor, admin, owner); null: nobody.",
    )
    status: StatusName | None = Field(
        None, description="open → contacted → resolved; open → closed; ended → open."
    )
    outcome: str | None = Field(
        None, max_length=100, description="One of the workspace's outcomes by name; null: none."
    )
    due_at: Moment | None = None
    priority: PriorityName | None = None
    tags: list[str] | None = Field(
        None,
        max_length=MAX_TAGS,
        description=f"The response's whole list of tags (names of the workspace's tags, each "
        f"at most {MAX_TAG} characters); [] removes them all.",
    )
    version: int | None = Field(
        None,
        ge=1,
        description="The version you read; a case changed since answers 409. Or use If-Match.",
    )


@router.get("", response=answers({200: CasePage}, 422), summary="List cases")
def list_cases(request: HttpRequest, query: Query[CaseQuery]) -> dict[str, Any]:
    """Cases by due time, soonest first (then by id); filters combine with AND."""
    workspace = workspace_of(request)
    if not 1 <= query.limit <= MAX_LIMIT:
        raise field_error(("query", "limit"), f"must be from 1 to {MAX_LIMIT}, got {query.limit}")

    def bound(value: Any) -> datetime | None:
        return None if value is None else start_of(value, workspace)

    filters = CaseFilters(
        status=query.status,
        category=query.category,
        kind=query.kind,
        survey=query.survey,
        owner=query.owner,
        team=query.team,
        account=query.account,
        tag=query.tag,
        opened_after=bound(query.opened_after),
        opened_before=bound(query.opened_before),
        due_before=bound(query.due_before),
        overdue=query.overdue,
    )
    with reported_at("query"):
        rows = cases_matching(workspace, filters)
    if query.cursor is not None:
        rows = _after(rows, query.cursor)
    now = timezone.now()
    found = list(rows.order_by("due_at", "pk")[: query.limit + 1])
    page = found[: query.limit]
    more = len(found) > query.limit
    tags = tags_by_response(case.response_id for case in page)
    return {
        "items": [case_json(case, now, tags) for case in page],
        "next_cursor": _cursor(page[-1]) if more else None,
    }


@router.get("/{int:case_id}", response=answers({200: CaseDetail}, 404), summary="Get a case")
def get_case(request: HttpRequest, case_id: int) -> dict[str, Any]:
    return _detail(_case(request, case_id))


@router.patch(
    "/{int:case_id}",
    response=answers({200: CaseDetail, 409: Conflict}, 404, 413, 422),
    summary="Work a case",
)
def patch_case(
    request: HttpRequest,
    case_id: int,
    payload: CasePatch,
    if_match: str | None = Header(
        None,
        alias="If-Match",
        description='The version you read (e.g. 3 or "3"), instead of `version` in the body.',
    ),
) -> Any:
    """Change the owner, status, outcome, due time, priority or tags; fields left out stay
    as they are. All of it is kept, or none: a status the case can't move to answers 409
    with the statuses it can, an edit from an older version 409 with the version now."""
    case = _case(request, case_id)
    version = _version(payload.version, if_match)
    given = payload.model_fields_set
    edit = CaseEdit(**{name: getattr(payload, name) for name in given if name != "version"})
    for name in ("status", "due_at", "priority", "tags"):
        if getattr(edit, name) is None:
            raise field_error(("body", name), "can't be null; leave it out to keep it")
    try:
        with reported_at("body"):
            case = edit_case(case, edit, by=_actor(request), version=version)
    except StaleCase as stale:
        return Status(409, {"detail": str(stale), "version": stale.current.version})
    except StatusNotAllowed as refused:
        return Status(409, {"detail": str(refused), "allowed": refused.allowed})
    return _detail(with_details(Case.objects.filter(pk=case.pk)).get())


def case_json(case: Case, now: datetime, tags: dict[int, list[str]]) -> dict[str, Any]:
    return {
        **case_data(case),
        "overdue": case.status == CaseStatus.OPEN and case.due_at < now,
        "tags": tags.get(case.response_id, []),
    }


def _detail(case: Case) -> dict[str, Any]:
    tags = tags_by_response([case.response_id])
    return {**case_json(case, timezone.now(), tags), "history": _history(case)}


def _case(request: HttpRequest, case_id: int) -> Case:
    case = with_details(Case.objects.filter(workspace=workspace_of(request), pk=case_id)).first()
    if case is None:
        raise NotFound(f"no case with id {case_id} in this workspace")
    return case


def _history(case: Case) -> list[dict[str, Any]]:
    lines = CaseActivity.objects.filter(case=case).order_by("at", "pk")
    return [
        {"at": line.at, "by": line.actor_name, "kind": line.kind, "data": line.data}
        for line in lines
    ]


def _actor(request: HttpRequest) -> Actor:
    """The history names an API key's change by the key's name."""
    key: ApiKey = request.auth  # type: ignore[attr-defined]
    return Actor(key.name or f"API key {key.prefix}")


def _version(body: int | None, if_match: str | None) -> int | None:
    if if_match is None:
        return body
    text = if_match.strip().removeprefix("W/").strip('"')
    if not text.isdigit() or int(text) < 1:
        raise field_error(
            ("header", "If-Match"),
            f'must be the case\'s version, a whole number like 3 or "3", got {if_match!r}',
        )
    if body is not None and body != int(text):
        raise field_error(
            ("body", "version"),
            f"is {body} but If-Match says {text}; give the version once, or the same in both",
        )
    return int(text)


# The cursor says "after this due time and id": pages follow the order (keyset), so every
# page costs the same and a case never shows twice while others are added.
CURSOR_PREFIX = "due:"


def _cursor(case: Case) -> str:
    due = case.due_at.astimezone(UTC)
    micros = int(due.timestamp()) * 1_000_000 + due.microsecond
    text = f"{CURSOR_PREFIX}{micros}:{case.pk}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _after(rows: QuerySet[Case], cursor: str) -> QuerySet[Case]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        micros, pk = text.removeprefix(CURSOR_PREFIX).split(":")
        if text.startswith(CURSOR_PREFIX) and micros.lstrip("-").isdigit() and pk.isdigit():
            seconds, rest = divmod(int(micros), 1_000_000)
            due = datetime.fromtimestamp(seconds, UTC).replace(microsecond=rest)
            return rows.filter(Q(due_at__gt=due) | Q(due_at=due, pk__gt=int(pk)))
    except (binascii.Error, UnicodeDecodeError, ValueError, OverflowError, OSError):
        pass
    raise field_error(
        ("query", "cursor"),
        "is not a cursor this API handed out; pass the next_cursor of the previous page "
        "unchanged, or omit it for the first page",
    )
