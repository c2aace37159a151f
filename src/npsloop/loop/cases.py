"""The owner of every case change: opened by the rules, assigned, moved, changed, overdue.

Each change writes its event (case.*) and its line of the case's history in the change's
own transaction, and raises the case's version: an edit made from an older version is a
conflict, never a silent overwrite of someone else's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from npsloop.errors import InvalidInput
from npsloop.events.log import Change, record
from npsloop.events.models import EventType
from npsloop.loop.alerts import alert_opened, queue_alerts
from npsloop.loop.due import due_at
from npsloop.loop.models import (
    ActivityKind,
    Case,
    CaseActivity,
    CaseRule,
    CaseStatus,
    Outcome,
    Priority,
)
from npsloop.loop.next_answers import note_next_answer
from npsloop.loop.payload import case_data, person
from npsloop.loop.routing import WORKERS, route
from npsloop.loop.rules import Rulebook, matching_rule
from npsloop.surveys.models import Response
from npsloop.workspaces.models import Member

# Where each status may go next. Open → contacted → resolved is the path; an open case
# may be closed without contact; an ended case may be opened again.
NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    CaseStatus.OPEN: (CaseStatus.CONTACTED, CaseStatus.CLOSED),
    CaseStatus.CONTACTED: (CaseStatus.RESOLVED, CaseStatus.OPEN),
    CaseStatus.RESOLVED: (CaseStatus.OPEN,),
    CaseStatus.CLOSED: (CaseStatus.OPEN,),
}
MAX_DUE_DAYS = 366


@dataclass(frozen=True)
class Actor:
    """Who made a change, as the history shows it."""

    name: str
    user: User | None = None

    @classmethod
    def of(cls, user: User) -> Actor:
        full = getattr(user, "get_full_name", lambda: "")() or ""
        return cls(full.strip() or user.get_username(), user)


RULES = Actor("npsloop")


class StatusNotAllowed(ValueError):
    """A move the case's status can't make; says which it can."""

    def __init__(self, current: str, wanted: str) -> None:
        self.allowed = list(NEXT_STATUSES[current])
        super().__init__(
            f"{'an' if current[0] in 'aeiou' else 'a'} {current} case can't become {wanted}; "
            "it can become " + (", ".join(self.allowed) if self.allowed else "nothing else")
        )


class StaleCase(ValueError):
    """The case changed since the caller read it (another person's edit)."""

    def __init__(self, case: Case) -> None:
        self.current = case
        super().__init__(
            f"this case was changed by someone else (now version {case.version}); "
            "reload it to see their change, then make yours again"
        )


def react(
    response: Response, *, at: datetime | None = None, rulebook: Rulebook | None = None
) -> Case | None:
    """What a recorded or edited answer means for cases: an answer that matches a rule and
    has no case gets one; an answer with a case keeps it, with its category brought up to
    date (a detractor who now promotes is marked recovered). Erased answers open nothing.
    ``rulebook``: the workspace's rules already read (a batch of answers)."""
    at = at or timezone.now()
    # No savepoint: a failure undoes the caller's whole batch, which the follower reads
    # again (two statements less per answer).
    with transaction.atomic(savepoint=False):
        note_next_answer(response)
        case = Case.objects.select_for_update().filter(response=response).first()
        if case is not None:
            if case.category != response.category:
                _rescore(case, response, at)
            return case
        if response.erased_at is not None:
            return None
        rulebook = rulebook or Rulebook(response.workspace)
        rule = matching_rule(rulebook.rules(response.survey_id), response)
        if rule is None:
            return None
        return _open(rulebook, response, rule, at)


def _open(rulebook: Rulebook, response: Response, rule: CaseRule, at: datetime) -> Case:
    workspace, settings = rulebook.workspace, rulebook.settings
    routed = route(response, rule, settings)
    case = Case.objects.create(
        workspace=workspace,
        response=response,
        survey_id=response.survey_id,
        contact=response.contact,
        account=response.account,
        rule=rule,
        kind=rule.kind,
        opened_category=response.category,
        category=response.category,
        owner=routed.owner,
        team=routed.team,
        priority=rule.priority,
        due_at=due_at(at, rule.due_hours, settings, workspace.time_zone),
        opened_at=at,
        status_changed_at=at,
        updated_at=at,
    )
    _history(case, RULES, ActivityKind.OPENED, at, rule=rule.name, routed=routed.why)
    _event(case, EventType.CASE_OPENED, at, rule=rule.name)
    if routed.owner is not None:
        _event(case, EventType.CASE_ASSIGNED, at, previous_owner=None)
    alert_opened(case, at)
    return case


def _rescore(case: Case, response: Response, at: datetime) -> None:
    previous = case.category
    case.category = response.category
    _save(case, at, "category")
    _history(
        case,
        RULES,
        ActivityKind.RESCORED,
        at,
        previous=previous,
        category=case.category,
        recovered=case.recovered,
    )
    _event(case, EventType.CASE_UPDATED, at, previous={"category": previous})


def assign(
    case: Case,
    owner: Member | None,
    *,
    by: Actor,
    version: int | None = None,
    at: datetime | None = None,
) -> Case:
    """Give the case to a member who works cases (or to nobody). `at` is for seeders that
    replay a history (the demo); people's changes happen now."""
    if owner is not None and (owner.workspace_id != case.workspace_id or owner.role not in WORKERS):
        raise InvalidInput(
            {"owner": "must be a member of this workspace who works cases (editor, admin or owner)"}
        )
    at = at or timezone.now()
    with transaction.atomic():
        case = _locked(case, version)
        if case.owner_id == (owner.pk if owner else None):
            return case
        previous = case.owner
        case.owner = owner
        _save(case, at, "owner")
        _history(
            case,
            by,
            ActivityKind.ASSIGNED,
            at,
            owner=person(owner),
            previous=person(previous),
        )
        _event(case, EventType.CASE_ASSIGNED, at, previous_owner=person(previous))
        queue_alerts(case, at, by=by.user)
    return case


def move(
    case: Case, status: str, *, by: Actor, version: int | None = None, at: datetime | None = None
) -> Case:
    """Change the status along NEXT_STATUSES; StatusNotAllowed otherwise."""
    if status not in CaseStatus.values:
        raise InvalidInput(
            {"status": f"must be one of {', '.join(CaseStatus.values)}, got {status!r}"}
        )
    at = at or timezone.now()
    with transaction.atomic():
        case = _locked(case, version)
        if status == case.status:
            return case
        if status not in NEXT_STATUSES[case.status]:
            raise StatusNotAllowed(case.status, status)
        previous = case.status
        case.status = status
        case.status_changed_at = at
        case.status_changed_by = by.user
        fields = ["status", "status_changed_at", "status_changed_by"]
        if (
            status in (CaseStatus.CONTACTED, CaseStatus.RESOLVED)
            and case.first_contacted_at is None
        ):
            case.first_contacted_at = at
            fields.append("first_contacted_at")
        case.closed_at = at if status in (CaseStatus.RESOLVED, CaseStatus.CLOSED) else None
        fields.append("closed_at")
        _save(case, at, *fields)
        _history(case, by, ActivityKind.STATUS, at, status=status, previous=previous)
        _event(case, EventType.CASE_STATUS_CHANGED, at, previous_status=previous)
    return case


def change(
    case: Case,
    *,
    by: Actor,
    version: int | None = None,
    outcome: Outcome | None = None,
    clear_outcome: bool = False,
    due: datetime | None = None,
    priority: str | None = None,
    at: datetime | None = None,
) -> Case:
    """Change the outcome (or clear it), the due time or the priority."""
    errors: dict[str, str] = {}
    if outcome is not None and outcome.workspace_id != case.workspace_id:
        errors["outcome"] = "must be one of this workspace's outcomes"
    if priority is not None and priority not in Priority.values:
        errors["priority"] = f"must be one of {', '.join(Priority.values)}, got {priority!r}"
    if due is not None and abs((due - timezone.now()).days) > MAX_DUE_DAYS:
        errors["due_at"] = f"must be within {MAX_DUE_DAYS} days of today"
    if errors:
        raise InvalidInput(errors)
    at = at or timezone.now()
    with transaction.atomic():
        case = _locked(case, version)
        previous: dict[str, Any] = {}
        # No outcome given leaves it as it is; only clear_outcome takes it away.
        if (outcome is not None or clear_outcome) and case.outcome_id != (
            outcome.pk if outcome is not None else None
        ):
            previous["outcome"] = case.outcome.name if case.outcome else None
            case.outcome = outcome
        if due is not None and due != case.due_at:
            previous["due_at"] = case.due_at.isoformat()
            case.due_at = due
            if case.overdue_at is not None and due > at:
                case.overdue_at = None
        if priority is not None and priority != case.priority:
            previous["priority"] = case.priority
            case.priority = priority
        if not previous:
            return case
        _save(case, at, "outcome", "due_at", "overdue_at", "priority")
        _history(case, by, ActivityKind.CHANGED, at, previous=previous)
        _event(case, EventType.CASE_UPDATED, at, previous=previous)
    return case


def mark_overdue(*, now: datetime | None = None, batch: int = 500) -> int:
    """Write case.overdue once for each open case past its due time (a periodic job)."""
    now = now or timezone.now()
    marked = 0
    while True:
        with transaction.atomic():
            cases = list(
                Case.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(status=CaseStatus.OPEN, due_at__lt=now, overdue_at__isnull=True)
                .select_related("owner__user", "team", "outcome", "contact", "account")
                .order_by("due_at")[:batch]
            )
            for case in cases:
                case.overdue_at = now
                _save(case, now, "overdue_at")
                _history(case, RULES, ActivityKind.OVERDUE, now)
                _event(case, EventType.CASE_OVERDUE, now)
        marked += len(cases)
        if len(cases) < batch:
            return marked


def check_version(case: Case, version: int) -> None:
    """StaleCase unless the case is still at ``version`` (locked until the transaction
    ends), for changes beside the case's own that must not follow a stale read."""
    _locked(case, version)


def _locked(case: Case, version: int | None) -> Case:
    current = (
        Case.objects.select_for_update(of=("self",))
        .select_related("owner__user", "team", "outcome", "contact", "account")
        .get(pk=case.pk)
    )
    if version is not None and version != current.version:
        raise StaleCase(current)
    return current


def _save(case: Case, at: datetime, *fields: str) -> None:
    case.version += 1
    case.updated_at = at
    case.save(update_fields=[*fields, "version", "updated_at"])


def _history(case: Case, by: Actor, kind: str, at: datetime, **data: Any) -> None:
    CaseActivity.objects.create(
        case=case, at=at, actor=by.user, actor_name=by.name, kind=kind, data=data
    )


def _event(case: Case, type: EventType, at: datetime, **extra: Any) -> None:
    record(
        Change(
            workspace_id=case.workspace_id,
            type=type,
            data={**case_data(case), **extra},
            response_id=case.response_id,
            contact_id=case.contact_id,
        ),
        at=at,
    )


def replied(case: Case, *, by: Actor, to: str, subject: str, body: str, message_id: str) -> Case:
    """Record a reply the mail server took (loop/replies.py sends it): an open case becomes
    contacted, the history keeps the reply's text, case.replied is written. No version is
    checked (the email is gone whatever changed meanwhile), but the version is raised, so
    the same reply form sent again (a double click, a page resubmitted) is a conflict
    instead of a second email."""
    with transaction.atomic():
        case = _locked(case, None)
        if CaseStatus.CONTACTED in NEXT_STATUSES[case.status]:
            case = move(case, CaseStatus.CONTACTED, by=by)
        else:
            _save(case, timezone.now())
        at = timezone.now()  # after the move's: the history reads moved, then replied
        _history(
            case,
            by,
            ActivityKind.REPLIED,
            at,
            to=to,
            subject=subject,
            body=body,
            message_id=message_id,
        )
        _event(case, EventType.CASE_REPLIED, at, reply={"to": to, "subject": subject})
    return case
