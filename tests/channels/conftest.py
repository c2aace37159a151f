from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from npsloop.contacts.models import Contact
from npsloop.program.asks import ask_contacts
from npsloop.program.models import SurveyRequest
from npsloop.surveys.models import Survey
from tests.wsgi_client import WsgiClient


@pytest.fixture(autouse=True)
def _links_to_the_test_server(settings: Settings) -> None:
    settings.BASE_URL = "http://testserver"


@pytest.fixture
def ask(survey: Survey, ann: Contact) -> SurveyRequest:
    return ask_contacts(survey, ["u-1"]).scheduled[0]


@pytest.fixture(params=["django", "wsgi"])
def transport(request: pytest.FixtureRequest) -> str:
    """Django's test client, or the WSGI application the production server runs (where the
    widget's check has a route of its own, npsloop.lean)."""
    return str(request.param)


def client_for(transport: str) -> Any:
    return WsgiClient() if transport == "wsgi" else Client()
