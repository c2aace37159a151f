"""Each new case gets an owner: named by a property, else the team in turn, else the default."""

from __future__ import annotations

import pytest

from npsloop.loop.models import Case, CaseRule, Team
from npsloop.loop.rules import case_settings
from npsloop.workspaces.models import Member, Role, Workspace

from .conftest import Answer, make_member

pytestmark = pytest.mark.django_db


def owner_of(response_id: int) -> str | None:
    case = Case.objects.select_related("owner__user").get(response_id=response_id)
    return case.owner.user.email if case.owner else None


def test_the_contacts_owner_property_names_the_owner(cora: Member, answer: Answer) -> None:
    assert owner_of(answer(2, csm_email="CORA@acme.test").pk) == "cora@acme.test"


def test_a_viewer_named_by_the_property_is_not_given_cases(
    workspace: Workspace, answer: Answer
) -> None:
    make_member(workspace, "vic@acme.test", Role.VIEWER)
    assert owner_of(answer(2, csm_email="vic@acme.test").pk) is None


def test_an_address_of_another_workspace_names_nobody(
    other_workspace: Workspace, answer: Answer
) -> None:
    make_member(other_workspace, "spy@other.test", Role.OWNER)
    assert owner_of(answer(2, csm_email="spy@other.test").pk) is None


def test_a_team_takes_cases_in_turn(
    workspace: Workspace, cora: Member, dev: Member, answer: Answer
) -> None:
    team = Team.objects.create(workspace=workspace, name="Success")
    team.members.add(cora, dev)
    case_settings(workspace)
    CaseRule.objects.filter(workspace=workspace).update(team=team)
    owners = [owner_of(answer(1, who=f"u-{n}").pk) for n in range(4)]
    assert owners == ["cora@acme.test", "dev@acme.test"] * 2
    assert set(Case.objects.values_list("team", flat=True)) == {team.pk}


def test_the_default_owner_takes_the_rest(
    workspace: Workspace, dev: Member, answer: Answer
) -> None:
    settings = case_settings(workspace)
    settings.default_owner = dev
    settings.save()
    assert owner_of(answer(4).pk) == "dev@acme.test"


def test_nobody_to_route_to_leaves_the_case_unassigned(answer: Answer) -> None:
    assert owner_of(answer(4).pk) is None
