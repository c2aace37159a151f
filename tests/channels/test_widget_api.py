"""The widget's endpoints: one server decision, the same contact rules as email."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from api_client import ApiClient
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from npsloop.channels.email.dispatch import send_due_asks
from npsloop.channels.inapp.identity import user_hash
from npsloop.contacts.models import Contact
from npsloop.memory import forget_all
from npsloop.program.asks import ask_contacts
from npsloop.program.models import AskStatus, SurveyRequest
from npsloop.surveys.models import Response, Survey
from npsloop.workspaces.models import Workspace
from tests.wsgi_client import WsgiClient

USER = {
    "id": "u-7",
    "email": "kim@example.com",
    "name": "Kim Park",
    "signedUpAt": "2025-01-10",
    "account": {"id": "acme", "name": "Acme GmbH"},
    "properties": {"plan": "pro", "role": "admin"},
}


def forget() -> None:
    """What the widget remembers for seconds, forgotten at once."""
    cache.clear()
    forget_all()


def client_of(transport: str) -> Any:
    return WsgiClient() if transport == "wsgi" else Client()


TRANSPORTS = pytest.mark.parametrize("transport", ["django", "wsgi"])


class Widget:
    def __init__(
        self, workspace: Workspace, origin: str | None = None, transport: str = "django"
    ) -> None:
        self.workspace = workspace
        self.client = client_of(transport)
        self.origin = origin

    def post(self, endpoint: str, **body: Any) -> Any:
        payload = {"key": self.workspace.publishable_key, "device": "dev-1", **body}
        headers = {"Origin": self.origin} if self.origin else {}
        return self.client.post(
            f"/widget/v1/{endpoint}",
            json.dumps(payload),
            content_type="text/plain",
            headers=headers,
        )

    def check(self, **body: Any) -> Any:
        body.setdefault("user", USER)
        return self.post("check", **body)


@pytest.fixture(params=["django", "wsgi"])
def widget(workspace: Workspace, survey: Survey, request: pytest.FixtureRequest) -> Widget:
    """Each test twice: through Django's test client, and through the WSGI application the
    production server runs, where the check has a route of its own."""
    return Widget(workspace, transport=request.param)


def test_it_shows_an_identified_user_the_survey_and_records_the_display(widget: Widget) -> None:
    reply = widget.check()
    assert reply.status_code == 200
    body = reply.json()
    assert body["show"] is True
    assert body["survey"]["question"] == (
        "How likely are you to recommend Acme Cloud to a friend or colleague?"
    )
    assert body["survey"]["position"] == "bottom-right"
    ask = SurveyRequest.objects.get()
    assert (ask.channel, ask.status) == ("in-app", AskStatus.SENT)
    assert ask.sent_at is not None and ask.displayed_at is not None
    contact = Contact.objects.get(external_id="u-7")
    assert contact.properties == {"plan": "pro", "role": "admin"}
    assert contact.account is not None and contact.account.name == "Acme GmbH"
    # A reload shows the same survey, not a second one.
    assert widget.check().json()["show"] is True
    assert SurveyRequest.objects.count() == 1


def test_an_answer_is_stored_in_app_and_the_widget_stops(widget: Widget) -> None:
    token = widget.check().json()["token"]
    reply = widget.post("answer", token=token, score=9, user=USER)
    assert reply.json() == {"score": 9, "category": "promoter"}
    reply = widget.post("followup", token=token, user=USER, comment="<b>Fast</b>", answers={})
    assert reply.json() == {"ok": True}
    response = Response.objects.get()
    assert (response.score, response.channel, response.comment) == (9, "in-app", "<b>Fast</b>")
    assert widget.check().json() == {"show": False, "reason": "cooldown", "recheck_after": 600}


def test_the_followup_refuses_what_the_page_refuses(widget: Widget, survey: Survey) -> None:
    survey.extra_questions = [{"id": "ease", "type": "rating", "label": "Ease?", "required": True}]
    survey.save()
    token = widget.check().json()["token"]
    widget.post("answer", token=token, score=3, user=USER)
    reply = widget.post("followup", token=token, user=USER, comment="x" * 10_001, answers={})
    assert reply.status_code == 422
    errors = reply.json()["errors"]
    assert errors["ease"] == "Please answer this question."
    assert "10001 characters long" in errors["comment"]
    assert widget.post("answer", token=token, score=11, user=USER).status_code == 422
    assert Response.objects.get().comment == ""


def test_a_dismissed_survey_returns_after_seven_days_twice_then_expires(widget: Widget) -> None:
    start = timezone.now()
    widget.check()
    for round_ in range(3):
        with time_machine.travel(start + timedelta(days=8 * round_, minutes=1)):
            shown = widget.check().json()
            assert shown["show"] is True, round_
            widget.post("dismiss", token=shown["token"], user=USER)
            # Dismissed: not again for now; after the third time, not again at all.
            assert widget.check().json()["show"] is False
    ask = SurveyRequest.objects.get()
    assert (ask.status, ask.dismissals) == (AskStatus.EXPIRED, 3)
    with time_machine.travel(start + timedelta(days=40)):
        assert widget.check().json()["show"] is False


def test_a_contact_emailed_yesterday_is_not_shown_the_widget(
    widget: Widget, survey: Survey, smtp_sink: object
) -> None:
    widget.check()  # creates the contact
    SurveyRequest.objects.all().delete()
    Contact.objects.filter(external_id="u-7").update(email="kim@example.com")
    ask_contacts(survey, ["u-7"])
    assert widget.check().json() == {
        "show": False,
        "reason": "already pending",
        "recheck_after": 600,
    }
    send_due_asks()
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert widget.check().json() == {"show": False, "reason": "cooldown", "recheck_after": 600}


def test_one_who_answered_in_the_widget_gets_no_email(widget: Widget, survey: Survey) -> None:
    token = widget.check().json()["token"]
    widget.post("answer", token=token, score=6, user=USER)
    report = ask_contacts(survey, ["u-7"])
    assert [(s.contact, s.reason) for s in report.skipped] == [("u-7", "cooldown")]


def test_identity_verification(widget: Widget, workspace: Workspace) -> None:
    workspace.require_identity = True
    workspace.save()
    assert widget.check().status_code == 403
    assert widget.check(userHash="0" * 64).status_code == 403
    good = user_hash(workspace, "u-7")
    reply = widget.check(userHash=good)
    assert reply.status_code == 200 and reply.json()["show"] is True
    token = reply.json()["token"]
    # Answering needs the hash too, and the user the survey was shown to.
    assert widget.post("answer", token=token, score=10, user=USER).status_code == 403
    assert (
        widget.post(
            "answer",
            token=token,
            score=10,
            user={"id": "u-8"},
            userHash=user_hash(workspace, "u-8"),
        ).status_code
        == 403
    )
    assert not Response.objects.exists()
    assert widget.post("answer", token=token, score=10, user=USER, userHash=good).status_code == 200


def test_a_wrong_hash_is_refused_even_when_not_required(widget: Widget) -> None:
    assert widget.check(userHash="nope").status_code == 403
    assert not SurveyRequest.objects.exists()


def test_anonymous_visitors_are_sampled_sticky_per_device(
    widget: Widget, workspace: Workspace
) -> None:
    assert widget.check(user=None).json() == {
        "show": False,
        "reason": "anonymous visitor not sampled",
        "recheck_after": 600,
    }
    workspace.anonymous_sample_percent = 100
    workspace.save()
    forget()  # settings reach the widget within seconds, not at once
    reply = widget.check(user=None)
    assert reply.json()["show"] is True
    token = reply.json()["token"]
    widget.post("answer", token=token, score=8)
    assert widget.check(user=None).json() == {
        "show": False,
        "reason": "cooldown",
        "recheck_after": 600,
    }
    other = widget.post("check", device="dev-2")
    assert other.json()["show"] is True
    # Another device can't answer this device's survey.
    assert widget.post("answer", token=token, score=1, device="dev-2").status_code == 403


def test_sampling_is_proportional_and_keeps_those_already_in(
    workspace: Workspace, survey: Survey
) -> None:
    from npsloop.channels.inapp.eligibility import _sampled

    workspace.anonymous_sample_percent = 20
    first = {d for d in (f"d{n}" for n in range(5000)) if _sampled(workspace, survey, d)}
    workspace.anonymous_sample_percent = 30
    second = {d for d in (f"d{n}" for n in range(5000)) if _sampled(workspace, survey, d)}
    assert 900 <= len(first) <= 1100
    assert 1400 <= len(second) <= 1600
    assert first <= second


def test_events_and_targeting(widget: Widget, survey: Survey) -> None:
    survey.widget_event = "completed_onboarding"
    survey.save()
    assert widget.check().json()["show"] is False
    assert widget.check(event="completed_onboarding").json()["show"] is True
    SurveyRequest.objects.all().delete()
    survey.targeting = {"properties": {"role": "viewer"}}
    survey.save()
    forget()
    assert widget.check(event="completed_onboarding").json() == {
        "show": False,
        "reason": "not targeted",
        "recheck_after": 600,
    }


@TRANSPORTS
def test_cors_only_for_listed_origins(workspace: Workspace, survey: Survey, transport: str) -> None:
    outsider = Widget(workspace, origin="https://evil.example", transport=transport)
    reply = outsider.check()
    assert reply.status_code == 403
    assert "Access-Control-Allow-Origin" not in reply
    workspace.widget_origins = "https://app.acme.example\n"
    workspace.save()
    forget()
    insider = Widget(workspace, origin="https://app.acme.example", transport=transport)
    reply = insider.check()
    assert reply.status_code == 200
    assert reply["Access-Control-Allow-Origin"] == "https://app.acme.example"
    preflight = insider.client.options(
        "/widget/v1/check", headers={"Origin": "https://app.acme.example"}
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Methods"] == "POST, OPTIONS"


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ("not json", 400, "must be JSON"),
        ("[1, 2]", 400, "JSON object"),
        ('{"key": "pk_nope", "device": "d"}', 403, "unknown publishable key"),
        ('{"key": "KEY"}', 400, "device"),
        ('{"key": "KEY", "device": "d", "user": {"id": ""}}', 400, "user.id"),
        ('{"key": "KEY", "device": "d", "user": {"id": "u", "email": "x"}}', 400, "email"),
        (
            '{"key": "KEY", "device": "d", "user": {"id": "u", "signedUpAt": "soon"}}',
            400,
            "user.signedUpAt must be a date like 2024-05-01 or a date and time",
        ),
        ('{"key": "KEY", "device": "d", "event": {}}', 400, "event"),
    ],
)
@TRANSPORTS
def test_bad_requests_say_what_was_wrong(
    workspace: Workspace, survey: Survey, body: str, status: int, words: str, transport: str
) -> None:
    reply = client_of(transport).post(
        "/widget/v1/check",
        body.replace("KEY", workspace.publishable_key),
        content_type="application/json",
    )
    assert reply.status_code == status
    assert words in reply.json()["error"]
    assert not SurveyRequest.objects.exists()


SIGNUP_RULE = (
    "user.signedUpAt must be a date like 2024-05-01 or a date and time from 1970-01-01 to "
    "2100-01-01 with a time zone offset, e.g. 2024-05-01T09:30:00Z"
)


@pytest.mark.parametrize(
    "given",
    [
        "0001-01-01T00:00:00+01:00",
        "1969-12-31T23:59:59Z",
        "9999-12-31T23:00:00-05:00",
        "2025-01-10T09:30:00",
        "0001-01-01",
    ],
)
def test_a_signup_outside_the_range_or_without_a_zone_is_refused_and_never_stored(
    widget: Widget, api: ApiClient, given: str
) -> None:
    """Only the public key is needed to reach the check: what it stores, every page reads."""
    reply = widget.check(user={**USER, "signedUpAt": given})
    assert reply.status_code == 400
    assert reply.json() == {"error": f"{SIGNUP_RULE}, got {given!r}"}
    assert not Contact.objects.exists()
    assert not SurveyRequest.objects.exists()
    listed = api.get("/api/v1/contacts")
    assert listed.status_code == 200
    assert listed.json()["items"] == []


def test_a_signup_at_the_edges_of_the_range_is_stored(widget: Widget) -> None:
    for n, given in enumerate(["1970-01-01T00:00:00Z", "2100-01-01T00:00:00+00:00"]):
        user = {**USER, "id": f"u-{n}", "email": f"u{n}@example.com", "signedUpAt": given}
        reply = widget.check(device=f"dev-{n}", user=user)
        assert reply.status_code == 200, reply.json()
    assert sorted(Contact.objects.values_list("signed_up_at", flat=True)) == [
        datetime(1970, 1, 1, tzinfo=UTC),
        datetime(2100, 1, 1, tzinfo=UTC),
    ]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (
            {"user": {**USER, "name": "Kim\u0000"}},
            "user.name contains a NUL character, which can't be stored",
        ),
        (
            {"user": {**USER, "properties": {"plan": "a\u0000"}}},
            "user.properties.plan contains a NUL character, which can't be stored",
        ),
        ({"event": "a\u0000b"}, "event contains a NUL character, which can't be stored"),
        ({"device": "d\u0000"}, "device contains a NUL character, which can't be stored"),
    ],
)
def test_a_nul_anywhere_in_the_body_is_refused(
    widget: Widget, body: dict[str, Any], error: str
) -> None:
    reply = widget.post("check", **body)
    assert reply.status_code == 400
    assert reply.json() == {"error": error}
    assert not Contact.objects.exists()


@TRANSPORTS
def test_json_nested_thousands_deep_is_refused(
    workspace: Workspace, survey: Survey, transport: str
) -> None:
    for endpoint in ("check", "answer", "followup", "dismiss"):
        reply = client_of(transport).post(
            f"/widget/v1/{endpoint}", "[" * 5000 + "]" * 5000, content_type="text/plain"
        )
        assert reply.status_code == 400
        assert reply.json() == {"error": "the body must be JSON nested at most 32 levels deep"}


def test_a_no_is_remembered_for_a_minute_and_a_changed_user_is_decided_afresh(
    widget: Widget, survey: Survey
) -> None:
    widget.check()
    SurveyRequest.objects.all().delete()
    ask_contacts(survey, ["u-7"])
    assert widget.check().json() == {
        "show": False,
        "reason": "already pending",
        "recheck_after": 600,
    }
    SurveyRequest.objects.all().delete()
    assert widget.check().json()["show"] is False  # remembered
    changed = {**USER, "properties": {"plan": "enterprise", "role": "admin"}}
    verified = user_hash(widget.workspace, "u-7")
    assert widget.check(user=changed, userHash=verified).json()["show"] is True
    assert Contact.objects.get(external_id="u-7").properties["plan"] == "enterprise"
    SurveyRequest.objects.all().delete()
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        assert widget.check().json()["show"] is True
