"""Keeping the daily score histograms (ScoreDay) equal to the responses they count."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import connection, transaction

from npsloop.statements import Statement, execute_together
from npsloop.surveys.models import Response, ScoreDay
from npsloop.workspaces.models import Workspace

log = logging.getLogger(__name__)

# (survey id, day, channel, wave, score) -> change in count; wave 0 is "no wave"
RollupKey = tuple[int, date, str, int, int]

UPSERT = (
    "INSERT INTO surveys_scoreday (workspace_id, survey_id, day, channel, wave, score, count) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (survey_id, day, channel, wave, score) "
    "DO UPDATE SET count = surveys_scoreday.count + excluded.count"
)
# A decrease always meets a row that counted the response before; the database checks a
# row's constraints before it looks for a conflict, so it can't go through the upsert.
DECREASE = (
    "UPDATE surveys_scoreday SET count = count + %s "
    "WHERE survey_id = %s AND day = %s AND channel = %s AND wave = %s AND score = %s"
)


REBUILD_SQL = (
    "INSERT INTO surveys_scoreday (workspace_id, survey_id, day, channel, wave, score, count) "
    "SELECT workspace_id, survey_id, (created_at AT TIME ZONE %s)::date, channel, "
    "COALESCE(wave, 0), score, COUNT(*) FROM surveys_response WHERE workspace_id = %s "
    "GROUP BY 1, 2, 3, 4, 5, 6"
)


def day_of(moment: datetime, workspace: Workspace) -> date:
    """The calendar day of a moment in the workspace's time zone."""
    return day_in(moment, workspace.time_zone)


def day_in(moment: datetime, time_zone: str) -> date:
    return moment.astimezone(ZoneInfo(time_zone)).date()


def rollup_key(response: Response, workspace: Workspace) -> RollupKey:
    return (
        response.survey_id,
        day_of(response.created_at, workspace),
        response.channel,
        response.wave or 0,
        response.score,
    )


def apply_deltas(workspace: Workspace, deltas: Counter[RollupKey]) -> None:
    """Add the changes to the rollups. Call inside the transaction that changed the responses."""
    execute_together(delta_statements(workspace, deltas))


def delta_statements(workspace: Workspace, deltas: Counter[RollupKey]) -> list[Statement]:
    """The statements apply_deltas runs, for a caller that sends them with others.

    One statement per key, in sorted order so that concurrent writers lock rows in the
    same order and cannot deadlock.
    """
    statements: list[Statement] = []
    for (survey_id, day, channel, wave, score), delta in sorted(deltas.items()):
        if delta > 0:
            statements.append((UPSERT, (workspace.pk, survey_id, day, channel, wave, score, delta)))
        elif delta < 0:
            statements.append((DECREASE, (delta, survey_id, day, channel, wave, score)))
    return statements


def count_responses(workspace: Workspace) -> Counter[RollupKey]:
    """What the rollups should hold, counted from the responses themselves."""
    counts: Counter[RollupKey] = Counter()
    zone = ZoneInfo(workspace.time_zone)
    rows = Response.objects.filter(workspace=workspace).values_list(
        "survey_id", "created_at", "channel", "wave", "score"
    )
    for survey_id, created_at, channel, wave, score in rows.iterator(chunk_size=5000):
        counts[(survey_id, created_at.astimezone(zone).date(), channel, wave or 0, score)] += 1
    return counts


def stored_rollups(workspace: Workspace) -> Counter[RollupKey]:
    rows = (
        ScoreDay.objects.filter(workspace=workspace)
        .exclude(count=0)
        .values_list("survey_id", "day", "channel", "wave", "score", "count")
    )
    return Counter({(s, d, c, w, score): n for s, d, c, w, score, n in rows})


def rebuild(workspace: Workspace) -> int:
    """Recount every rollup of the workspace from its responses; returns the rows written.

    The safety net for data changed outside the services (raw SQL, restored backups, a
    workspace whose time zone changed).
    """
    ScoreDay.objects.filter(workspace=workspace).delete()
    if connection.vendor == "postgresql":
        # The database counts and converts time zones itself: no row leaves the server.
        with connection.cursor() as cursor:
            cursor.execute(REBUILD_SQL, (workspace.time_zone, workspace.pk))
            return cursor.rowcount
    counts = count_responses(workspace)
    ScoreDay.objects.bulk_create(
        (
            ScoreDay(
                workspace=workspace, survey_id=s, day=d, channel=c, wave=w, score=score, count=n
            )
            for (s, d, c, w, score), n in counts.items()
        ),
        batch_size=2000,
    )
    return len(counts)


def _lock_rollups() -> None:
    if connection.vendor == "postgresql":
        # Writers of responses add to the rollups in the same transaction; holding this
        # lock while recounting means each response is counted exactly once: either it
        # committed before the recount (and is in it) or it adds itself afterwards.
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE surveys_scoreday IN SHARE ROW EXCLUSIVE MODE")


def rebuild_now(workspace: Workspace) -> int:
    """Rebuild the workspace's rollups while responses keep arriving (`npsloop rollups
    rebuild`); returns the rows written."""
    with transaction.atomic():
        _lock_rollups()
        rows = rebuild(workspace)
    tidy_rollups()
    return rows


def tidy_rollups() -> None:
    """After a rebuild: fresh statistics for the query planner (the dashboards' plans come
    from them) and, on PostgreSQL outside a transaction, the replaced rows reclaimed, so
    pages are fast at once rather than after autovacuum's next round."""
    table = ScoreDay._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            cursor.execute(f"VACUUM ANALYZE {table}")
        else:
            cursor.execute(f"ANALYZE {table}")


def repair_rollups(workspace: Workspace) -> bool:
    """Rebuild the workspace's rollups if they disagree with its responses."""
    if stored_rollups(workspace) == count_responses(workspace):
        return False
    with transaction.atomic():
        _lock_rollups()
        stored, counted = stored_rollups(workspace), count_responses(workspace)
        if stored == counted:
            return False
        differing = sum(1 for key in stored.keys() | counted.keys() if stored[key] != counted[key])
        log.warning(
            "rollups of workspace %s disagreed with its responses on %d (survey, day, channel,"
            " wave, score) counts; rebuilt them from the responses",
            workspace.slug,
            differing,
        )
        rebuild(workspace)
    return True
