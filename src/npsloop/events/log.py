"""Writing, reading and pruning the event log.

Only the owner of a change writes its event (see docs/architecture.md), inside the
transaction that makes the change: either both are committed or neither is. Readers
follow the log by id, which only grows.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from npsloop.events.models import Event, EventType
from npsloop.statements import Statement, execute_together

# One encoder for every event: making one per event (what JSONField does) cost a third of
# the event's Python time (bench/bench_events.py).
_ENCODER = DjangoJSONEncoder(separators=(",", ":"))


class OutsideTransaction(RuntimeError):
    """An event written where its change could commit without it (or it without its change)."""


@dataclass(frozen=True)
class Change:
    """One event to write: its type, its data and the rows it concerns."""

    workspace_id: int
    type: EventType
    data: dict[str, Any]
    response_id: int | None = None
    contact_id: int | None = None
    ask_id: int | None = None


def moment(value: datetime | None) -> str | None:
    """A datetime as the API shows it (ISO 8601, milliseconds, Z for UTC)."""
    return None if value is None else str(_ENCODER.default(value))


def record(change: Change, *, at: datetime | None = None) -> None:
    """Write one event in the caller's transaction."""
    record_all([change], at=at)


def record_all(changes: Sequence[Change], *, at: datetime | None = None) -> None:
    """Write these events, in order, in the caller's transaction."""
    if changes:
        execute_together([insert_statement(changes, at=at)])


def insert_statement(changes: Sequence[Change], *, at: datetime | None = None) -> Statement:
    """The INSERT record_all runs, for an owner that sends it with its change's other
    statements (npsloop.statements): one round trip for both. Only inside a transaction."""
    if not connection.in_atomic_block:
        raise OutsideTransaction(
            "an event must be written inside the transaction of its change "
            "(wrap both in transaction.atomic())"
        )
    created_at = connection.ops.adapt_datetimefield_value(at or timezone.now())
    # A plain INSERT: the ORM's compiler cost as much as the statement itself, on the path
    # of every response recorded (bench/bench_events.py).
    rows = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(changes))
    params: list[Any] = []
    for change in changes:
        params += [
            change.workspace_id,
            change.type.value,
            change.response_id,
            change.contact_id,
            change.ask_id,
            _ENCODER.encode(change.data),
            created_at,
        ]
    return f"{_INSERT} {rows}", params


_TABLE = Event._meta.db_table
_INSERT = (
    f"INSERT INTO {_TABLE} (workspace_id, type, response_id, contact_id, ask_id, data, "
    "created_at) VALUES"
)


class UnknownPosition(ValueError):
    """`after` names no event of this workspace (and not one pruned for its age)."""


def feed(workspace_id: int, *, after: int, types: Collection[str], limit: int) -> list[Event]:
    """Up to `limit` events of the workspace that follow the event `after` (0: from the
    oldest kept), in the order a follower must read them.

    On PostgreSQL ids are drawn when a transaction writes and become visible when it
    commits, so a later id can be seen before an earlier one. The log is therefore read in
    (transaction, id) order and only up to the oldest transaction of this database still
    running: everything before that point is final, so a follower that resumes after the
    last event it saw never misses one. On SQLite one transaction writes at a time, and
    ids are the order.
    """
    rows = Event.objects.filter(workspace_id=workspace_id)
    if after:
        txid = rows.filter(id=after).values_list("txid", flat=True).first()
        if txid is None:
            oldest = rows.order_by("id").values_list("id", flat=True).first()
            if oldest is not None and after >= oldest:
                raise UnknownPosition(after)
            # Pruned (older than the oldest kept): start again from the oldest.
        else:
            rows = rows.filter(Q(txid__gt=txid) | Q(txid=txid, id__gt=after))
    if types:
        rows = rows.filter(type__in=list(types))
    if connection.vendor == "postgresql":
        # A transaction's own events count as settled for itself (a test's, in practice:
        # requests read in autocommit).
        rows = rows.filter(
            Q(txid__lt=RawSQL(_SETTLED_BEFORE, ())) | Q(txid=RawSQL(_OWN_TRANSACTION, ()))
        )
    return list(rows.order_by("txid", "id")[:limit])


# The lowest transaction id that may still write events, as seen by the statement's own
# snapshot: the snapshot's running transactions (xip), less those of other databases on
# the same server (a long report or pg_dump elsewhere must not hold the log back), else
# xmax (one past the last transaction that ended). A running transaction not found in
# pg_stat_activity any more has just ended: counted as running, it only waits a poll.
_SETTLED_BEFORE = """
    SELECT LEAST(
        pg_snapshot_xmax(s)::text::bigint,
        (SELECT min(x::text::bigint) FROM pg_snapshot_xip(s) AS x
         WHERE NOT EXISTS (
            SELECT FROM pg_stat_activity AS a
            WHERE a.backend_xid = xid(x) AND a.datname IS DISTINCT FROM current_database()
         ))
    ) FROM pg_current_snapshot() AS s
"""
_OWN_TRANSACTION = "SELECT pg_current_xact_id_if_assigned()::text::bigint"


def unknown_types(types: Collection[str]) -> list[str]:
    return sorted(set(types) - set(EventType.values))


def forget_person(contact_id: int) -> int:
    """Blank the data of every event about this contact (their erasure): the events stay,
    so followers keep their place in the log, but say only that the person was erased."""
    return Event.objects.filter(contact_id=contact_id).update(data={"erased": True})


def prune(*, retention: timedelta, now: datetime | None = None, batch: int = 10_000) -> int:
    """Delete events older than the retention, a batch at a time from the oldest id (short
    transactions, so writers are never held up; ids follow time closely enough that no
    index on the time is needed, and each index costs every response); returns how many
    went."""
    cutoff = (now or timezone.now()) - retention
    deleted = 0
    while True:
        oldest = list(Event.objects.order_by("id").values_list("id", "created_at")[:batch])
        old = [event_id for event_id, created_at in oldest if created_at < cutoff]
        if old:
            deleted += Event.objects.filter(id__in=old).delete()[0]
        if len(old) < batch:
            return deleted
