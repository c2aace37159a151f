"""A score can be changed for the survey's edit window (7 days by default) and never after,
whichever door the change comes through: the email's page, the widget, the API."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from api_client import ApiClient
from django.utils import timezone

from npsloop.channels.inapp import passes
from npsloop.contacts.models import Contact
from npsloop.program.models import SurveyRequest
from npsloop.surveys.models import Response, Survey
from npsloop.surveys.rollups import count_responses, stored_rollups
from npsloop.workspaces.models import Workspace
from tests.channels.conftest import client_for

CLOSED = "This survey is closed; your answers can no longer be changed."


def test_the_email_page_changes_a_score_within_the_window_and_never_after(
    ask: SurveyRequest, workspace: Workspace, transport: str
) -> None:
    client = client_for(transport)
    start = timezone.now()
    assert client.post(f"/r/{ask.token}/record", {"score": 9}).status_code == 200
    with time_machine.travel(start + timedelta(days=6)):
        assert client.post(f"/r/{ask.token}/record", {"score": 8}).json()["score"] == 8
    with time_machine.travel(start + timedelta(days=67)):
        reply = client.post(f"/r/{ask.token}/record", {"score": 2})
        assert reply.status_code == 422
        assert reply.json()["error"] == CLOSED
        # The same score again (a retry, a second click) is no change and no error.
        assert client.post(f"/r/{ask.token}/record", {"score": 8}).status_code == 200
    assert Response.objects.get().score == 8
    assert stored_rollups(workspace) == count_responses(workspace)


def test_the_widget_changes_a_score_within_the_window_and_never_after(
    workspace: Workspace, survey: Survey, transport: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Even a token that outlived the window (tokens last hours, this one a year) can't.
    monkeypatch.setattr(passes, "LIFETIME", timedelta(days=365))
    client = client_for(transport)

    def post(endpoint: str, **body: Any) -> Any:
        payload = {"key": workspace.publishable_key, "device": "d", "user": {"id": "u-7"}, **body}
        return client.post(f"/widget/v1/{endpoint}", json.dumps(payload), content_type="text/plain")

    start = timezone.now()
    token = post("check").json()["token"]
    assert post("answer", token=token, score=10).status_code == 200
    with time_machine.travel(start + timedelta(days=6)):
        assert post("answer", token=token, score=7).json()["score"] == 7
    with time_machine.travel(start + timedelta(days=67)):
        reply = post("answer", token=token, score=0)
        assert reply.status_code == 422
        assert reply.json() == {"errors": {"score": CLOSED}}
    assert Response.objects.get().score == 7
    assert stored_rollups(workspace) == count_responses(workspace)
    assert SurveyRequest.objects.get().contact == Contact.objects.get(external_id="u-7")


def test_the_api_changes_a_score_within_the_window_and_never_after(
    api: ApiClient, survey: Survey, workspace: Workspace
) -> None:
    body = {"survey": survey.pk, "contact": {"external_id": "u1"}, "score": 6}
    response_id = api.post("/api/v1/responses", body).json()["id"]
    start = timezone.now()
    with time_machine.travel(start + timedelta(days=6)):
        assert api.patch(f"/api/v1/responses/{response_id}", {"score": 9}).status_code == 200
    with time_machine.travel(start + timedelta(days=67)):
        reply = api.patch(f"/api/v1/responses/{response_id}", {"score": 3})
        assert reply.status_code == 422
        [error] = reply.json()["detail"]
        assert error["loc"] == ["body", "score"]
        assert error["msg"] == (
            "this answer can no longer be changed: answers can be edited for 7 days"
        )
        # The comment stays correctable, e.g. to take personal data out of it.
        reply = api.patch(f"/api/v1/responses/{response_id}", {"comment": "[removed]"})
        assert reply.status_code == 200
    stored = Response.objects.get()
    assert (stored.score, stored.comment) == (9, "[removed]")
    assert stored_rollups(workspace) == count_responses(workspace)
