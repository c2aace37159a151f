"""The numbers behind the dashboard pages: every NPS with its n and interval, every change
with its significance. Pages and exports render these; none computes a score itself.

All counting goes through `compute_metrics` (rollups for whole days by time, channel and
wave; the responses for anything finer) and all arithmetic through `npsloop.stats`, so a
dashboard number always equals the API's `/metrics` for the same filter.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from npsloop.errors import InvalidInput
from npsloop.insights.filters import (
    Filters,
    Period,
    bucket_start,
    next_bucket,
)
from npsloop.insights.funnel import Funnel, ask_funnel
from npsloop.insights.metrics import (
    COHORT_GROUPS,
    MetricsQuery,
    compute_metrics,
    moment,
    time_label,
)
from npsloop.program.models import Release
from npsloop.stats import Comparison, Histogram, Summary, compare, compare_to_benchmark, summarize
from npsloop.stats.sample_size import sample_size
from npsloop.workspaces.models import Workspace

GRAINS = ("week", "month", "quarter")
# The figures quoted in the seeds the product was built from; a workspace may set its own.
DEFAULT_BENCHMARKS: tuple[dict[str, object], ...] = (
    {
        "name": "SaaS average",
        "nps": 30,
        "source": "NetHunt, \u201cHow to increase your NPS score\u201d (SaaS average 30); "
        "\u201cNPS Guide: Best Practices\u201d quotes 31",
    },
    {
        "name": "Good for SaaS",
        "nps": 50,
        "source": "\u201cNPS Guide: Best Practices to Improve Customer Satisfaction\u201d "
        "(50 is \u201cpretty good\u201d in SaaS)",
    },
)
TARGET_MARGIN = 5


def histogram(workspace: Workspace, query: MetricsQuery) -> Histogram:
    [(_, counts)] = compute_metrics(workspace, replace(query, group_by=[]))
    return counts


def change_text(comparison: Comparison) -> str:
    """ "up 6 — real change", "down 2 — no clear change", or why nothing can be said."""
    if comparison.difference is None:
        return "no data to compare"
    points = round(comparison.difference)
    direction = "up" if points > 0 else "down" if points < 0 else "unchanged"
    verdict = "real change" if comparison.significant else "no clear change"
    if direction == "unchanged":
        return f"unchanged \u2014 {verdict}"
    return f"{direction} {abs(points)} \u2014 {verdict}"


@dataclass(frozen=True)
class Benchmark:
    name: str
    nps: float
    source: str
    comparison: Comparison

    @property
    def text(self) -> str:
        if self.comparison.difference is None:
            return "no data"
        points = round(self.comparison.difference)
        side = "above" if points > 0 else "below" if points < 0 else "level with"
        amount = f"{abs(points)} " if points else ""
        verdict = "clearly" if self.comparison.significant else "not clearly"
        return f"{amount}{side} \u2014 {verdict} different"


@dataclass(frozen=True)
class ChannelFunnel:
    channel: str
    funnel: Funnel
    summary: Summary


@dataclass(frozen=True)
class Overview:
    filters: Filters
    histogram: Histogram
    summary: Summary
    previous: Summary
    previous_period: Period
    comparison: Comparison
    change: str
    benchmarks: list[Benchmark]
    funnels: list[ChannelFunnel]
    margin: float | None  # ± points of the interval
    more_for_target: int | None  # responses still needed for ±TARGET_MARGIN

    @property
    def target_margin(self) -> int:
        return TARGET_MARGIN


def benchmarks_of(workspace: Workspace) -> list[dict[str, object]]:
    """The workspace's own reference scores, or the defaults when it set none."""
    if workspace.benchmarks is None:
        return list(DEFAULT_BENCHMARKS)
    return list(workspace.benchmarks)


def overview(workspace: Workspace, filters: Filters) -> Overview:
    current = histogram(workspace, filters.query())
    before = filters.period.previous()
    earlier = histogram(workspace, filters.query(before))
    comparison = compare(current, earlier)
    summary = summarize(current)
    benchmarks = [
        Benchmark(
            str(item["name"]),
            float(item["nps"]),  # type: ignore[arg-type]
            str(item.get("source", "")),
            compare_to_benchmark(current, float(item["nps"])),  # type: ignore[arg-type]
        )
        for item in benchmarks_of(workspace)
    ]
    by_channel = {
        group["channel"]: h
        for group, h in compute_metrics(workspace, filters.query(group_by=["channel"]))
    }
    funnels = ask_funnel(workspace, filters.query(group_by=["channel"]))
    channels = sorted({str(c) for c in by_channel if c} | {str(k[0]) for k in funnels if k[0]})
    rows = [
        ChannelFunnel(
            channel,
            funnels.get((channel,), Funnel()),
            summarize(by_channel.get(channel, Histogram.empty())),
        )
        for channel in channels
    ]
    margin = more = None
    if summary.n and summary.ci_low is not None and summary.ci_high is not None:
        margin = (summary.ci_high - summary.ci_low) / 2
        needed = sample_size(
            TARGET_MARGIN,
            promoter_share=summary.promoters / summary.n,
            detractor_share=summary.detractors / summary.n,
        )
        more = max(0, needed - summary.n)
    return Overview(
        filters=filters,
        histogram=current,
        summary=summary,
        previous=summarize(earlier),
        previous_period=before,
        comparison=comparison,
        change=change_text(comparison),
        benchmarks=benchmarks,
        funnels=rows,
        margin=margin,
        more_for_target=more,
    )


