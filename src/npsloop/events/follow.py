"""Following the log from inside npsloop: a named follower (opening cases, later the
webhooks and CRMs) reads a workspace's events in order and remembers how far it got.

The follower's work and its new position commit together, with its cursor row locked:
however many workers run it, each event is handled once, and a worker killed half-way
leaves the position where its last commit put it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from django.db import transaction
from django.db.models import Max

from npsloop.events.log import feed
from npsloop.events.models import Cursor, Event

# Ids are drawn before commit on PostgreSQL, so an event can become visible behind newer
# ones; a look for busy workspaces reaches this many ids back to find it.
LATE_IDS = 1_000


def follow(
    name: str,
    workspace_id: int,
    handle: Callable[[list[Event]], None],
    *,
    types: Collection[str],
    batch: int = 200,
) -> int:
    """Hand the workspace's unread events of these types to ``handle``, a batch per
    transaction; returns how many were handled."""
    handled = 0
    while True:
        with transaction.atomic():
            cursor = _locked_cursor(name, workspace_id)
            if cursor is None:
                return handled  # another worker is following this workspace right now
            events = feed(workspace_id, after=cursor.position, types=(), limit=batch)
            if not events:
                return handled
            wanted = [event for event in events if event.type in types]
            if wanted:
                handle(wanted)
            cursor.position = events[-1].pk
            cursor.save(update_fields=["position", "updated_at"])
        handled += len(wanted)
        if len(events) < batch:
            return handled


def _locked_cursor(name: str, workspace_id: int) -> Cursor | None:
    Cursor.objects.get_or_create(name=name, workspace_id=workspace_id)
    return (
        Cursor.objects.select_for_update(skip_locked=True)
        .filter(name=name, workspace_id=workspace_id)
        .first()
    )


def last_event_id() -> int:
    return Event.objects.aggregate(last=Max("id"))["last"] or 0


def busy_workspaces(since: int) -> list[int]:
    """The workspaces with events after this id (reaching LATE_IDS further back)."""
    ids = (
        Event.objects.filter(id__gt=max(since - LATE_IDS, 0))
        .values_list("workspace_id", flat=True)
        .distinct()
    )
    return sorted(set(ids))
