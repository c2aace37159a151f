from __future__ import annotations

import json
from typing import Any
from unittest.mock import patch

import pytest
from django.core import signals
from django.db import close_old_connections
from django.test import Client, RequestFactory
from pytest_django.fixtures import Settings

from npsloop.contacts.fields import ContactData
from npsloop.contacts.models import Contact
from npsloop.contacts.services import upsert_contact
from npsloop.program.asks import ask_contacts
from npsloop.program.models import SurveyRequest
from npsloop.surveys.models import Survey
from npsloop.workspaces.models import Workspace
from npsloop.wsgi import application


@pytest.fixture(autouse=True)
def _links_to_the_test_server(settings: Settings) -> None:
    settings.BASE_URL = "http://testserver"


@pytest.fixture
def ann(workspace: Workspace) -> Contact:
    return upsert_contact(
        workspace,
        ContactData(
            external_id="u-1",
            email="ann@example.com",
            name="Ann Lee",
            properties={"plan": "pro"},
            account_external_id="acme",
            account_name="Acme GmbH",
        ),
    ).contact


@pytest.fixture
def ask(survey: Survey, ann: Contact) -> SurveyRequest:
    return ask_contacts(survey, ["u-1"]).scheduled[0]


class WsgiReply:
    def __init__(self, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status_code = int(status.split()[0])
        self.headers = dict(headers)
        self.content = body

    def json(self) -> Any:
        return json.loads(self.content)

    def __getitem__(self, name: str) -> str:
        return self.headers[name]

    def __contains__(self, name: str) -> bool:
        return name in self.headers

    @property
    def url(self) -> str:
        return self.headers["Location"]


class WsgiClient:
    """Requests through npsloop.wsgi.application, what the production server runs: the
    check by its own route, the rest by Django. Like Django's test client, it keeps the
    request signals from closing the test's database connection."""

    def __init__(self) -> None:
        self.factory = RequestFactory()

    def post(self, path: str, *args: Any, **kwargs: Any) -> WsgiReply:
        return self._call(self.factory.post(path, *args, **kwargs))

    def options(self, path: str, *args: Any, **kwargs: Any) -> WsgiReply:
        return self._call(self.factory.options(path, *args, **kwargs))

    def get(self, path: str, *args: Any, **kwargs: Any) -> WsgiReply:
        return self._call(self.factory.get(path, *args, **kwargs))

    def head(self, path: str, *args: Any, **kwargs: Any) -> WsgiReply:
        return self._call(self.factory.head(path, *args, **kwargs))

    def _call(self, request: Any) -> WsgiReply:
        started: list[Any] = []
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            with (
                patch("npsloop.channels.inapp.wsgi.on_the_database", lambda answer: answer()),
                patch("npsloop.channels.email.wsgi.on_the_database", lambda answer: answer()),
            ):
                chunks = application(
                    request.environ, lambda status, headers: started.append((status, headers))
                )
                body = b"".join(chunks)
                getattr(chunks, "close", lambda: None)()
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)
        return WsgiReply(*started[0], body)


@pytest.fixture(params=["django", "wsgi"])
def transport(request: pytest.FixtureRequest) -> str:
    """Django's test client, or the WSGI application the production server runs, where the
    busiest requests have routes of their own (npsloop.lean)."""
    return str(request.param)


def client_for(transport: str) -> Any:
    return WsgiClient() if transport == "wsgi" else Client()
