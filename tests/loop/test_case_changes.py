"""Working a case: statuses along their path, owners, outcomes, conflicts, overdue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import transaction

from npsloop.errors import InvalidInput
from npsloop.events.models import Event
from npsloop.loop.cases import (
    Actor,
    StaleCase,
    StatusNotAllowed,
    assign,
    change,
    mark_overdue,
    move,
)
from npsloop.loop.models import ActivityKind, Case, CaseStatus, Outcome
from npsloop.loop.rules import case_settings
from npsloop.workspaces.models import Member, Role, Workspace

from .conftest import Answer, make_member

pytestmark = pytest.mark.django_db
CORA = Actor("Cora")


@pytest.fixture
def case(answer: Answer) -> Case:
    return Case.objects.get(response=answer(2))


def test_a_case_goes_open_contacted_resolved(case: Case, cora: Member) -> None:
    case = move(case, "contacted", by=Actor.of(cora.user))
    assert case.first_contacted_at is not None and case.closed_at is None
    case = move(case, "resolved", by=CORA)
    assert case.status == CaseStatus.RESOLVED and case.closed_at is not None
    assert case.status_changed_by is None  # an actor without an account
    kinds = list(case.activity.order_by("at", "id").values_list("kind", "actor_name"))
    assert kinds == [("opened", "npsloop"), ("status", "Cora"), ("status", "Cora")]
    changed = Event.objects.filter(type="case.status_changed").order_by("id")
    assert [e.data["previous_status"] for e in changed] == ["open", "contacted"]
    assert [e.data["status"] for e in changed] == ["contacted", "resolved"]


def test_a_move_off_the_path_names_the_allowed_ones(case: Case) -> None:
    with pytest.raises(StatusNotAllowed) as refused:
        move(case, "resolved", by=CORA)
    assert refused.value.allowed == ["contacted", "closed"]
    assert "an open case can't become resolved" in str(refused.value).replace("a open", "an open")
    with pytest.raises(InvalidInput, match="status: must be one of open, contacted"):
        move(case, "done", by=CORA)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN


def test_closing_without_contact_and_reopening(case: Case) -> None:
    case = move(case, "closed", by=CORA)
    assert case.first_contacted_at is None and case.closed_at is not None
    case = move(case, "open", by=CORA)
    assert case.closed_at is None


def test_an_edit_from_an_old_version_is_a_conflict(case: Case, cora: Member, dev: Member) -> None:
    seen = case.version
    assign(case, cora, by=CORA, version=seen)
    with pytest.raises(StaleCase, match="changed by someone else"):
        assign(case, dev, by=Actor("Dev"), version=seen)
    assert Case.objects.get(pk=case.pk).owner_id == cora.pk


def test_an_owner_must_work_cases_in_this_workspace(
    case: Case, workspace: Workspace, other_workspace: Workspace
) -> None:
    viewer = make_member(workspace, "vic@acme.test", Role.VIEWER)
    stranger = make_member(other_workspace, "spy@other.test", Role.OWNER)
    for member in (viewer, stranger):
        with pytest.raises(InvalidInput, match="owner: must be a member of this workspace"):
            assign(case, member, by=CORA)
    assert not Event.objects.filter(type="case.assigned").exists()


def test_assigning_records_the_previous_owner(case: Case, cora: Member, dev: Member) -> None:
    assign(case, cora, by=CORA)
    assign(case, dev, by=CORA)
    last = Event.objects.filter(type="case.assigned").latest("id")
    assert last.data["owner"]["email"] == "dev@acme.test"
    assert last.data["previous_owner"]["email"] == "cora@acme.test"


def test_outcome_due_and_priority(
    case: Case, workspace: Workspace, other_workspace: Workspace
) -> None:
    fixed = Outcome.objects.get(workspace=workspace, name="Fixed")
    due = case.due_at + timedelta(days=1)
    case = change(case, by=CORA, outcome=fixed, due=due, priority="low")
    assert (case.outcome, case.due_at, case.priority) == (fixed, due, "low")
    updated = Event.objects.filter(type="case.updated").latest("id")
    assert updated.data["previous"] == {
        "outcome": None,
        "due_at": (due - timedelta(days=1)).isoformat(),
        "priority": "high",
    }
    case = change(case, by=CORA, clear_outcome=True)
    assert case.outcome is None
    theirs = Outcome.objects.create(workspace=other_workspace, name="Theirs")
    with pytest.raises(InvalidInput) as refused:
        change(case, by=CORA, outcome=theirs, priority="asap")
    assert set(refused.value.errors) == {"outcome", "priority"}


def test_nothing_is_kept_of_a_change_that_rolled_back(case: Case, cora: Member) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        assign(case, cora, by=CORA)
        raise RuntimeError("the caller failed after the change")
    assert Case.objects.get(pk=case.pk).owner_id is None
    assert not Event.objects.filter(type="case.assigned").exists()
    assert not case.activity.filter(kind=ActivityKind.ASSIGNED).exists()


def test_an_open_case_past_due_is_marked_overdue_once(case: Case) -> None:
    with time_machine.travel(case.due_at + timedelta(minutes=1)):
        assert mark_overdue() == 1
        assert mark_overdue() == 0
    assert Event.objects.filter(type="case.overdue").count() == 1
    contacted = move(case, "contacted", by=CORA)
    assert contacted.overdue_at is not None


def test_a_case_contacted_in_time_never_becomes_overdue(case: Case) -> None:
    move(case, "contacted", by=CORA)
    with time_machine.travel(case.due_at + timedelta(days=3)):
        assert mark_overdue() == 0


@time_machine.travel(datetime(2026, 3, 6, 15, 0, tzinfo=UTC), tick=False)
def test_business_hours_count_only_working_time(workspace: Workspace, answer: Answer) -> None:
    settings = case_settings(workspace)
    settings.business_hours = True
    settings.save()
    workspace.time_zone = "Europe/Berlin"
    workspace.save()
    # Friday 16:00 in Berlin (UTC+1): one working hour that day, 40 in the next week, and
    # the last 7 on the Monday after, until 16:00 Berlin time.
    case = Case.objects.get(response=answer(1))
    assert case.due_at == datetime(2026, 3, 16, 15, 0, tzinfo=UTC)
