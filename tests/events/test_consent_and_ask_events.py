"""Consent changes and sent or failed asks leave their events, once each."""

from __future__ import annotations

from django.test import Client

from bench.smtp_sink import SmtpSink
from npsloop.channels.email.dispatch import send_due_asks
from npsloop.contacts.consent import Via, mark_bounced, resubscribe
from npsloop.contacts.models import Contact
from npsloop.events.models import Event, EventType
from npsloop.program.answers import unsubscribe
from npsloop.program.models import AskStatus, SurveyRequest


def types() -> list[str]:
    return list(Event.objects.order_by("id").values_list("type", flat=True))


def test_the_unsubscribe_button_leaves_one_event_and_cancels_the_ask(
    ask: SurveyRequest, ann: Contact
) -> None:
    client = Client()
    assert client.post(f"/u/{ask.token}").status_code == 200
    assert client.post(f"/u/{ask.token}").status_code == 200  # a second press changes nothing
    (event,) = Event.objects.all()
    assert event.type == EventType.CONTACT_UNSUBSCRIBED
    assert event.contact_id == ann.pk
    assert event.data["contact"] == {
        "id": ann.pk,
        "external_id": "u-1",
        "email": "ann@example.com",
        "name": "Ann Lee",
    }
    assert event.data["via"] == "link"
    assert event.data["unsubscribed_at"] is not None
    ask.refresh_from_db()
    assert ask.status == AskStatus.CANCELLED


def test_resubscribing_leaves_its_event_only_when_it_changes_something(ann: Contact) -> None:
    assert resubscribe(ann, via=Via.API) is False
    assert unsubscribe(ann, via=Via.API) is True
    assert resubscribe(ann, via=Via.API) is True
    ann.refresh_from_db()
    assert ann.unsubscribed_at is None
    assert types() == [EventType.CONTACT_UNSUBSCRIBED, EventType.CONTACT_RESUBSCRIBED]


def test_a_bounce_is_logged_once(ann: Contact) -> None:
    assert mark_bounced([ann], via=Via.PROVIDER) == 1
    assert mark_bounced([ann], via=Via.PROVIDER) == 0
    (event,) = Event.objects.all()
    assert event.type == EventType.CONTACT_BOUNCED
    assert event.data["via"] == "provider" and event.data["bounced_at"] is not None


def test_a_sent_email_leaves_ask_sent(smtp_sink: SmtpSink, ask: SurveyRequest) -> None:
    assert send_due_asks().sent == 1
    (event,) = Event.objects.all()
    assert event.type == EventType.ASK_SENT
    assert event.ask_id == ask.pk
    assert event.data["ask"]["status"] == "sent"
    assert event.data["ask"]["contact"] == {"external_id": "u-1", "email": "ann@example.com"}
    assert event.data["reminder"] is False


def test_a_refused_address_leaves_ask_failed_and_contact_bounced(
    smtp_sink: SmtpSink, ask: SurveyRequest
) -> None:
    smtp_sink.fail_recipients = {"ann@example.com": "550 5.1.1 No such user"}
    assert send_due_asks().failed == 1
    assert types() == [EventType.ASK_FAILED, EventType.CONTACT_BOUNCED]
    failed = Event.objects.get(type=EventType.ASK_FAILED)
    assert "No such user" in failed.data["reason"]
    assert failed.data["ask"]["status"] == "failed"
    assert Event.objects.get(type=EventType.CONTACT_BOUNCED).data["via"] == "sending"


def test_a_temporary_refusal_leaves_no_event_until_it_is_sent(
    smtp_sink: SmtpSink, ask: SurveyRequest
) -> None:
    smtp_sink.fail_recipients = {"ann@example.com": "451 4.3.0 Try again later"}
    assert send_due_asks().deferred == 1
    assert types() == []
