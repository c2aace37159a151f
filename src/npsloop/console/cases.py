"""The case page: the response in its person's context, with the case's actions (owner,
status, outcome, due time, priority, tags, notes, a reply by email) and its history.

Every form that changes the case carries the version it was rendered from: an edit made
from an older page is refused with who changed the case and when, never written over
their change. Each action redirects back on success (so a reload posts nothing twice) and
answers the POST itself with the problem when refused.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from npsloop.console import tags_and_notes
from npsloop.console.access import EDITORS, workspace_for
from npsloop.console.case_history import timeline
from npsloop.errors import InvalidInput
from npsloop.insights import explorer
from npsloop.loop import cases, replies
from npsloop.loop.models import Case, CaseActivity, Outcome, Priority
from npsloop.loop.routing import WORKERS
from npsloop.workspaces.models import Member, Workspace

FORBIDDEN = (
    "Viewers see cases; only editors, admins and owners work them. "
    "Ask an admin of this workspace for the editor role."
)
DUE_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends


class Refused(Exception):
    """An action refused with a message for the person and the HTTP status that says why."""

    def __init__(self, message: str, status: int) -> None:
        self.status = status
        super().__init__(message)


@login_required
@require_http_methods(["GET", "POST"])
def case_page(request: HttpRequest, slug: str, case_id: int) -> HttpResponse:
    workspace, role = workspace_for(request.user, slug)
    case = _case(workspace, case_id)
    errors: dict[str, str] = {}
    problem = ""
    status = 200
    if request.method == "POST":
        if role not in EDITORS:
            return HttpResponseForbidden(FORBIDDEN)
        user = request.user
        assert isinstance(user, User)  # login_required let only signed-in users in
        name = request.POST.get("action", "")
        try:
            done = _act(request, name, workspace, case, user)
        except InvalidInput as error:
            errors, status = error.errors, 422
        except cases.StaleCase as error:
            problem, status = stale_message(error.current, workspace), 409
        except cases.StatusNotAllowed as error:
            problem, status = str(error).capitalize() + ".", 409
        except replies.ReplyNotSent as error:
            problem, status = str(error), 502
        else:
            return redirect(f"{request.path}?done={done}#{done}")
        case = _case(workspace, case_id)
    return render(
        request,
        "console/case.html",
        _context(request, workspace, role, case, errors, problem),
        status=status,
    )


def _case(workspace: Workspace, case_id: int) -> Case:
    case = (
        Case.objects.filter(workspace=workspace, pk=case_id)
        .select_related(
            "workspace", "owner__user", "team", "outcome", "contact", "response__survey"
        )
        .first()
    )
    if case is None:
        raise Http404("no such case")
    return case


def _act(request: HttpRequest, name: str, workspace: Workspace, case: Case, user: User) -> str:
    """Do the action the form names; returns the part of the page to come back to."""
    if name in tags_and_notes.ACTIONS:
        tags_and_notes.ACTIONS[name](request, case.response, user)
        return "notes" if name == "add_note" else "tags"
    action = CASE_ACTIONS.get(name)
    if action is None:
        known = ", ".join([*CASE_ACTIONS, *tags_and_notes.ACTIONS])
        raise InvalidInput({"action": f"must be one of {known}, got {name!r}"})
    action(request, workspace, case, user, _version(request))
    return "reply" if name == "reply" else "case"


def _version(request: HttpRequest) -> int:
    value = request.POST.get("version", "")
    if not (value.isascii() and value.isdigit()):
        raise InvalidInput({"version": "must be the case version the page showed (reload it)"})
    return int(value)


def _assign(request: HttpRequest, ws: Workspace, case: Case, user: User, version: int) -> None:
    value = request.POST.get("owner", "")
    owner: Member | None = None
    if value == "me":
        owner = Member.objects.filter(workspace=ws, user=user).first()
        if owner is None:
            raise InvalidInput({"owner": "you are not a member of this workspace"})
    elif value:
        if value.isascii() and value.isdigit():
            owner = Member.objects.filter(workspace=ws, pk=int(value)).first()
        if owner is None:
            raise InvalidInput({"owner": "must be a member of this workspace, me or nobody"})
    cases.assign(case, owner, by=cases.Actor.of(user), version=version)


def _move(request: HttpRequest, ws: Workspace, case: Case, user: User, version: int) -> None:
    cases.move(case, request.POST.get("status", ""), by=cases.Actor.of(user), version=version)


def _change(request: HttpRequest, ws: Workspace, case: Case, user: User, version: int) -> None:
    errors: dict[str, str] = {}
    outcome: Outcome | None = None
    value = request.POST.get("outcome", "")
    if value:
        if value.isascii() and value.isdigit():
            outcome = Outcome.objects.filter(workspace=ws, pk=int(value)).first()
        if outcome is None:
            names = ", ".join(o.name for o in Outcome.objects.filter(workspace=ws, is_active=True))
            errors["outcome"] = f"must be one of this workspace's outcomes ({names}) or none"
    zone = ZoneInfo(ws.time_zone)
    due: datetime | None = None
    given = request.POST.get("due", "")
    # The page shows the due time to the minute: the same minute sent back is no change.
    if given != timezone.localtime(case.due_at, zone).strftime(DUE_FORMAT):
        try:
            due = datetime.strptime(given, DUE_FORMAT).replace(tzinfo=zone)
        except ValueError:
            errors["due"] = f"must be a date and time like 2026-03-01T14:30, got {given!r}"
    if errors:
        raise InvalidInput(errors)
    cases.change(
        case,
        by=cases.Actor.of(user),
        version=version,
        outcome=outcome,
        clear_outcome=outcome is None,
        due=due,
        priority=request.POST.get("priority", ""),
    )


def _reply(request: HttpRequest, ws: Workspace, case: Case, user: User, version: int) -> None:
    member = Member.objects.filter(workspace=ws, user=user).select_related("user").first()
    if member is None:
        raise InvalidInput({"from": "only a member of this workspace can reply in its name"})
    replies.reply(
        case,
        member=member,
        subject=request.POST.get("subject", ""),
        body=request.POST.get("body", ""),
        version=version,
    )


CASE_ACTIONS: dict[str, Callable[[HttpRequest, Workspace, Case, User, int], None]] = {
    "assign": _assign,
    "move": _move,
    "change": _change,
    "reply": _reply,
}


def stale_message(current: Case, workspace: Workspace) -> str:
    """ "Cora changed this case at 14:02 — reload to see it", in the workspace's time."""
    last = CaseActivity.objects.filter(case=current).order_by("-at", "-pk").first()
    who = last.actor_name if last else "Someone"
    when = timezone.localtime(current.updated_at, ZoneInfo(workspace.time_zone))
    today = timezone.localtime(timezone.now(), ZoneInfo(workspace.time_zone)).date()
    at = f"{when:%H:%M}" if when.date() == today else f"{when:%H:%M} on {when:%d %b %Y}"
    return f"{who} changed this case at {at} — reload to see it, then make your change again."


