"""The dashboard pages: overview, trend, segments and cohorts by releases (the accounts
pages are in console/accounts.py).

Every page reads its filters from the URL (so a link shares exactly what one sees), renders
numbers from `npsloop.insights.dashboard`, and answers `?format=csv` with its table.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify

from npsloop.console import charts, trend_chart
from npsloop.console.access import EDITORS, workspace_for
from npsloop.errors import InvalidInput
from npsloop.insights import dashboard
from npsloop.insights import filters as periods
from npsloop.insights.metrics import COHORT_GROUPS
from npsloop.stats import Summary
from npsloop.surveys.annotations import tag_list
from npsloop.surveys.models import Channel, Survey

TABS = (
    ("dash-overview", "Overview"),
    ("dash-trend", "Trend"),
    ("dash-segments", "Segments"),
    ("dash-cohorts", "Cohorts \u00d7 releases"),
    ("dash-accounts", "Accounts"),
    ("dash-responses", "Responses"),
    ("dash-followup", "Follow-up"),
)


class Page:
    """What every dashboard page shares: the workspace, the member's role, the filters
    (or the errors in them) and the links that keep the filters."""

    def __init__(self, request: HttpRequest, slug: str, tab: str) -> None:
        self.request = request
        self.workspace, self.role = workspace_for(request.user, slug)
        self.tab = tab
        self.today = periods.today_in(self.workspace)
        self.errors: dict[str, str] = {}
        params = {key: request.GET.get(key, "") for key in request.GET}
        try:
            self.filters = periods.resolve_filters(self.workspace, params, self.today)
        except InvalidInput as error:
            self.errors = dict(error.errors)
            self.filters = periods.resolve_filters(self.workspace, {}, self.today)
        self.csv = request.GET.get("format") == "csv"

    def query_string(self, **extra: str) -> str:
        params = self.filters.params()
        params.update({k: v for k, v in extra.items() if v})
        return urlencode(params)

    def render(self, template: str, context: dict[str, Any]) -> HttpResponse:
        surveys = Survey.objects.filter(workspace=self.workspace).order_by("name")
        base = {
            "workspace": self.workspace,
            "role": self.role,
            "can_edit": self.role in EDITORS,
            "tab": self.tab,
            "tabs": TABS,
            "filters": self.filters,
            "errors": self.errors,
            "surveys": surveys,
            "periods": periods.PERIODS,
            "channels": Channel.values,
            "tags": tag_list(self.workspace),
            "query": self.query_string(),
            "csv_query": self.query_string(**self.extra_params(context), format="csv"),
        }
        base.update(context)
        status = 400 if self.errors else 200
        return render(self.request, template, base, status=status)

    def extra_params(self, context: dict[str, Any]) -> dict[str, str]:
        return {k: str(v) for k, v in context.get("extra_params", {}).items()}

    def csv_response(
        self, name: str, header: Sequence[str], rows: Iterable[Sequence[object]]
    ) -> HttpResponse:
        if self.errors:
            problems = "; ".join(f"{k}: {v}" for k, v in self.errors.items())
            return HttpResponse(problems, status=400, content_type="text/plain; charset=utf-8")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        period = self.filters.period
        filename = f"{self.workspace.slug}-{name}-{period.since}-{period.last_day}.csv"
        response["Content-Disposition"] = f'attachment; filename="{slugify(filename[:-4])}.csv"'
        writer = csv.writer(response)
        writer.writerow(header)
        for row in rows:
            writer.writerow([_cell(value) for value in row])
        return response


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        # Spreadsheets run such cells as formulas; a leading quote keeps them text.
        return "'" + value
    return value


SUMMARY_HEADER = [
    "n",
    "nps",
    "ci_low",
    "ci_high",
    "promoter_percent",
    "passive_percent",
    "detractor_percent",
]


def summary_cells(s: Summary) -> list[object]:
    return [
        s.n,
        s.nps,
        s.ci_low,
        s.ci_high,
        s.promoter_percent,
        s.passive_percent,
        s.detractor_percent,
    ]


@login_required
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    page = Page(request, slug, "dash-overview")
    data = dashboard.overview(page.workspace, page.filters)
    if page.csv:
        return _overview_csv(page, data, request.GET.get("table") or "summary")
    s = data.summary
    return page.render(
        "console/dashboard/overview.html",
        {
            "data": data,
            "share_bar": charts.share_bar(s.promoters, s.passives, s.detractors),
            "histogram_chart": charts.histogram_chart(list(data.histogram.bins)),
            "histogram_rows": _histogram_rows(data.histogram.bins),
        },
    )


OVERVIEW_TABLES = ("summary", "histogram", "funnel", "benchmarks")


def _overview_csv(page: Page, data: dashboard.Overview, table: str) -> HttpResponse:
    """Each table of the overview as its own CSV (`table=`), the summary by default."""
    if table not in OVERVIEW_TABLES:
        page.errors["table"] = f"must be one of {', '.join(OVERVIEW_TABLES)}, got {table!r}"
    if table == "histogram":
        return page.csv_response(
            "scores",
            ["score", "responses", "percent"],
            _histogram_rows(data.histogram.bins),
        )
    if table == "funnel":
        return page.csv_response(
            "response-rate",
            [
                "channel",
                "asked",
                "delivered_or_displayed",
                "responded",
                "commented",
                "response_rate",
                *SUMMARY_HEADER,
            ],
            (
                [
                    row.channel,
                    row.funnel.asked,
                    row.funnel.delivered,
                    row.funnel.responded,
                    row.funnel.commented,
                    row.funnel.response_rate,
                    *summary_cells(row.summary),
                ]
                for row in data.funnels
            ),
        )
    if table == "benchmarks":
        rows = [
            [b.name, b.nps, b.source, b.comparison.difference, b.comparison.p_value, b.text]
            for b in data.benchmarks
        ]
        rows.append(
            [
                "previous period",
                data.previous.nps_exact,
                f"{data.previous_period.since} to {data.previous_period.last_day}",
                data.comparison.difference,
                data.comparison.p_value,
                data.change,
            ]
        )
        return page.csv_response(
            "benchmarks", ["reference", "nps", "source", "difference", "p_value", "verdict"], rows
        )
    summary_rows: list[list[object]] = [
        [
            "period",
            page.filters.period.since,
            page.filters.period.last_day,
            *summary_cells(data.summary),
        ],
        [
            "previous period",
            data.previous_period.since,
            data.previous_period.last_day,
            *summary_cells(data.previous),
        ],
    ]
    return page.csv_response("overview", ["row", "since", "until", *SUMMARY_HEADER], summary_rows)


def _histogram_rows(bins: Sequence[int]) -> list[tuple[int, int, float]]:
    total = sum(bins)
    return [
        (score, count, 100 * count / total if total else 0.0) for score, count in enumerate(bins)
    ]


@login_required
def trend(request: HttpRequest, slug: str) -> HttpResponse:
    page = Page(request, slug, "dash-trend")
    grain = request.GET.get("grain") or "month"
    if grain not in dashboard.GRAINS:
        page.errors["grain"] = f"must be one of {', '.join(dashboard.GRAINS)}, got {grain!r}"
        grain = "month"
    buckets = dashboard.trend(page.workspace, page.filters, grain)
    releases = dashboard.releases_in(page.workspace, page.filters.period)
    if page.csv:
        return page.csv_response(
            "trend",
            ["bucket", "since", "until", *SUMMARY_HEADER],
            (
                [b.label, b.start, b.end - timedelta(days=1), *summary_cells(b.summary)]
                for b in buckets
            ),
        )
    zone = ZoneInfo(page.workspace.time_zone)
    markers = [
        trend_chart.Marker(r.released_at.astimezone(zone).date(), r.name)
        for r in releases
        if r.major
    ]
    return page.render(
        "console/dashboard/trend.html",
        {
            "grain": grain,
            "grains": dashboard.GRAINS,
            "buckets": buckets,
            "releases": releases,
            "chart": trend_chart.trend_chart(trend_points(buckets), markers),
            "extra_params": {"grain": grain},
        },
    )


@login_required
def segments(request: HttpRequest, slug: str) -> HttpResponse:
    page = Page(request, slug, "dash-segments")
    by = (request.GET.get("by") or "channel").strip()
    small = page.workspace.small_group_n
    raw_small = request.GET.get("min_n") or ""
    if raw_small:
        if raw_small.isdigit() and 1 <= int(raw_small) <= 100_000:
            small = int(raw_small)
        else:
            page.errors["min_n"] = f"must be a whole number from 1 to 100000, got {raw_small!r}"
    try:
        total, rows = dashboard.segments(page.workspace, page.filters, by, small=small)
    except InvalidInput as error:
        page.errors.update(error.errors)
        by = "channel"
        total, rows = dashboard.segments(page.workspace, page.filters, by, small=small)
    if page.csv:
        return page.csv_response(
            f"segments-by-{by}",
            [by, *SUMMARY_HEADER, "difference_from_rest", "p_value", "significant", "small"],
            (
                [
                    row.value,
                    *summary_cells(row.summary),
                    row.versus_rest.difference,
                    row.versus_rest.p_value,
                    row.versus_rest.significant,
                    row.small,
                ]
                for row in rows
            ),
        )
    strips = [
        charts.interval_strip(
            row.summary.nps_exact,
            row.summary.ci_low,
            row.summary.ci_high,
            reference=total.nps_exact,
        )
        for row in rows
    ]
    return page.render(
        "console/dashboard/segments.html",
        {
            "by": by,
            "dimensions": dashboard.DIMENSIONS,
            "custom_dimension": by not in dashboard.DIMENSIONS,
            "total": total,
            "rows": list(zip(rows, strips, strict=True)),
            "small": small,
            "extra_params": {"by": by, "min_n": str(small) if raw_small else ""},
        },
    )


@login_required
def cohorts(request: HttpRequest, slug: str) -> HttpResponse:
    page = Page(request, slug, "dash-cohorts")
    cohort = request.GET.get("cohort") or "signup_quarter"
    raw_window = request.GET.get("window") or "30"
    window = 30
    if raw_window.isdigit() and 7 <= int(raw_window) <= 180:
        window = int(raw_window)
    else:
        page.errors["window"] = f"must be a number of days from 7 to 180, got {raw_window!r}"
    if cohort not in COHORT_GROUPS:
        page.errors["cohort"] = f"must be one of {', '.join(COHORT_GROUPS)}, got {cohort!r}"
        cohort = "signup_quarter"
    releases, rows = dashboard.cohorts_by_release(
        page.workspace, page.filters, cohort=cohort, window=window
    )
    if page.csv:
        out = []
        for row in rows:
            for change in row.changes:
                if change is None:
                    continue
                out.append(
                    [
                        row.cohort,
                        change.release.name,
                        change.release.released_at.date(),
                        *summary_cells(change.before),
                        *summary_cells(change.after),
                        change.comparison.difference,
                        change.comparison.p_value,
                        change.comparison.significant,
                    ]
                )
        header = [
            "cohort",
            "release",
            "released",
            *(f"before_{h}" for h in SUMMARY_HEADER),
            *(f"after_{h}" for h in SUMMARY_HEADER),
            "change",
            "p_value",
            "significant",
        ]
        return page.csv_response("cohorts", header, out)
    return page.render(
        "console/dashboard/cohorts.html",
        {
            "cohort": cohort,
            "cohort_choices": {"signup_month": "month", "signup_quarter": "quarter"},
            "window": window,
            "releases": releases,
            "rows": rows,
            "extra_params": {"cohort": cohort, "window": str(window)},
        },
    )


def trend_points(buckets: Sequence[dashboard.Bucket]) -> list[trend_chart.TrendPoint]:
    return [
        trend_chart.TrendPoint(
            b.label,
            b.start,
            b.end,
            b.summary.n,
            b.summary.nps_exact,
            b.summary.ci_low,
            b.summary.ci_high,
        )
        for b in buckets
    ]
