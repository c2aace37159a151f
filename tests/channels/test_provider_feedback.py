"""Bounces, complaints and unsubscribes reported by an email service provider's webhook
(Postmark's, through django-anymail) change the contact."""

from __future__ import annotations

import base64

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from npsloop.contacts.models import Contact
from npsloop.program.models import AskStatus, SurveyRequest

URL = "/anymail/postmark/tracking/"


@pytest.fixture
def postmark(settings: Settings) -> Client:
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:s3cret"}
    token = base64.b64encode(b"hook:s3cret").decode()
    return Client(headers={"Authorization": f"Basic {token}"})


def event(record_type: str, kind: str, email: str, message_id: str = "pm-1") -> dict[str, object]:
    return {
        "RecordType": record_type,
        "Type": kind,
        "MessageID": message_id,
        "Email": email,
        "BouncedAt": "2026-11-20T10:00:00Z",
        "Description": "The server was unable to deliver your message",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
    }


def test_a_hard_bounce_marks_the_contact_of_that_email(
    postmark: Client, ask: SurveyRequest, ann: Contact
) -> None:
    SurveyRequest.objects.filter(pk=ask.pk).update(
        status=AskStatus.SENT, provider_message_id="pm-1"
    )
    reply = postmark.post(
        URL, event("Bounce", "HardBounce", "whoever@example.com"), content_type="application/json"
    )
    assert reply.status_code == 200
    ann.refresh_from_db()
    assert ann.bounced_at is not None
    assert ann.unsubscribed_at is None


def test_a_spam_complaint_unsubscribes_by_address(postmark: Client, ann: Contact) -> None:
    postmark.post(
        URL,
        event("SpamComplaint", "SpamComplaint", "Ann@Example.com", message_id="unknown"),
        content_type="application/json",
    )
    ann.refresh_from_db()
    assert ann.unsubscribed_at is not None


def test_a_delivery_changes_nothing(postmark: Client, ann: Contact) -> None:
    postmark.post(
        URL,
        {
            "RecordType": "Delivery",
            "MessageID": "x",
            "Recipient": "ann@example.com",
            "DeliveredAt": "2026-11-20T10:00:00Z",
        },
        content_type="application/json",
    )
    ann.refresh_from_db()
    assert (ann.bounced_at, ann.unsubscribed_at) == (None, None)


def test_a_webhook_without_the_secret_is_refused(settings: Settings, ann: Contact) -> None:
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:s3cret"}
    reply = Client().post(
        URL, event("Bounce", "HardBounce", "ann@example.com"), content_type="application/json"
    )
    assert reply.status_code in (400, 401, 403)
    ann.refresh_from_db()
    assert ann.bounced_at is None
