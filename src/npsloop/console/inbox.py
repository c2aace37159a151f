"""The cases inbox page: the tabs with their counts, the filters in the URL, one page of
cases, the CSV of every matching case, and the bulk actions editors take on the cases they
select (each case through its owner function; what was refused is reported per case)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.timesince import timesince, timeuntil
from django.views.decorators.http import require_http_methods

from npsloop.console import inbox_params
from npsloop.console.access import EDITORS, workspace_for
from npsloop.console.dashboard import _cell
from npsloop.console.responses import _Echo
from npsloop.errors import InvalidInput
from npsloop.insights import filters as periods
from npsloop.loop import bulk, inbox
from npsloop.loop.cases import Actor
from npsloop.loop.models import Case, CaseKind, CaseStatus, Team
from npsloop.loop.routing import WORKERS
from npsloop.surveys import annotations as tagging
from npsloop.surveys.models import Category, Survey
from npsloop.workspaces.models import Member, Workspace

PER_PAGE = 50
# Page numbers go this far; past it the filters (or the CSV) narrow better than paging.
MAX_PAGE = 200
MAX_SELECTED = PER_PAGE
ACTIONS = ("assign", "status", "add_tag", "remove_tag")


@dataclass(frozen=True)
class Row:
    """One case as its row shows it, with its names worked out here rather than in the
    template (fifty rows of template filters cost more than the queries)."""

    case: Case
    tags: list[str]
    due: str
    overdue: bool
    contact: str
    account: str
    owner: str

    @classmethod
    def of(cls, case: Case, tags: list[str], now: datetime) -> Row:
        contact, account = case.contact, case.account
        return cls(
            case,
            tags,
            _due_text(case, now),
            _overdue(case, now),
            (contact.name or contact.email or contact.external_id or "") if contact else "",
            (account.name or account.external_id) if account else "",
            member_name(case.owner) if case.owner else "",
        )


def member_name(member: Member) -> str:
    user = member.user
    return user.get_full_name() or user.email or user.get_username()


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def inbox_page(request: HttpRequest, slug: str) -> HttpResponseBase:
    workspace, role = workspace_for(request.user, slug)
    member_id = (
        Member.objects.filter(workspace=workspace, user=request.user)  # type: ignore[misc]
        .values_list("pk", flat=True)
        .first()
    )
    default_tab = "mine" if role in EDITORS else "all"
    wanted = inbox_params.read(request.GET, workspace, default_tab, periods.today_in(workspace))
    if request.GET.get("format") == "csv":
        return _export(workspace, wanted, member_id)
    outcome: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        if role not in EDITORS:
            return HttpResponse(
                "Viewers read cases; only editors, admins and owners change them. "
                "Ask an admin of this workspace for the editor role.",
                status=403,
                content_type="text/plain; charset=utf-8",
            )
        outcome = _bulk(request, workspace)
        if "problems" in outcome:
            status = 422
    return _render(request, workspace, role, member_id, wanted, outcome, status)


def _render(
    request: HttpRequest,
    workspace: Workspace,
    role: str,
    member_id: int | None,
    wanted: inbox_params.Wanted,
    outcome: dict[str, Any],
    status: int,
) -> HttpResponse:
    now = timezone.now()
    counts = inbox.tab_counts(workspace, wanted.criteria, member_id, now)
    total = counts[wanted.tab]
    pages = max(1, min(MAX_PAGE, -(-total // PER_PAGE)))
    number = wanted.page
    if number > pages:
        wanted.errors["page"] = (
            f"must be from 1 to {pages}: {total} cases match, {PER_PAGE} a page"
            + (f", and pages stop at {MAX_PAGE}" if pages == MAX_PAGE else "")
            + f"; got {number}"
        )
        number = 1
    cases = inbox.in_tab(workspace, wanted.criteria, wanted.tab, member_id, wanted.sort, now)
    page = inbox.page_of(cases, (number - 1) * PER_PAGE, PER_PAGE)
    tags = inbox.tags_by_response(case.response_id for case in page)
    rows = [Row.of(case, tags.get(case.response_id, []), now) for case in page]
    members = [
        (member.pk, member_name(member), member.role in WORKERS)
        for member in Member.objects.filter(workspace=workspace)
        .select_related("user")
        .order_by("user__first_name", "user__email")
    ]
    here = wanted.query(page=str(number) if number > 1 else "")
    context = {
        "workspace": workspace,
        "role": role,
        "can_edit": role in EDITORS,
        "wanted": wanted,
        "raw": wanted.raw,
        "errors": wanted.errors,
        "tabs": [
            (key, label, counts[key], wanted.query(tab=key, page=""))
            for key, label in inbox.TABS.items()
        ],
        "sorts": list(inbox.SORTS.items()),
        "rows": rows,
        "total": total,
        "number": number,
        "pages": pages,
        "first": (number - 1) * PER_PAGE + 1,
        "last": (number - 1) * PER_PAGE + len(rows),
        "here": here,
        "previous_query": wanted.query(page=str(number - 1) if number > 2 else "")
        if number > 1
        else None,
        "next_query": wanted.query(page=str(number + 1)) if number < pages else None,
        "csv_query": wanted.query(format="csv"),
        "statuses": CaseStatus.choices,
        "categories": Category.values,
        "kinds": CaseKind.choices,
        "surveys": Survey.objects.filter(workspace=workspace).order_by("name"),
        "members": members,
        "teams": Team.objects.filter(workspace=workspace).order_by("name"),
        "tags": tagging.tag_list(workspace),
        "periods": periods.PERIODS,
        **outcome,
    }
    if wanted.errors and status == 200:
        status = 400
    return render(request, "console/inbox.html", context, status=status)


def _due_text(case: Case, now: datetime) -> str:
    if case.due_at >= now:
        return f"in {timeuntil(case.due_at, now, depth=1)}"
    return f"{timesince(case.due_at, now, depth=1)} ago"


def _overdue(case: Case, now: datetime) -> bool:
    return case.status == CaseStatus.OPEN and case.due_at < now


def _bulk(request: HttpRequest, workspace: Workspace) -> dict[str, Any]:
    """Read the bulk form, check every part of it before any case changes, then make the
    change one case at a time. Another workspace's case is no case here: 404."""
    form = request.POST
    problems: dict[str, str] = {}
    raw_ids = form.getlist("case")
    if not raw_ids:
        problems["case"] = "select at least one case"
    elif len(raw_ids) > MAX_SELECTED:
        problems["case"] = f"select at most {MAX_SELECTED} cases at once, got {len(raw_ids)}"
    elif not all(value.isascii() and value.isdigit() and len(value) < 19 for value in raw_ids):
        problems["case"] = "must be case numbers"
    action = form.get("action", "")
    if action not in ACTIONS:
        problems["action"] = f"must be one of {', '.join(ACTIONS)}, got {action!r}"
    if problems:
        return {"problems": problems}
    ids = {int(value) for value in raw_ids}
    cases = list(
        Case.objects.filter(workspace=workspace, pk__in=ids)
        .select_related("response", "owner__user")
        .order_by("pk")
    )
    if len(cases) != len(ids):
        raise Http404("no such case in this workspace")
    by = Actor.of(request.user)  # type: ignore[arg-type]
    try:
        result = _apply(workspace, action, form.get(action, "").strip(), cases, by)
    except InvalidInput as error:
        return {"problems": error.errors}
    return {"result": result, "action": action}


