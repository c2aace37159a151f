"""A workspace with cases of every kind for the inbox: owned by the signed-in editor, by
Cora (with a tag and past due), unassigned on another survey, an advocacy case, a resolved
one, one opened 40 days ago, and a case of another workspace."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from npsloop.contacts.fields import ContactData
from npsloop.loop.cases import Actor, assign, change, move
from npsloop.loop.models import Case, CaseRule, Team
from npsloop.loop.reactions import follow_answers
from npsloop.loop.rules import case_settings
from npsloop.surveys.annotations import change_tags, create_tag
from npsloop.surveys.models import Survey
from npsloop.surveys.responses import ResponseData, record_response
from npsloop.surveys.services import create_survey
from npsloop.workspaces.models import Member, Role, Workspace

from .conftest import make_member

BY = Actor("Test")
FORMULA = "=SUM(A1:A9) is what we pay, too much"
SCRIPT = '<script>alert("x")</script> slow'


@dataclass
class Queue:
    workspace: Workspace
    survey: Survey
    onboarding: Survey
    eve: Member  # the signed-in editor
    cora: Member
    dev: Member
    support: Team
    cases: dict[str, Case]
    theirs: Case

    def ids(self, *names: str) -> set[int]:
        return {self.cases[name].pk for name in names}

    def client(self, member: Member | None = None) -> Client:
        client = Client()
        client.force_login((member or self.eve).user)
        return client

    def url(self, query: str = "") -> str:
        return f"/w/{self.workspace.slug}/cases/" + (f"?{query}" if query else "")


def say(
    workspace: Workspace,
    survey: Survey,
    score: int,
    who: str,
    comment: str = "",
    account: str | None = None,
    **props: Any,
) -> Case:
    recorded = record_response(
        workspace,
        ResponseData(
            survey=survey,
            score=score,
            comment=comment,
            contact=ContactData(
                external_id=who,
                email=f"{who}@example.com",
                properties=props,
                account_external_id=account,
                account_name=account.title() if account else None,
            ),
        ),
    )
    follow_answers(workspace.pk)
    return Case.objects.get(response_id=recorded.response.pk)


@pytest.fixture
def queue(workspace: Workspace, survey: Survey, other_workspace: Workspace) -> Queue:
    onboarding = create_survey(workspace, name="Onboarding", product_name="Acme Cloud")
    eve = make_member(workspace, "eve@acme.test")
    cora = make_member(workspace, "cora@acme.test")
    dev = make_member(workspace, "dev@acme.test")
    case_settings(workspace)
    support = Team.objects.create(workspace=workspace, name="Support")
    CaseRule.objects.filter(workspace=workspace, name="Detractors").update(team=support)
    with time_machine.travel(timezone.now() - timedelta(days=40)):
        old = say(workspace, survey, 8, "u-old", "Fine, mostly", csm_email="eve@acme.test")
        move(old, "contacted", by=BY)
    cases = {
        "old": old,
        "late": say(workspace, survey, 1, "u-late", FORMULA, "acme", csm_email="cora@acme.test"),
        "unowned": say(workspace, onboarding, 5, "u-unowned", SCRIPT),
        "mine": say(workspace, survey, 7, "u-mine", "Good enough", csm_email="eve@acme.test"),
        "fan": say(workspace, survey, 10, "u-fan", csm_email="dev@acme.test"),
        "done": say(workspace, survey, 3, "u-done", "Broken", csm_email="cora@acme.test"),
    }
    change(cases["late"], by=BY, due=timezone.now() - timedelta(hours=3), priority="urgent")
    move(cases["done"], "contacted", by=BY)
    move(cases["done"], "resolved", by=BY)
    pricing = create_tag(workspace, "pricing")
    change_tags([cases["late"].response], add=[pricing])
    create_tag(workspace, "bug")
    other_survey = create_survey(other_workspace, name="Their NPS", product_name="Other")
    theirs = say(other_workspace, other_survey, 0, "u-theirs", "Theirs")
    assign(theirs, make_member(other_workspace, "otto@other.test"), by=BY)
    cases = {name: Case.objects.get(pk=case.pk) for name, case in cases.items()}
    return Queue(workspace, survey, onboarding, eve, cora, dev, support, cases, theirs)


def listed(reply: Any) -> list[int]:
    """The case numbers of the page's rows, in their order."""
    return [int(pk) for pk in re.findall(r'data-case="(\d+)"', reply.content.decode())]


def counts(reply: Any) -> dict[str, int]:
    html = reply.content.decode()
    found = re.findall(r'data-tab="(\w+)"[^>]*>[^<]*<span class="badge"[^>]*>(\d+)<', html)
    return {tab: int(n) for tab, n in found}


def viewer_of(queue: Queue) -> Member:
    return make_member(queue.workspace, "vic@acme.test", Role.VIEWER)
