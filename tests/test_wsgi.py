"""The production WSGI application answers every request through Django, the widget's
check alone excepted (until it becomes an ordinary view too): no second doors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from unittest.mock import patch

import pytest
from api_client import ApiClient

import npsloop.wsgi
from npsloop.contacts.models import Contact
from npsloop.program.asks import ask_contacts
from npsloop.surveys.models import Response, Survey
from npsloop.workspaces.models import Workspace
from npsloop.workspaces.services import create_api_key
from tests.wsgi_client import WsgiClient


@pytest.fixture
def through_django() -> Iterator[list[str]]:
    """The paths the WSGI application handed to Django."""
    paths: list[str] = []
    to_django = npsloop.wsgi.django_application

    def counted(environ: dict[str, Any], start_response: Any) -> Any:
        paths.append(environ["PATH_INFO"])
        return to_django(environ, start_response)

    with patch.object(npsloop.wsgi, "django_application", counted):
        yield paths


def test_recording_a_response_goes_through_django(
    workspace: Workspace, survey: Survey, ann: Contact, through_django: list[str]
) -> None:
    _, secret = create_api_key(workspace, "tests")
    answer = {"survey": survey.pk, "contact": {"external_id": "u-1"}, "score": 9}
    assert ApiClient(secret, wsgi=True).post("/api/v1/responses", answer).status_code == 201
    assert through_django == ["/api/v1/responses"]
    assert Response.objects.count() == 1


def test_a_score_link_goes_through_django(
    survey: Survey, ann: Contact, through_django: list[str]
) -> None:
    ask = ask_contacts(survey, ["u-1"]).scheduled[0]
    assert WsgiClient().get(f"/r/{ask.token}/9").status_code == 200
    assert through_django == [f"/r/{ask.token}/9"]
