"""The production WSGI application is Django's, for every request: no second doors."""

from __future__ import annotations

import json

from api_client import ApiClient
from django.core.handlers.wsgi import WSGIHandler

import npsloop.wsgi
from npsloop.contacts.models import Contact
from npsloop.program.asks import ask_contacts
from npsloop.surveys.models import Response, Survey
from npsloop.workspaces.keys import create_api_key
from npsloop.workspaces.models import Workspace
from tests.wsgi_client import WsgiClient


def test_the_application_is_djangos_alone() -> None:
    assert type(npsloop.wsgi.application) is WSGIHandler


def test_the_busiest_requests_are_answered_by_it(
    workspace: Workspace, survey: Survey, ann: Contact
) -> None:
    _, secret = create_api_key(workspace, "tests")
    answer = {"survey": survey.pk, "contact": {"external_id": "u-1"}, "score": 9}
    assert ApiClient(secret, wsgi=True).post("/api/v1/responses", answer).status_code == 201
    assert Response.objects.count() == 1
    other = Contact.objects.create(workspace=workspace, external_id="u-3", email="b@example.com")
    token = ask_contacts(survey, [other.external_id or ""]).scheduled[0].token
    assert WsgiClient().get(f"/r/{token}/9").status_code == 200
    check = {"key": workspace.publishable_key, "device": "d-1", "user": {"id": "u-9"}}
    reply = WsgiClient().post("/widget/v1/check", json.dumps(check), content_type="text/plain")
    assert reply.status_code == 200 and reply.json()["show"] is True