def _context(
    request: HttpRequest,
    workspace: Workspace,
    role: str,
    case: Case,
    errors: dict[str, str],
    problem: str,
) -> dict[str, Any]:
    response_context = explorer.response_context(workspace, case.response_id)
    assert response_context is not None  # the case's response is in its workspace
    members = list(
        Member.objects.filter(workspace=workspace, role__in=WORKERS)
        .select_related("user")
        .order_by("user__first_name", "user__username")
    )
    me = next((m for m in members if m.user_id == request.user.pk), None)
    outcomes = [
        o
        for o in Outcome.objects.filter(workspace=workspace)
        if o.is_active or o.pk == case.outcome_id
    ]
    can_work = role in EDITORS
    reachable = replies.reachable(case)
    subject, body = replies.draft(case, me) if me is not None else ("", "")
    posted = request.POST if request.method == "POST" else {}
    return {
        "workspace": workspace,
        "role": role,
        "can_work": can_work,
        "case": case,
        "context": response_context,
        "response": response_context.response,
        "contact": response_context.contact,
        "back": "",
        "query": "",
        "members": members,
        "me": me,
        "next_statuses": cases.NEXT_STATUSES[case.status],
        "outcomes": outcomes,
        "priorities": Priority.choices,
        "due_value": timezone.localtime(case.due_at, ZoneInfo(workspace.time_zone)).strftime(
            DUE_FORMAT
        ),
        "overdue": case.is_open and case.due_at < timezone.now(),
        "other_cases": Case.objects.filter(workspace=workspace, contact_id=case.contact_id)
        .exclude(pk=case.pk)
        .select_related("owner__user", "response")
        .order_by("-opened_at")
        if case.contact_id
        else [],
        "history": timeline(case),
        "reachable": reachable,
        "thread": replies.survey_ask(case) is not None,
        "subject": posted.get("subject", subject),
        "body": posted.get("body", body) if posted.get("action") == "reply" else body,
        "can_reply": can_work and me is not None and not reachable.why_not,
        "errors": errors,
        "problem": problem,
        "done": request.GET.get("done", "") if request.method == "GET" else "",
        "posted_note": posted.get("body", "") if posted.get("action") == "add_note" else "",
        **tags_and_notes.annotations_context(case.response),
    }
