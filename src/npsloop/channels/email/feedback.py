"""What an email service provider tells us after sending: bounces, spam complaints and
unsubscribes, through django-anymail's tracking webhooks (/anymail/<esp>/tracking/)."""

from __future__ import annotations

import importlib.util
from typing import Any

from npsloop.contacts.consent import Via, mark_bounced
from npsloop.contacts.models import Contact
from npsloop.program.answers import unsubscribe
from npsloop.program.models import SurveyRequest


def listen() -> None:
    """Connect to anymail's tracking signal when anymail is installed (the `esp` extra)."""
    if importlib.util.find_spec("anymail") is None:
        return
    from anymail.signals import tracking

    tracking.connect(record_feedback, dispatch_uid="npsloop-email-feedback")


def record_feedback(sender: object, event: Any, esp_name: str, **kwargs: object) -> None:
    """A hard bounce or rejected address marks the contact bounced; a spam complaint or
    an unsubscribe at the provider unsubscribes them. Other events change nothing."""
    from anymail.signals import EventType, RejectReason

    contacts = _contacts_of(event)
    if event.event_type in (EventType.COMPLAINED, EventType.UNSUBSCRIBED):
        via = Via.COMPLAINT if event.event_type == EventType.COMPLAINED else Via.PROVIDER
        for contact in contacts:
            unsubscribe(contact, via=via)
    elif event.event_type in (EventType.BOUNCED, EventType.REJECTED) and event.reject_reason in (
        RejectReason.BOUNCED,
        RejectReason.INVALID,
    ):
        mark_bounced(contacts, via=Via.PROVIDER)


def _contacts_of(event: Any) -> list[Contact]:
    """The contact the email went to: through the ask the provider's message id names,
    else every contact with the recipient's address (an address bounces for everyone)."""
    if event.message_id:
        ask = (
            SurveyRequest.objects.select_related("contact")
            .filter(provider_message_id=str(event.message_id))
            .first()
        )
        if ask is not None:
            return [ask.person]
    if event.recipient:
        return list(Contact.objects.filter(email=str(event.recipient).strip().lower()))
    return []
