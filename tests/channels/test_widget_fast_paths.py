"""What makes the widget's check cheap holds the same answers as the general code: the
rules read from one contact's history equal the set-based rules, the one-read contact
lookup steps aside whenever the check brings news, and the check's view, as the production
WSGI application serves it, refuses what it must and survives a dropped connection."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core import signals
from django.db import connection, connections
from django.test import RequestFactory
from django.utils import timezone
from pytest_django.fixtures import Settings

from npsloop.channels.inapp import eligibility, views
from npsloop.channels.inapp.eligibility import known_contact
from npsloop.contacts.fields import ContactData, clean_contact_data
from npsloop.contacts.models import Contact
from npsloop.contacts.services import upsert_contact
from npsloop.program.models import AskStatus, SurveyRequest
from npsloop.program.rules import cooldown_start, skip_reason_of, skip_reasons
from npsloop.surveys.models import Channel, Response, Survey
from npsloop.workspaces.models import Workspace
from npsloop.wsgi import application

STATUSES = [status.value for status in AskStatus]
CHANNELS = [Channel.EMAIL, Channel.IN_APP, Channel.LINK]


def _random_history(workspace: Workspace, survey: Survey, rng: random.Random) -> list[Contact]:
    now = timezone.now()
    contacts = []
    for n in range(40):
        contact = Contact.objects.create(
            workspace=workspace,
            external_id=f"c{n}",
            email=rng.choice([f"c{n}@example.com", None]) if n % 5 else None,
            unsubscribed_at=now if rng.random() < 0.1 else None,
            bounced_at=now if rng.random() < 0.1 else None,
        )
        if contact.email is None and contact.external_id is None:
            continue
        contacts.append(contact)
        scheduled = False
        for a in range(rng.randrange(4)):
            status = rng.choice(STATUSES)
            if status == AskStatus.SCHEDULED:
                if scheduled:
                    continue
                scheduled = True
            channel = rng.choice(CHANNELS)
            if status == AskStatus.SENT and channel == Channel.IN_APP:
                channel = Channel.EMAIL  # one open in-app ask per contact and survey at most
            sent = now - timedelta(days=rng.choice([1, 29, 31, 89, 91, 400])) if a % 3 else None
            SurveyRequest.objects.create(
                workspace=workspace,
                survey=survey,
                contact=contact,
                channel=channel,
                token=f"t{n}-{a}-{rng.randrange(10**9)}",
                status=status,
                due_at=now,
                sent_at=sent,
            )
        for r in range(rng.randrange(3)):
            Response.objects.create(
                workspace=workspace,
                survey=survey,
                contact=contact,
                score=9,
                category="promoter",
                key=f"r{n}-{r}",
                created_at=now - timedelta(days=rng.choice([2, 30, 91, 365])),
            )
    return contacts


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("channel", [Channel.IN_APP, Channel.EMAIL])
def test_the_rules_from_one_history_equal_the_set_based_rules(
    workspace: Workspace, survey: Survey, seed: int, channel: str
) -> None:
    rng = random.Random(seed)
    contacts = _random_history(workspace, survey, rng)
    now = timezone.now()
    since = cooldown_start(survey, now)
    some = list(SurveyRequest.objects.values_list("pk", flat=True)[::3])
    expected = skip_reasons(survey, contacts, channel, now, ignoring=some)
    answered = 0
    for contact in contacts:
        read = eligibility._read(workspace, "c.id", contact.pk, since)
        assert read is not None
        history = read[2]
        answered += history.last_answer is not None
        got = skip_reason_of(
            read[0], history.asks, history.last_answer, channel, since, ignoring=some
        )
        assert got == expected.get(contact.pk), contact.external_id
    assert answered and len(set(expected.values())) >= 3  # the histories vary


def _stored(workspace: Workspace) -> Contact:
    return upsert_contact(
        workspace,
        ContactData(
            external_id="u-1",
            email="ann@example.com",
            name="Ann Lee",
            locale="de",
            signed_up_at=datetime(2025, 1, 10, tzinfo=UTC),
            properties={"plan": "pro", "seats": 5},
            account_external_id="acme",
            account_name="Acme GmbH",
        ),
    ).contact


def test_the_one_read_lookup_finds_an_unchanged_contact_with_its_last_answer(
    workspace: Workspace, survey: Survey
) -> None:
    stored = _stored(workspace)
    same = clean_contact_data(
        ContactData(
            external_id="u-1",
            email="Ann@Example.com",
            properties={"plan": "pro"},
            account_external_id="acme",
        )
    )
    since = timezone.now() - timedelta(days=90)
    contact, history = known_contact(workspace, same, since) or (None, None)
    assert contact is not None and contact.pk == stored.pk
    assert history is not None and history.last_answer is None and history.asks == []
    assert contact.signed_up_at == datetime(2025, 1, 10, tzinfo=UTC)
    assert contact.properties == {"plan": "pro", "seats": 5}
    assert contact.account is not None and contact.account.external_id == "acme"
    answered = timezone.now() - timedelta(days=3)
    for key, moment in [("a", answered - timedelta(days=9)), ("b", answered)]:
        Response.objects.create(
            workspace=workspace,
            survey=survey,
            contact=stored,
            score=3,
            category="detractor",
            key=key,
            created_at=moment,
        )
    found = known_contact(workspace, same, since)
    assert found is not None and found[1].last_answer == answered


@pytest.mark.parametrize(
    "news",
    [
        {"name": "Ann Smith"},
        {"email": "ann@acme.example"},
        {"locale": "fr"},
        {"signed_up_at": datetime(2025, 2, 1, tzinfo=UTC)},
        {"properties": {"plan": "enterprise"}},
        {"properties": {"region": "EU"}},
        {"account_external_id": "globex"},
        {"account_external_id": "acme", "account_name": "Acme AG"},
        {"external_id": "u-2"},
    ],
)
def test_the_one_read_lookup_steps_aside_when_the_check_brings_news(
    workspace: Workspace, news: dict[str, Any]
) -> None:
    _stored(workspace)
    data = clean_contact_data(ContactData(**{"external_id": "u-1", **news}))
    assert known_contact(workspace, data, timezone.now()) is None


def _wsgi(environ: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    """The check through the application the production server runs, with Django's own
    start and end of a request (the connection checked, kept or closed)."""
    seen: list[Any] = []
    chunks = application(environ, lambda s, h: seen.append((s, h)))
    body = b"".join(chunks)
    getattr(chunks, "close", lambda: None)()
    status, headers = seen[0]
    json_body = body and headers and dict(headers).get("Content-Type") == "application/json"
    return int(status.split()[0]), dict(headers), json.loads(body) if json_body else body


@pytest.fixture
def no_request_signals(monkeypatch: pytest.MonkeyPatch) -> None:
    """As Django's test client does: the test's transaction must outlive the request."""
    monkeypatch.setattr(signals.request_started, "receivers", [])
    monkeypatch.setattr(signals.request_finished, "receivers", [])
    monkeypatch.setattr(signals.request_started, "sender_receivers_cache", {})
    monkeypatch.setattr(signals.request_finished, "sender_receivers_cache", {})


def test_the_check_route_refuses_what_the_view_refuses(
    workspace: Workspace, survey: Survey, no_request_signals: None, settings: Settings
) -> None:
    factory = RequestFactory()
    body = json.dumps({"key": workspace.publishable_key, "device": "d", "user": {"id": "u-9"}})
    status, headers, answer = _wsgi(factory.get("/widget/v1/check").environ)
    assert (status, answer) == (405, {"error": "use POST"})
    big = factory.post("/widget/v1/check", "x" * 70_000, content_type="application/json")
    status, _, answer = _wsgi(big.environ)
    assert status == 400 and "at most 65536 bytes" in answer["error"]
    settings.ALLOWED_HOSTS = ["npsloop.example"]
    elsewhere = factory.post("/widget/v1/check", body, content_type="application/json")
    status, _, answer = _wsgi(elsewhere.environ)
    assert status == 400
    settings.ALLOWED_HOSTS = ["testserver"]
    status, headers, answer = _wsgi(
        factory.post("/widget/v1/check", body, content_type="application/json").environ
    )
    assert status == 200 and answer["show"] is True
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert int(headers["Content-Length"]) > 0


def test_the_check_answers_500_when_the_server_fails(
    workspace: Workspace, no_request_signals: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any) -> Any:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(views, "serve", broken)
    environ = RequestFactory().post("/widget/v1/check", "{}", content_type="application/json")
    status, _, _ = _wsgi(environ.environ)
    assert status == 500


@pytest.mark.django_db(transaction=True)
def test_a_dropped_database_connection_is_replaced_not_reported(
    workspace: Workspace, survey: Survey
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("ends a session with pg_terminate_backend, which only PostgreSQL has")
    body = json.dumps({"key": workspace.publishable_key, "device": "d", "user": {"id": "u-9"}})

    def check() -> tuple[int, Any]:
        request = RequestFactory().post("/widget/v1/check", body, content_type="application/json")
        status, _, answer = _wsgi(request.environ)
        return status, answer

    assert check()[0] == 200
    assert connection.connection is not None  # kept for the next request
    backend = connection.connection.info.backend_pid
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [backend])
    finally:
        other.close()
    status, answer = check()
    assert status == 200 and answer["show"] is True  # the same open survey, again
    assert connection.connection.info.backend_pid != backend
