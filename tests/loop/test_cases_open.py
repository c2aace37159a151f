"""Cases open by themselves, by the workspace's rules (or a survey's own)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from npsloop.contacts.models import Contact
from npsloop.events.models import Event
from npsloop.loop.models import Case, CaseKind, CaseRule, CaseStatus, Priority
from npsloop.loop.reactions import follow_answers
from npsloop.loop.rules import case_settings
from npsloop.surveys.erasure import erase_contact
from npsloop.surveys.models import Survey
from npsloop.surveys.responses import ResponseData, record_response, update_response
from npsloop.workspaces.models import Workspace

from .conftest import Answer

pytestmark = pytest.mark.django_db
NOON = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


def events(workspace: Workspace, prefix: str = "case.") -> list[str]:
    return list(
        Event.objects.filter(workspace=workspace, type__startswith=prefix)
        .order_by("id")
        .values_list("type", flat=True)
    )


@time_machine.travel(NOON, tick=False)
def test_it_opens_a_case_for_every_detractor_due_in_48_hours(
    workspace: Workspace, answer: Answer
) -> None:
    response = answer(3)
    case = Case.objects.get(response=response)
    assert case.kind == CaseKind.FOLLOW_UP
    assert case.status == CaseStatus.OPEN
    assert case.priority == Priority.HIGH
    assert case.opened_at == response.created_at
    assert case.due_at == response.created_at + timedelta(hours=48)
    assert case.contact_id == response.contact_id
    assert events(workspace) == ["case.opened"]
    opened = Event.objects.get(type="case.opened")
    assert opened.response_id == response.pk
    assert opened.data["status"] == "open" and opened.data["rule"] == "Detractors"


def test_it_opens_nothing_for_a_silent_passive_until_they_say_why(
    workspace: Workspace, answer: Answer
) -> None:
    response = answer(7)
    assert not Case.objects.exists()
    update_response(response, comment="Setup took a week")
    follow_answers(workspace.pk)
    case = Case.objects.get(response=response)
    assert case.due_at - case.opened_at == timedelta(days=5)


def test_promoters_open_advocacy_cases_due_in_a_week(answer: Answer) -> None:
    case = Case.objects.get(response=answer(10))
    assert case.kind == CaseKind.ADVOCACY
    assert case.due_at - case.opened_at == timedelta(days=7)


def test_a_rule_on_a_property_comes_first_when_placed_first(
    workspace: Workspace, answer: Answer
) -> None:
    case_settings(workspace)
    CaseRule.objects.create(
        workspace=workspace,
        position=0,
        name="Enterprise",
        categories=["detractor", "passive"],
        property_name="plan",
        property_value="Enterprise",
        due_hours=24,
        priority=Priority.URGENT,
    )
    CaseRule.objects.filter(workspace=workspace).exclude(name="Enterprise").update(position=5)
    enterprise = Case.objects.get(response=answer(8, who="big", plan="enterprise"))
    assert enterprise.due_at - enterprise.opened_at == timedelta(hours=24)
    assert enterprise.priority == Priority.URGENT
    small = Case.objects.get(response=answer(2, who="small", plan="free"))
    assert small.due_at - small.opened_at == timedelta(hours=48)


def test_a_survey_with_rules_of_its_own_uses_only_those(
    workspace: Workspace, survey: Survey, answer: Answer
) -> None:
    case_settings(workspace)
    CaseRule.objects.create(
        workspace=workspace, survey=survey, name="off", categories=["detractor"], enabled=False
    )
    answer(1)
    assert not Case.objects.exists()


def test_a_rescored_answer_keeps_its_case_marked_recovered(
    workspace: Workspace, answer: Answer
) -> None:
    response = answer(2)
    update_response(response, score=10)
    follow_answers(workspace.pk)
    case = Case.objects.get(response=response)
    assert (case.opened_category, case.category, case.recovered) == ("detractor", "promoter", True)
    assert case.kind == CaseKind.FOLLOW_UP
    assert events(workspace) == ["case.opened", "case.updated"]
    assert Case.objects.count() == 1


def test_following_again_opens_nothing_twice(workspace: Workspace, answer: Answer) -> None:
    answer(0)
    assert follow_answers(workspace.pk) == 0
    assert Case.objects.count() == 1
    assert events(workspace) == ["case.opened"]


def test_an_answer_erased_before_the_follower_came_opens_no_case(
    workspace: Workspace, survey: Survey, ann: Contact
) -> None:
    record_response(workspace, ResponseData(survey=survey, score=1, contact=ann))
    erase_contact(ann)
    follow_answers(workspace.pk)
    assert not Case.objects.exists()


def test_another_workspace_follows_its_own_answers(
    workspace: Workspace, other_workspace: Workspace, answer: Answer
) -> None:
    answer(1)
    assert follow_answers(other_workspace.pk) == 0
    case = Case.objects.get()
    assert case.workspace_id == workspace.pk
