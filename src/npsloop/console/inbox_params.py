"""The inbox's URL parameters read into what to show: the tab, the filters, the order and
the page. A bad parameter is named with what it accepts and left out, never a 500."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.http import QueryDict

from npsloop.contacts.models import Account
from npsloop.errors import InvalidInput
from npsloop.insights import filters as periods
from npsloop.insights.metrics import moment
from npsloop.loop import inbox
from npsloop.loop.models import CaseKind, CaseStatus, Team
from npsloop.surveys.models import Category, Survey
from npsloop.workspaces.models import Member, Workspace

ANY_STATUS = "any"
# The filters, in the order the URL keeps them; `since`/`until` belong to a custom period.
FILTERS = (
    "status",
    "category",
    "kind",
    "survey",
    "owner",
    "team",
    "account",
    "tag",
    "period",
    "since",
    "until",
)
MAX_TEXT = 200


@dataclass
class Wanted:
    """What the URL asks for, read: `params` reproduce it (bad values left out), `raw`
    holds what each parameter said (to show it back in the form), `errors` what was wrong."""

    tab: str
    sort: str
    page: int
    criteria: inbox.Criteria
    period: periods.Period | None
    params: dict[str, str] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def query(self, **changes: str) -> str:
        """The URL query of this view with some parameters changed (empty: dropped)."""
        params = {**self.params, "tab": self.tab, "sort": self.sort, **changes}
        if params.get("sort") == "due":
            params.pop("sort")
        return urlencode({k: v for k, v in params.items() if v})


def read(query: QueryDict, workspace: Workspace, default_tab: str, today: date) -> Wanted:
    raw = {name: query.get(name, "").strip() for name in (*FILTERS, "tab", "sort", "page")}
    errors: dict[str, str] = {}
    chosen: dict[str, object] = {}

    def fail(name: str, problem: str) -> None:
        errors[name] = problem

    tab = raw["tab"] or default_tab
    if tab not in inbox.TABS:
        fail("tab", f"must be one of {', '.join(inbox.TABS)}, got {tab!r}")
        tab = default_tab
    sort = raw["sort"] or "due"
    if sort not in inbox.SORTS:
        fail("sort", f"must be one of {', '.join(inbox.SORTS)}, got {sort!r}")
        sort = "due"
    page = 1
    if raw["page"]:
        if raw["page"].isascii() and raw["page"].isdigit() and int(raw["page"]) >= 1:
            page = int(raw["page"])
        else:
            fail("page", f"must be a page number (1, 2, …), got {raw['page']!r}")

    statuses: tuple[str, ...] = inbox.WORKING
    if status := raw["status"]:
        if status == ANY_STATUS:
            statuses = tuple(CaseStatus.values)
        elif status in CaseStatus.values:
            statuses = (status,)
        else:
            fail(
                "status",
                f"must be one of {', '.join(CaseStatus.values)} or {ANY_STATUS}, got {status!r}",
            )
    for name, values in (("category", Category.values), ("kind", CaseKind.values)):
        if value := raw[name]:
            if value in values:
                chosen[name] = value
            else:
                fail(name, f"must be one of {', '.join(values)}, got {value!r}")

    def one_of(name: str, rows: QuerySet[Any], what: str) -> None:
        value = raw[name]
        if not value:
            return
        found = value.isascii() and value.isdigit() and rows.filter(pk=int(value)).exists()
        if found:
            chosen[f"{name}_id"] = int(value)
        else:
            fail(name, f"no {what} {value!r} in this workspace; choose one from the list")

    one_of("survey", Survey.objects.filter(workspace=workspace), "survey")
    one_of("owner", Member.objects.filter(workspace=workspace), "member")
    one_of("team", Team.objects.filter(workspace=workspace), "team")
    if account := raw["account"]:
        found_id = (
            Account.objects.filter(workspace=workspace, external_id=account)
            .values_list("pk", flat=True)
            .first()
            if len(account) <= MAX_TEXT
            else None
        )
        if found_id is None:
            fail("account", f"no account with the id {account[:MAX_TEXT]!r} in this workspace")
        else:
            chosen["account_id"] = found_id
    if name := raw["tag"]:
        tag = inbox.known_tag(workspace, name) if len(name) <= MAX_TEXT else None
        if tag is None:
            fail("tag", f"no tag {name[:MAX_TEXT]!r} in this workspace; choose one from the list")
        else:
            chosen["tag_id"] = tag.pk

    period = None
    if raw["period"]:
        try:
            period = periods.resolve_period(raw["period"], raw["since"], raw["until"], today)
        except InvalidInput as error:
            errors.update(error.errors)
    if period is not None:
        zone = ZoneInfo(workspace.time_zone)
        chosen["opened_since"] = moment(period.since, zone)
        chosen["opened_until"] = moment(period.until, zone)

    custom = period is not None and period.key == "custom"
    params = {name: raw[name] for name in FILTERS if raw[name] and name not in errors}
    for name in ("period", "since", "until"):
        if period is None or (name != "period" and not custom):
            params.pop(name, None)
    criteria = inbox.Criteria(statuses=statuses, **chosen)  # type: ignore[arg-type]
    return Wanted(tab, sort, page, criteria, period, params, raw, errors)
