"""The follow-up dashboard's numbers: how many cases opened, how many were contacted in
time (overall, by owner, team and category), how long first contact and resolution took,
the backlog and the overdue cases over time, and how cases ended.

Each number is a few aggregate queries over the cases (docs/closed-loop.md says how each
is counted); the recovery of detractors is in insights/recovery.py.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce, TruncMonth, TruncQuarter, TruncWeek
from django.utils import timezone

from npsloop.insights.case_scope import CaseScope, cases_in
from npsloop.insights.filters import bucket_start, next_bucket
from npsloop.insights.metrics import moment, time_label
from npsloop.loop.models import Case, CaseStatus, Outcome, Team
from npsloop.surveys.models import Category
from npsloop.workspaces.models import Member, Workspace

TRUNCS = {"week": TruncWeek, "month": TruncMonth, "quarter": TruncQuarter}


@dataclass
class Tally:
    """Counts of one group of cases opened in the period.

    `decided` cases are those whose first contact is settled: contacted, closed, or past
    their due time; `in_time` were first contacted by their due time. A case still open
    and not yet due is in neither, so the share is never lowered by cases that can still
    make it.
    """

    label: str
    opened: int = 0
    decided: int = 0
    in_time: int = 0
    contacted: int = 0
    resolved: int = 0
    open_now: int = 0
    overdue_now: int = 0
    small: bool = False

    @property
    def in_time_percent(self) -> float | None:
        return 100 * self.in_time / self.decided if self.decided else None

    def add(self, row: dict[str, Any]) -> None:
        for name in ("opened", "decided", "in_time", "contacted", "resolved"):
            setattr(self, name, getattr(self, name) + row[name])
        self.open_now += row["open_now"]
        self.overdue_now += row["overdue_now"]


@dataclass(frozen=True)
class BacklogPoint:
    """The cases open, and those overdue, at the end of one bucket (or now, for the last)."""

    label: str
    start: date
    end: date
    backlog: int
    overdue: int


@dataclass
class FollowUp:
    scope: CaseScope
    total: Tally
    by_owner: list[Tally] = field(default_factory=list)
    by_team: list[Tally] = field(default_factory=list)
    by_category: list[Tally] = field(default_factory=list)
    median_first_contact: timedelta | None = None
    median_resolution: timedelta | None = None
    outcomes: list[tuple[str, int]] = field(default_factory=list)
    without_outcome: int = 0
    grain: str = "week"
    backlog: list[BacklogPoint] = field(default_factory=list)
    small: int = 30


def follow_up(workspace: Workspace, scope: CaseScope, *, now: datetime | None = None) -> FollowUp:
    """Every number of the follow-up tab but recovery, for the cases of the scope."""
    now = now or timezone.now()
    small = workspace.small_group_n
    cases = cases_in(workspace, scope, opened_in_period=True)
    total, by_owner, by_team, by_category = _tallies(workspace, cases, now, small)
    first_contact = cases.filter(first_contacted_at__isnull=False)
    resolved = cases.filter(status=CaseStatus.RESOLVED, closed_at__isnull=False)
    outcomes, without = _outcomes(workspace, cases)
    grain = grain_for(scope.filters.period.days)
    return FollowUp(
        scope=scope,
        total=total,
        by_owner=by_owner,
        by_team=by_team,
        by_category=by_category,
        median_first_contact=median_duration(first_contact, "first_contacted_at", total.contacted),
        median_resolution=median_duration(resolved, "closed_at", total.resolved),
        outcomes=outcomes,
        without_outcome=without,
        grain=grain,
        backlog=backlog(workspace, scope, grain, now),
        small=small,
    )


def _tallies(
    workspace: Workspace, cases: QuerySet[Case], now: datetime, small: int
) -> tuple[Tally, list[Tally], list[Tally], list[Tally]]:
    """One grouped query; the totals and the three breakdowns are its sums."""
    rows = (
        cases.values("owner_id", "team_id", "opened_category")
        .annotate(
            opened=Count("*"),
            decided=Count(
                "pk",
                filter=Q(first_contacted_at__isnull=False)
                | Q(closed_at__isnull=False)
                | Q(due_at__lte=now),
            ),
            in_time=Count("pk", filter=Q(first_contacted_at__lte=F("due_at"))),
            contacted=Count("pk", filter=Q(first_contacted_at__isnull=False)),
            resolved=Count("pk", filter=Q(status=CaseStatus.RESOLVED, closed_at__isnull=False)),
            open_now=Count("pk", filter=Q(status__in=(CaseStatus.OPEN, CaseStatus.CONTACTED))),
            overdue_now=Count("pk", filter=Q(status=CaseStatus.OPEN, due_at__lt=now)),
        )
        .order_by()
    )
    total = Tally("All cases")
    owners: dict[int | None, Tally] = {}
    teams: dict[int | None, Tally] = {}
    categories: dict[str, Tally] = {}
    for row in rows:
        total.add(row)
        owners.setdefault(row["owner_id"], Tally("")).add(row)
        teams.setdefault(row["team_id"], Tally("")).add(row)
        categories.setdefault(row["opened_category"], Tally(row["opened_category"])).add(row)
    member_names = _member_names(workspace, [k for k in owners if k is not None])
    team_names = dict(
        Team.objects.filter(
            workspace=workspace, pk__in=[k for k in teams if k is not None]
        ).values_list("pk", "name")
    )
    for key, tally in owners.items():
        tally.label = "Unassigned" if key is None else member_names.get(key, "(former member)")
    for key, tally in teams.items():
        tally.label = "No team" if key is None else team_names.get(key, "(deleted team)")
    order = {category: i for i, category in enumerate(Category.values)}
    groups = (
        _sorted(owners.values()),
        _sorted(teams.values()),
        sorted(categories.values(), key=lambda t: order.get(t.label, len(order))),
    )
    for tallies in groups:
        for tally in tallies:
            tally.small = tally.decided < small
    return total, *groups


def _sorted(tallies: Any) -> list[Tally]:
    return sorted(tallies, key=lambda t: (-t.opened, t.label.casefold()))


def _member_names(workspace: Workspace, ids: list[int]) -> dict[int, str]:
    members = Member.objects.filter(workspace=workspace, pk__in=ids).select_related("user")
    return {
        m.pk: (m.user.get_full_name().strip() or m.user.email or m.user.get_username())
        for m in members
    }


def median_duration(cases: QuerySet[Case], end: str, count: int) -> timedelta | None:
    """The median of `end` minus opened_at over the cases (the mean of the middle two when
    their number is even); None without cases. The database sorts the durations and hands
    over only the middle ones, so the cost does not grow with what Python must read."""
    if count <= 0:
        return None
    took = ExpressionWrapper(F(end) - F("opened_at"), output_field=DurationField())
    ordered = cases.annotate(took=took).order_by("took").values_list("took", flat=True)
    middle = list(ordered[(count - 1) // 2 : count // 2 + 1])
    if not middle:  # the cases changed between the count and this read
        return None
    return sum(middle, timedelta()) / len(middle)


def _outcomes(workspace: Workspace, cases: QuerySet[Case]) -> tuple[list[tuple[str, int]], int]:
    """How the ended cases ended, in the workspace's order of outcomes, and how many ended
    (resolved or closed) with none recorded."""
    counts = dict(
        cases.filter(outcome__isnull=False)
        .values("outcome_id")
        .annotate(n=Count("*"))
        .order_by()
        .values_list("outcome_id", "n")
    )
    names = Outcome.objects.filter(workspace=workspace, pk__in=list(counts)).order_by(
        "position", "id"
    )
    without = cases.filter(
        outcome__isnull=True, status__in=(CaseStatus.RESOLVED, CaseStatus.CLOSED)
    ).count()
    return [(outcome.name, counts[outcome.pk]) for outcome in names], without


def grain_for(days: int) -> str:
    """Buckets of the backlog chart: weeks up to four months, months up to two years."""
    if days <= 120:
        return "week"
    if days <= 731:
        return "month"
    return "quarter"


def backlog(
    workspace: Workspace, scope: CaseScope, grain: str, now: datetime
) -> list[BacklogPoint]:
    """Cases open and cases overdue at the end of each bucket of the period (or now).

    A case is open from opened_at until closed_at (resolved or closed), and overdue from
    due_at until its first contact or its closing, if it was neither by then. Counted
    backwards from now: the cases open (and overdue) now, less those that opened (fell
    due) since the bucket's end, plus those that closed (were caught up on) since. So
    only the moments inside the period are grouped, however long the workspace's history;
    the last bucket's point is now (or the end of a period that ended).
    A case reopened after it ended is counted open from its opening (it keeps one closing
    time).
    """
    zone = ZoneInfo(workspace.time_zone)
    cases = cases_in(workspace, scope, opened_in_period=False)
    period = scope.filters.period
    since = moment(period.since, zone)
    cut = min(moment(period.until, zone), now)  # the last point: now, or a past period's end
    fell_late = Q(Q(first_contacted_at__isnull=True) | Q(first_contacted_at__gt=F("due_at"))) & Q(
        Q(closed_at__isnull=True) | Q(closed_at__gt=F("due_at"))
    )
    caught_up_after = Q(first_contacted_at__gte=cut) | Q(
        first_contacted_at__isnull=True, closed_at__gte=cut
    )
    # The state now, and what changed between the last point and now.
    state = cases.aggregate(
        open=Count("pk", filter=Q(closed_at__isnull=True)),
        overdue=Count(
            "pk",
            filter=Q(closed_at__isnull=True, first_contacted_at__isnull=True, due_at__lt=now),
        ),
        opened=Count("pk", filter=Q(opened_at__gte=cut)),
        closed=Count("pk", filter=Q(closed_at__gte=cut)),
        fell_due=Count("pk", filter=fell_late & Q(due_at__gte=cut, due_at__lt=now)),
        caught_up=Count("pk", filter=fell_late & caught_up_after),
    )
    open_at_cut = state["open"] - state["opened"] + state["closed"]
    overdue_at_cut = state["overdue"] - state["fell_due"] + state["caught_up"]
    left = cases.filter(fell_late).annotate(
        left_at=Coalesce("first_contacted_at", "closed_at", output_field=DateTimeField())
    )
    window = (grain, zone, since, cut)
    opened = _by_bucket(cases, "opened_at", *window)
    closed = _by_bucket(cases, "closed_at", *window)
    fell_due = _by_bucket(cases.filter(fell_late), "due_at", *window)
    caught_up = _by_bucket(left, "left_at", *window)
    points = []
    start = bucket_start(period.since, grain)
    while start < period.until:
        end = next_bucket(start, grain)
        points.append(
            BacklogPoint(
                label=time_label(grain, start),
                start=max(start, period.since),
                end=min(end, period.until),
                backlog=open_at_cut - _from(opened, end) + _from(closed, end),
                overdue=overdue_at_cut - _from(fell_due, end) + _from(caught_up, end),
            )
        )
        start = end
    return points


def _by_bucket(
    cases: QuerySet[Case],
    column: str,
    grain: str,
    zone: ZoneInfo,
    since: datetime,
    cut: datetime,
) -> dict[date, int]:
    """How many of the cases' `column` moments from `since` until `cut` fell in each
    bucket (keyed by the bucket's first day)."""
    rows = (
        cases.filter(**{f"{column}__gte": since, f"{column}__lt": cut})
        .annotate(bucket=TRUNCS[grain](column, tzinfo=zone))
        .values("bucket")
        .annotate(n=Count("*"))
        .order_by()
        .values_list("bucket", "n")
    )
    counts: dict[date, int] = defaultdict(int)
    for bucket, n in rows:
        counts[bucket.date() if isinstance(bucket, datetime) else bucket] += n
    return counts


def _from(counts: dict[date, int], day: date) -> int:
    """Moments from the start of `day` (a bucket's first day) to the last point."""
    return sum(n for start, n in counts.items() if start >= day)