def _apply(
    workspace: Workspace, action: str, value: str, cases: list[Case], by: Actor
) -> bulk.BulkResult:
    if action == "assign":
        member = None
        if value:
            member = (
                Member.objects.filter(workspace=workspace, pk=value).select_related("user").first()
                if value.isascii() and value.isdigit() and len(value) < 19
                else None
            )
            if member is None:
                raise InvalidInput({"assign": f"no member {value!r} in this workspace"})
            if member.role not in WORKERS:
                raise InvalidInput(
                    {"assign": "must be a member who works cases (editor, admin or owner)"}
                )
        return bulk.assign_all(cases, member, by=by)
    if action == "status":
        if value not in CaseStatus.values:
            raise InvalidInput(
                {"status": f"must be one of {', '.join(CaseStatus.values)}, got {value!r}"}
            )
        return bulk.move_all(cases, value, by=by)
    tags = tagging.tags_named(workspace, [value])
    if action == "add_tag":
        return bulk.tag_all(cases, add=tags, by=by)
    return bulk.tag_all(cases, remove=tags, by=by)


def _export(
    workspace: Workspace, wanted: inbox_params.Wanted, member_id: int | None
) -> HttpResponseBase:
    """Every case of the tab and filters, not only one page, streamed as it is read."""
    if wanted.errors:
        problems = "; ".join(f"{k}: {v}" for k, v in wanted.errors.items())
        return HttpResponse(problems, status=400, content_type="text/plain; charset=utf-8")
    cases = inbox.in_tab(workspace, wanted.criteria, wanted.tab, member_id, wanted.sort)
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(inbox.EXPORT_HEADER)
        for row in inbox.export_rows(cases):
            yield writer.writerow([_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    name = slugify(f"{workspace.slug}-cases-{wanted.tab}-{periods.today_in(workspace)}")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
