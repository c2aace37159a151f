"""The case settings page: every member reads it, admins and owners change it."""

from __future__ import annotations

import pytest
from console_fixtures import SignedIn

from npsloop.loop.models import CaseRule, Outcome, Team
from npsloop.loop.rules import case_settings
from npsloop.surveys.annotations import create_tag
from npsloop.surveys.models import Survey, Tag
from npsloop.workspaces.membership import add_member
from npsloop.workspaces.models import Member, Workspace

pytestmark = pytest.mark.django_db
RULE = {
    "action": "rule_add",
    "name": "Enterprise detractors",
    "categories": ["detractor"],
    "due_hours": "24",
    "kind": "follow_up",
    "priority": "urgent",
    "property_name": "plan",
    "property_value": "enterprise",
    "enabled": "on",
}


def page(workspace: Workspace) -> str:
    return f"/w/{workspace.slug}/settings/cases/"


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_members_who_are_not_admins_read_but_cannot_change(
    workspace: Workspace, signed_in: SignedIn, role: str
) -> None:
    client = signed_in(workspace, role)
    reply = client.get(page(workspace))
    assert reply.status_code == 200
    text = reply.content.decode()
    assert "Detractors" in text and "admins and owners change them" in text
    assert client.post(page(workspace), RULE).status_code == 403
    assert not CaseRule.objects.filter(name=RULE["name"]).exists()


def test_an_admin_adds_moves_and_deletes_a_rule(workspace: Workspace, signed_in: SignedIn) -> None:
    client = signed_in(workspace, "admin")
    reply = client.post(page(workspace), RULE)
    assert reply.status_code == 302
    rule = CaseRule.objects.get(name=RULE["name"])
    assert (rule.categories, rule.due_hours, rule.priority) == (["detractor"], 24, "urgent")
    client.post(page(workspace), {"action": "rule_up", "rule": rule.pk})
    order = CaseRule.objects.filter(workspace=workspace).order_by("position", "id")
    assert [r.name for r in order][2] == RULE["name"]
    edited = {**RULE, "action": "rule_save", "rule": rule.pk, "due_hours": "8"}
    del edited["enabled"]
    client.post(page(workspace), edited)
    rule.refresh_from_db()
    assert (rule.due_hours, rule.enabled) == (8, False)
    client.post(page(workspace), {"action": "rule_delete", "rule": rule.pk})
    assert not CaseRule.objects.filter(pk=rule.pk).exists()


def test_a_bad_rule_answers_422_with_the_message(workspace: Workspace, signed_in: SignedIn) -> None:
    client = signed_in(workspace, "owner")
    reply = client.post(page(workspace), {**RULE, "categories": [], "due_hours": "5000"})
    assert reply.status_code == 422
    text = reply.content.decode()
    assert "choose at least one of promoter, passive, detractor" in text
    assert "must be from 1 to 2160 hours" in text
    assert not CaseRule.objects.filter(name=RULE["name"]).exists()


def test_a_surveys_own_rules(workspace: Workspace, survey: Survey, signed_in: SignedIn) -> None:
    client = signed_in(workspace, "admin")
    url = f"{page(workspace)}?survey={survey.pk}"
    assert client.post(url, RULE)["Location"].endswith(f"survey={survey.pk}")
    assert CaseRule.objects.get(name=RULE["name"]).survey == survey
    assert RULE["name"] in client.get(url).content.decode()


def test_teams_outcomes_tags_and_routing(workspace: Workspace, signed_in: SignedIn) -> None:
    client = signed_in(workspace, "admin")
    me = Member.objects.get(workspace=workspace, role="admin")
    url = page(workspace)
    client.post(url, {"action": "team_add", "name": "Support", "members": [me.pk]})
    team = Team.objects.get(workspace=workspace)
    assert list(team.members.all()) == [me]
    client.post(url, {"action": "outcome_add", "name": "Refunded"})
    refunded = Outcome.objects.get(workspace=workspace, name="Refunded")
    client.post(url, {"action": "outcome_save", "outcome": refunded.pk, "name": "Refund"})
    refunded.refresh_from_db()
    assert (refunded.name, refunded.is_active) == ("Refund", False)
    client.post(url, {"action": "tag_add", "name": "pricing"})
    tag = Tag.objects.get(workspace=workspace)
    client.post(url, {"action": "tag_rename", "tag": tag.pk, "name": "Pricing"})
    assert Tag.objects.get(pk=tag.pk).name == "Pricing"
    client.post(url, {"action": "tag_delete", "tag": tag.pk})
    assert not Tag.objects.filter(pk=tag.pk).exists()
    routing = {
        "action": "routing",
        "owner_property": "am_email",
        "default_owner": me.pk,
        "business_hours": "on",
        "business_days": ["1", "2", "3"],
        "day_starts": "08:00",
        "day_ends": "16:00",
    }
    assert client.post(url, routing).status_code == 302
    found = case_settings(Workspace.objects.get(pk=workspace.pk))
    assert (found.default_owner, found.business_days, found.owner_property) == (
        me,
        "123",
        "am_email",
    )
    bad = client.post(url, {**routing, "day_ends": "07:00"})
    assert bad.status_code == 422
    assert "must be after the start of the day (08:00)" in bad.content.decode()


def test_a_viewer_cannot_be_the_default_owner(
    workspace: Workspace, signed_in: SignedIn, django_user_model: type
) -> None:
    client = signed_in(workspace, "admin")
    viewer = add_member(workspace, django_user_model.objects.create_user("v"), "viewer")
    reply = client.post(
        page(workspace),
        {"action": "routing", "default_owner": viewer.pk, "business_days": ["1"],
         "day_starts": "09:00", "day_ends": "17:00"},
    )  # fmt: skip
    assert reply.status_code == 422
    assert "who works cases" in reply.content.decode()


def test_another_workspaces_things_are_404(
    workspace: Workspace,
    other_workspace: Workspace,
    other_survey: Survey,
    signed_in: SignedIn,
) -> None:
    case_settings(other_workspace)
    theirs = CaseRule.objects.filter(workspace=other_workspace).first()
    assert theirs is not None
    tag = create_tag(other_workspace, "theirs")
    client = signed_in(workspace, "admin")
    url = page(workspace)
    assert client.post(url, {"action": "rule_delete", "rule": theirs.pk}).status_code == 404
    assert client.post(url, {"action": "tag_delete", "tag": tag.pk}).status_code == 404
    assert client.get(f"{url}?survey={other_survey.pk}").status_code == 404
    assert client.get(page(other_workspace)).status_code == 404
    assert CaseRule.objects.filter(pk=theirs.pk).exists() and Tag.objects.filter(pk=tag.pk).exists()
