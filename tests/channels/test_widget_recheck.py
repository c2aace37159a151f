"""How long the browser may keep the check's "not now": until the person could next be
asked, at most the workspace's widget_recheck_minutes."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from npsloop.contacts.models import Contact
from npsloop.errors import InvalidInput
from npsloop.program.models import SurveyRequest
from npsloop.surveys.models import Survey
from npsloop.surveys.responses import ResponseData, record_response
from npsloop.workspaces.configure import update_workspace
from npsloop.workspaces.models import Workspace
from tests.channels.test_widget_api import Widget, forget


@pytest.fixture(params=["django", "wsgi"])
def widget(workspace: Workspace, survey: Survey, request: pytest.FixtureRequest) -> Widget:
    """Through Django's test client and through the production WSGI application."""
    return Widget(workspace, transport=request.param)


def answered(widget: Widget, workspace: Workspace, survey: Survey) -> None:
    """Kim (the widget's user) answers now, by any channel: in cooldown from now on."""
    widget.check()
    SurveyRequest.objects.all().delete()
    contact = Contact.objects.get(external_id="u-7")
    record_response(workspace, ResponseData(survey=survey, score=9, contact=contact))
    forget()


def test_a_show_carries_no_recheck(widget: Widget) -> None:
    reply = widget.check().json()
    assert reply["show"] is True and "recheck_after" not in reply


def test_a_cooldown_far_off_is_kept_for_the_workspaces_minutes(
    widget: Widget, workspace: Workspace, survey: Survey
) -> None:
    answered(widget, workspace, survey)
    reply = widget.check().json()
    assert (reply["show"], reply["reason"], reply["recheck_after"]) == (False, "cooldown", 600)


def test_a_cooldown_that_ends_soon_is_kept_until_it_ends(
    widget: Widget, workspace: Workspace, survey: Survey
) -> None:
    contact_id = widget.check().json() and Contact.objects.get(external_id="u-7").pk
    SurveyRequest.objects.all().delete()
    answered = (
        timezone.now() - timedelta(days=survey.effective_cooldown_days) + timedelta(minutes=3)
    )
    with time_machine.travel(answered):
        record_response(
            workspace,
            ResponseData(survey=survey, score=9, contact=Contact.objects.get(pk=contact_id)),
        )
    forget()
    reply = widget.check().json()
    assert reply["reason"] == "cooldown"
    assert 170 <= reply["recheck_after"] <= 180


def test_a_dismissal_is_kept_at_most_the_workspaces_minutes(
    widget: Widget, workspace: Workspace
) -> None:
    workspace.widget_recheck_minutes = 2
    workspace.save()
    forget()
    token = widget.check().json()["token"]
    assert widget.post("dismiss", token=token, user={"id": "u-7"}).status_code == 200
    forget()
    reply = widget.check().json()
    assert (reply["reason"], reply["recheck_after"]) == ("dismissed", 120)


def test_a_workspace_can_have_every_page_ask(
    widget: Widget, workspace: Workspace, survey: Survey
) -> None:
    workspace.widget_recheck_minutes = 0
    workspace.save()
    answered(widget, workspace, survey)
    reply = widget.check().json()
    assert (reply["reason"], reply["recheck_after"]) == ("cooldown", 0)


def test_a_no_without_a_known_end_is_kept_for_the_workspaces_minutes(
    widget: Widget, workspace: Workspace
) -> None:
    reply = widget.check(event="no_such_event").json()
    assert (reply["show"], reply["recheck_after"]) == (False, 600)


def test_the_setting_says_what_it_accepts(workspace: Workspace) -> None:
    with pytest.raises(InvalidInput) as refused:
        update_workspace(workspace, {"widget_recheck_minutes": 1441})
    assert refused.value.errors == {
        "widget_recheck_minutes": "must be a whole number from 0 to 1440, got 1441"
    }
