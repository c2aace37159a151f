"""The loop's configuration: rules in order, teams, outcomes and routing, each checked."""

from __future__ import annotations

from datetime import time

import pytest

from npsloop.errors import InvalidInput
from npsloop.events.models import Event
from npsloop.loop.configure import (
    RuleData,
    delete_rule,
    move_outcome,
    move_rule,
    save_outcome,
    save_rule,
    save_team,
    update_case_settings,
)
from npsloop.loop.models import Case, CaseRule, Outcome, Team
from npsloop.loop.rules import case_settings, rules_for
from npsloop.surveys.models import Survey
from npsloop.workspaces.models import Member, Role, Workspace

from .conftest import Answer, make_member

pytestmark = pytest.mark.django_db


def names(workspace: Workspace, survey: Survey | None = None) -> list[str]:
    return list(
        CaseRule.objects.filter(workspace=workspace, survey=survey)
        .order_by("position", "id")
        .values_list("name", flat=True)
    )


def test_a_rule_is_added_last_and_moved(workspace: Workspace) -> None:
    rule = save_rule(
        workspace,
        RuleData("Enterprise", ["detractor", "passive"], 24, property_name="plan",
                 property_value="enterprise", priority="urgent"),
    )  # fmt: skip
    assert names(workspace)[-1] == "Enterprise"
    for _ in range(5):
        move_rule(rule, -1)
    assert names(workspace)[0] == "Enterprise"
    move_rule(rule, 1)
    assert names(workspace)[1] == "Enterprise"
    assert not Event.objects.exists()  # configuration writes no events


def test_the_first_matching_rule_opens_the_case(
    workspace: Workspace, survey: Survey, answer: Answer
) -> None:
    rule = save_rule(
        workspace,
        RuleData(
            "Enterprise", ["detractor"], 24, property_name="plan", property_value="Enterprise"
        ),
    )
    move_rule(rule, -1)
    move_rule(rule, -1)
    move_rule(rule, -1)
    case = Case.objects.get(response=answer(2, plan="enterprise"))
    assert (case.rule, case.priority) == (rule, "normal")
    assert (case.due_at - case.opened_at).total_seconds() == 24 * 3600
    assert rules_for(workspace, survey.pk)[0].name == "Enterprise"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (RuleData("x", [], 24), "categories"),
        (RuleData("x", ["angry"], 24), "categories"),
        (RuleData("x", ["detractor"], 0), "due_hours"),
        (RuleData("x", ["detractor"], 2161), "due_hours"),
        (RuleData("  ", ["detractor"], 24), "name"),
        (RuleData("x", ["detractor"], 24, property_name="plan"), "property_value"),
        (RuleData("x", ["detractor"], 24, kind="loud"), "kind"),
        (RuleData("x", ["detractor"], 24, priority="asap"), "priority"),
    ],
)
def test_a_bad_rule_is_refused_with_its_field(
    workspace: Workspace, data: RuleData, field: str
) -> None:
    case_settings(workspace)
    before = names(workspace)
    with pytest.raises(InvalidInput) as refused:
        save_rule(workspace, data)
    assert field in refused.value.errors
    assert names(workspace) == before


def test_another_workspaces_team_or_survey_is_refused(
    workspace: Workspace, other_workspace: Workspace, other_survey: Survey
) -> None:
    theirs = Team.objects.create(workspace=other_workspace, name="Theirs")
    with pytest.raises(InvalidInput) as refused:
        save_rule(
            workspace, RuleData("x", ["detractor"], 24, team_id=theirs.pk), survey=other_survey
        )
    assert set(refused.value.errors) == {"team", "survey"}


def test_a_surveys_own_rules_are_a_list_of_their_own(workspace: Workspace, survey: Survey) -> None:
    own = save_rule(workspace, RuleData("Only detractors", ["detractor"], 12), survey=survey)
    assert names(workspace, survey) == ["Only detractors"]
    assert [r.pk for r in rules_for(workspace, survey.pk)] == [own.pk]
    delete_rule(own)
    assert len(rules_for(workspace, survey.pk)) == 3  # the workspace's defaults again


def test_teams_have_unique_names_and_working_members(
    workspace: Workspace, other_workspace: Workspace, cora: Member, dev: Member
) -> None:
    team = save_team(workspace, " Support ", [cora.pk, dev.pk])
    assert (team.name, set(team.members.all())) == ("Support", {cora, dev})
    viewer = make_member(workspace, "viewer@acme.test", Role.VIEWER)
    stranger = make_member(other_workspace, "x@other.test")
    for members in ([viewer.pk], [stranger.pk]):
        with pytest.raises(InvalidInput) as refused:
            save_team(workspace, "Sales", members)
        assert "members" in refused.value.errors
    with pytest.raises(InvalidInput) as refused:
        save_team(workspace, "SUPPORT", [])
    assert "already" in refused.value.errors["name"]
    save_team(workspace, "Customer support", [cora.pk], team=team)
    assert list(Team.objects.get(pk=team.pk).members.all()) == [cora]


def test_outcomes_are_added_renamed_switched_off_and_moved(workspace: Workspace) -> None:
    case_settings(workspace)
    added = save_outcome(workspace, "Refunded")
    assert (
        list(Outcome.objects.filter(workspace=workspace).values_list("name", flat=True))[-1]
        == "Refunded"
    )
    move_outcome(added, -1)
    order = list(Outcome.objects.filter(workspace=workspace).values_list("name", flat=True))
    assert order[-2:] == ["Refunded", "No reply"]
    save_outcome(workspace, "Refund given", outcome=added, active=False)
    added.refresh_from_db()
    assert (added.name, added.is_active) == ("Refund given", False)
    with pytest.raises(InvalidInput):
        save_outcome(workspace, "fixed")


def test_routing_settings_are_checked(
    workspace: Workspace, other_workspace: Workspace, cora: Member
) -> None:
    found = update_case_settings(
        workspace,
        {"default_owner": cora.pk, "business_hours": True, "business_days": "531",
         "day_starts": time(8), "day_ends": time(16, 30), "owner_property": "am_email"},
    )  # fmt: skip
    assert (found.default_owner, found.business_days, found.owner_property) == (
        cora,
        "135",
        "am_email",
    )
    viewer = make_member(workspace, "viewer@acme.test", Role.VIEWER)
    stranger = make_member(other_workspace, "x@other.test")
    for owner in (viewer.pk, stranger.pk):
        with pytest.raises(InvalidInput) as refused:
            update_case_settings(workspace, {"default_owner": owner})
        assert "works cases" in refused.value.errors["default_owner"]
    with pytest.raises(InvalidInput) as refused:
        update_case_settings(
            workspace, {"day_starts": time(17), "day_ends": time(9), "business_days": "8"}
        )
    assert set(refused.value.errors) == {"day_ends", "business_days"}
    kept = case_settings(workspace)
    assert (kept.day_starts, kept.default_owner) == (time(8), cora)
