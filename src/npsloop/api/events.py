"""/events: the event log, for integrations that follow every change without webhooks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from npsloop.api.auth import workspace_of
from npsloop.api.errors import answers, field_error, one_of
from npsloop.api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from npsloop.events.log import UnknownPosition, feed, unknown_types
from npsloop.events.models import Event, EventType

router = Router(tags=["events"])


class EventOut(Schema):
    id: int = Field(description="The event's id: pass the last one you saw as `after`.")
    type: str = Field(json_schema_extra=one_of(EventType.values))
    created_at: datetime
    data: dict[str, Any] = Field(description="What changed; see docs/events.md per type.")


class EventPage(Schema):
    items: list[EventOut]
    next_after: int = Field(
        description=(
            "Pass as `after` for the next page; the same as `after` when there are no "
            "new events yet (poll again later with it)."
        )
    )
    has_more: bool = Field(description="Another page is waiting: ask again at once.")


class EventFilters(Schema):
    after: int = Field(
        0,
        ge=0,
        description=(
            "The id of the last event you received (the `next_after` of the last page): the "
            "events after it; 0 (default) for the oldest kept."
        ),
    )
    type: list[str] = Field(
        default_factory=list,
        json_schema_extra={"items": {"type": "string", **one_of(EventType.values)}},
        description=f"Only these types (repeat the parameter): {', '.join(EventType.values)}.",
    )
    limit: int = Field(
        DEFAULT_LIMIT,
        description=f"Events per page, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT}).",
        json_schema_extra={"minimum": 1, "maximum": MAX_LIMIT},
    )


def event_json(event: Event) -> dict[str, Any]:
    return {"id": event.pk, "type": event.type, "created_at": event.created_at, "data": event.data}


@router.get("", response=answers({200: EventPage}, 422), summary="Follow the event log")
def list_events(request: HttpRequest, filters: Query[EventFilters]) -> dict[str, Any]:
    """Every change in this workspace, in the order the changes were committed, from after
    the event whose id you pass.

    Poll with the `next_after` of the last page (the id of its last event): you see every
    event once. Ids grow as events are written, but a page is in commit order, so its ids
    are not always increasing; never compare them, pass `next_after` back. Events older
    than the retention (90 days by default) are deleted; after one of those, the log
    starts again from the oldest kept.
    """
    if unknown := unknown_types(filters.type):
        raise field_error(
            ("query", "type"),
            f"unknown event type {', '.join(map(repr, unknown))}; "
            f"known types: {', '.join(EventType.values)}",
        )
    if not 1 <= filters.limit <= MAX_LIMIT:
        raise field_error(("query", "limit"), f"must be from 1 to {MAX_LIMIT}, got {filters.limit}")
    try:
        found = feed(
            workspace_of(request).pk,
            after=filters.after,
            types=filters.type,
            limit=filters.limit + 1,
        )
    except UnknownPosition:
        raise field_error(
            ("query", "after"),
            f"no event {filters.after} in this workspace; pass the id of the last event you "
            "received (the next_after of the last page), or 0 to start from the oldest",
        ) from None
    page = found[: filters.limit]
    return {
        "items": [event_json(event) for event in page],
        "next_after": page[-1].pk if page else filters.after,
        "has_more": len(found) > filters.limit,
    }
