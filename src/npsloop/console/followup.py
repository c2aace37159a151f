"""The follow-up tab: how the workspace closes the loop (cases opened, contacted in time,
time to contact and to resolution, backlog, outcomes) and whether contacted detractors
answer better next time. The numbers come from insights/followup.py and recovery.py."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from npsloop.console.backlog_chart import backlog_chart
from npsloop.console.dashboard import SUMMARY_HEADER, Page, summary_cells
from npsloop.errors import InvalidInput
from npsloop.insights.case_scope import UNASSIGNED, CaseScope, resolve_scope
from npsloop.insights.followup import FollowUp, Tally, follow_up
from npsloop.insights.recovery import Recovery, recovery
from npsloop.loop.models import Team
from npsloop.workspaces.models import Member

TABLES = ("owners", "teams", "categories", "backlog", "outcomes", "recovery")


@login_required
def followup(request: HttpRequest, slug: str) -> HttpResponse:
    page = Page(request, slug, "dash-followup")
    params = {key: request.GET.get(key, "") for key in ("owner", "team")}
    try:
        scope = resolve_scope(page.workspace, page.filters, params)
    except InvalidInput as error:
        page.errors.update(error.errors)
        scope = CaseScope(page.filters)
    data = follow_up(page.workspace, scope)
    recovered = recovery(page.workspace, scope)
    if page.csv:
        return _csv(page, data, recovered, request.GET.get("table") or "owners")
    members = Member.objects.filter(workspace=page.workspace).select_related("user")
    return page.render(
        "console/dashboard/followup.html",
        {
            "data": data,
            "recovery": recovered,
            "chart": backlog_chart(data.backlog),
            "median_first_contact": spoken(data.median_first_contact),
            "median_resolution": spoken(data.median_resolution),
            "members": sorted(members, key=lambda m: _name(m).casefold()),
            "teams": Team.objects.filter(workspace=page.workspace).order_by("name"),
            "unassigned": UNASSIGNED,
            "scope": scope,
            "scope_query": page.query_string(**scope.params()),
            "extra_params": scope.params(),
            "recovery_rows": [
                ("contacted before they answered again", recovered.contacted),
                ("not contacted before they answered again", recovered.not_contacted),
            ],
            "breakdowns": [
                ("By owner", data.by_owner, "owners"),
                ("By team", data.by_team, "teams"),
                ("By category", data.by_category, "categories"),
            ],
        },
    )


def _name(member: Member) -> str:
    return member.user.get_full_name().strip() or member.user.email or member.user.get_username()


def spoken(took: timedelta | None) -> str:
    """A duration as people say it: "3 h 20 min", "2 d 4 h", "45 min"."""
    if took is None:
        return "\u2013"
    minutes = round(took.total_seconds() / 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"


TALLY_HEADER = [
    "opened",
    "decided",
    "contacted_in_time",
    "contacted_in_time_percent",
    "contacted",
    "resolved",
    "open_now",
    "overdue_now",
    "small",
]


def _tally_cells(tally: Tally) -> list[object]:
    return [
        tally.opened,
        tally.decided,
        tally.in_time,
        tally.in_time_percent,
        tally.contacted,
        tally.resolved,
        tally.open_now,
        tally.overdue_now,
        tally.small,
    ]


def _csv(page: Page, data: FollowUp, recovered: Recovery, table: str) -> HttpResponse:
    """Each table of the tab as its own CSV (`table=`), the owners by default."""
    if table not in TABLES:
        page.errors["table"] = f"must be one of {', '.join(TABLES)}, got {table!r}"
    rows: list[list[Any]]
    if table == "backlog":
        rows = [
            [p.label, p.start, p.end - timedelta(days=1), p.backlog, p.overdue]
            for p in data.backlog
        ]
        return page.csv_response(
            "case-backlog", ["bucket", "since", "until", "open", "overdue"], rows
        )
    if table == "outcomes":
        rows = [[name, n] for name, n in data.outcomes]
        rows.append(["(ended without an outcome)", data.without_outcome])
        return page.csv_response("case-outcomes", ["outcome", "cases"], rows)
    if table == "recovery":
        c = recovered.comparison
        return page.csv_response(
            "detractor-recovery",
            [
                "group",
                *SUMMARY_HEADER,
                "difference",
                "difference_ci_low",
                "difference_ci_high",
                "p_value",
                "verdict",
            ],
            [
                [
                    "contacted before answering again",
                    *summary_cells(recovered.contacted),
                    c.difference,
                    c.ci_low,
                    c.ci_high,
                    c.p_value,
                    recovered.verdict,
                ],
                ["not contacted before answering again", *summary_cells(recovered.not_contacted)],
            ],
        )
    tallies = {"teams": data.by_team, "categories": data.by_category}.get(table, data.by_owner)
    name = {"teams": "team", "categories": "category"}.get(table, "owner")
    return page.csv_response(
        f"cases-by-{name}",
        [name, *TALLY_HEADER],
        [[t.label, *_tally_cells(t)] for t in [*tallies, data.total]],
    )
