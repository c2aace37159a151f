from __future__ import annotations

import pytest
from pytest_django.fixtures import Settings

from npsloop.contacts.models import Contact
from npsloop.program.asks import ask_contacts
from npsloop.program.models import SurveyRequest
from npsloop.surveys.models import Survey


@pytest.fixture(autouse=True)
def _links_to_the_test_server(settings: Settings) -> None:
    settings.BASE_URL = "http://testserver"


@pytest.fixture
def ask(survey: Survey, ann: Contact) -> SurveyRequest:
    return ask_contacts(survey, ["u-1"]).scheduled[0]
