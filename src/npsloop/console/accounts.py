"""The dashboard's accounts pages: every account's NPS against the period before with
the accounts at risk, and one account's people, score and trend."""

from __future__ import annotations

from dataclasses import replace

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from npsloop.console import trend_chart
from npsloop.console.dashboard import SUMMARY_HEADER, Page, summary_cells, trend_points
from npsloop.contacts.models import Account
from npsloop.insights import accounts as account_figures
from npsloop.insights import dashboard
from npsloop.insights import filters as periods
from npsloop.stats import summarize


@login_required
def accounts(request: HttpRequest, slug: str) -> HttpResponse:
    page = Page(request, slug, "dash-accounts")
    rows = account_figures.accounts(page.workspace, page.filters)
    if page.csv:
        return page.csv_response(
            "accounts",
            [
                "account",
                "name",
                *SUMMARY_HEADER,
                "previous_nps",
                "previous_n",
                "change",
                "significant",
                "at_risk",
                "why",
            ],
            (
                [
                    r.external_id,
                    r.name,
                    *summary_cells(r.summary),
                    r.previous.nps,
                    r.previous.n,
                    r.comparison.difference,
                    r.comparison.significant,
                    r.at_risk,
                    r.risk_reason,
                ]
                for r in rows
            ),
        )
    return page.render(
        "console/dashboard/accounts.html",
        {
            "rows": rows[:500],
            "more": max(0, len(rows) - 500),
            "at_risk": [r for r in rows if r.at_risk],
        },
    )


@login_required
def account(request: HttpRequest, slug: str, account_id: int) -> HttpResponse:
    page = Page(request, slug, "dash-accounts")
    record = get_object_or_404(Account, workspace=page.workspace, pk=account_id)
    people = account_figures.account_people(page.workspace, record.pk, page.filters)
    if page.csv:
        return page.csv_response(
            f"account-{record.external_id}",
            ["contact", "email", "responses", "latest_score", "latest_at"],
            ([p.name, p.email, p.responses, p.latest_score, p.latest_at] for p in people),
        )
    mine = replace(page.filters, account_id=record.pk)
    year = replace(mine, period=periods.resolve_period("year", "", "", page.today))
    buckets = dashboard.trend(page.workspace, year, "month")
    return page.render(
        "console/dashboard/account.html",
        {
            "account": record,
            "people": people,
            "summary": summarize(dashboard.histogram(page.workspace, mine.query())),
            "chart": trend_chart.trend_chart(trend_points(buckets)),
        },
    )