@dataclass(frozen=True)
class Bucket:
    label: str
    start: date
    end: date
    summary: Summary


def trend(workspace: Workspace, filters: Filters, grain: str) -> list[Bucket]:
    """One bucket per week, month or quarter touching the period, empty ones included so
    gaps show as gaps. The first and last buckets hold only the period's days."""
    if grain not in GRAINS:
        raise InvalidInput({"grain": f"must be one of {', '.join(GRAINS)}, got {grain!r}"})
    counts = dict(
        (group[grain], h)
        for group, h in compute_metrics(workspace, filters.query(group_by=[grain]))
    )
    buckets = []
    start = bucket_start(filters.period.since, grain)
    while start < filters.period.until:
        end = next_bucket(start, grain)
        label = time_label(grain, start)
        buckets.append(
            Bucket(
                label,
                max(start, filters.period.since),
                min(end, filters.period.until),
                summarize(counts.get(label, Histogram.empty())),
            )
        )
        start = end
    return buckets


def releases_in(workspace: Workspace, period: Period, *, major_only: bool = False) -> list[Release]:
    zone = ZoneInfo(workspace.time_zone)
    releases = Release.objects.filter(
        workspace=workspace,
        released_at__gte=moment(period.since, zone),
        released_at__lt=moment(period.until, zone),
    )
    if major_only:
        releases = releases.filter(major=True)
    return list(releases.order_by("released_at"))


@dataclass(frozen=True)
class Segment:
    value: str | None
    summary: Summary
    versus_rest: Comparison
    small: bool
    share_of_responses: float

    @property
    def label(self) -> str:
        return "(none)" if self.value is None else self.value


DIMENSIONS = {
    "channel": "Channel",
    "wave": "Programme wave",
    "plan": "Plan",
    "region": "Region",
    "role": "Role",
    "account": "Account",
    "signup_month": "Signup cohort (month)",
    "signup_quarter": "Signup cohort (quarter)",
}


def check_dimension(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 100 or name in ("day", "week", "month", "quarter", "survey"):
        raise InvalidInput(
            {
                "by": f"must be one of {', '.join(DIMENSIONS)} or a contact property name, "
                f"got {name!r}"
            }
        )
    return name


def segments(
    workspace: Workspace, filters: Filters, by: str, *, small: int | None = None
) -> tuple[Summary, list[Segment]]:
    """Every value of a dimension with its NPS, compared with all the other responses
    together; sorted best first, empty groups last. Groups under `small` responses (the
    workspace's setting unless given) are marked unreliable."""
    by = check_dimension(by)
    small = workspace.small_group_n if small is None else small
    groups = compute_metrics(workspace, filters.query(group_by=[by]))
    total = Histogram.empty()
    for _, h in groups:
        total = total + h
    rows = []
    for group, h in groups:
        rest = Histogram(tuple(a - b for a, b in zip(total.bins, h.bins, strict=True)))
        rows.append(
            Segment(
                group[by],
                summarize(h),
                compare(h, rest),
                h.n < small,
                h.n / total.n if total.n else 0.0,
            )
        )
    rows.sort(key=lambda s: (s.summary.nps_exact is None, -(s.summary.nps_exact or 0), s.label))
    return summarize(total), rows


@dataclass(frozen=True)
class CohortChange:
    release: Release
    before: Summary
    after: Summary
    comparison: Comparison
    change: str


@dataclass
class CohortRow:
    cohort: str | None
    changes: list[CohortChange | None] = field(default_factory=list)


def cohorts_by_release(
    workspace: Workspace, filters: Filters, *, cohort: str = "signup_quarter", window: int = 30
) -> tuple[list[Release], list[CohortRow]]:
    """For each signup cohort, NPS in the `window` days before each major release of the
    period against the `window` days after it."""
    if cohort not in COHORT_GROUPS:
        raise InvalidInput({"cohort": f"must be one of {', '.join(COHORT_GROUPS)}, got {cohort!r}"})
    if not 7 <= window <= 180:
        raise InvalidInput({"window": f"must be 7 to 180 days, got {window}"})
    releases = releases_in(workspace, filters.period, major_only=True)
    zone = ZoneInfo(workspace.time_zone)
    table: dict[str | None, list[CohortChange | None]] = defaultdict(lambda: [None] * len(releases))
    for index, release in enumerate(releases):
        day = release.released_at.astimezone(zone).date()
        before = Period("custom", day - timedelta(days=window), day)
        after = Period("custom", day, day + timedelta(days=window))
        earlier = dict(grouped(workspace, filters.query(before, [cohort]), cohort))
        later = dict(grouped(workspace, filters.query(after, [cohort]), cohort))
        for key in earlier.keys() | later.keys():
            h1, h2 = later.get(key, Histogram.empty()), earlier.get(key, Histogram.empty())
            comparison = compare(h1, h2)
            table[key][index] = CohortChange(
                release, summarize(h2), summarize(h1), comparison, change_text(comparison)
            )
    rows = [CohortRow(key, table[key]) for key in sorted(table, key=lambda k: (k is None, k or ""))]
    return releases, rows


def grouped(
    workspace: Workspace, query: MetricsQuery, name: str
) -> list[tuple[str | None, Histogram]]:
    """The histogram of each value of one group_by dimension."""
    return [(group[name], h) for group, h in compute_metrics(workspace, query)]
