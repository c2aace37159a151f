"""Consent: whether a person may be emailed. The one owner of unsubscribes, resubscribes,
bounces and complaints; each change writes its event in the same transaction.

Stopping the asks already planned for someone who unsubscribed is the asks' owner's part
(npsloop.program.answers.unsubscribe does both in one transaction).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from npsloop.contacts.models import Contact
from npsloop.events.log import Change, moment, record
from npsloop.events.models import EventType


class Via:
    """Who told us: the words in the events' `via`."""

    LINK = "link"  # the unsubscribe link or the mail client's one-click button
    PROVIDER = "provider"  # the email service provider's webhook
    COMPLAINT = "complaint"  # a spam complaint, through the provider
    SENDING = "sending"  # the mail server refused the address while we sent
    API = "api"


def unsubscribe(contact: Contact, *, via: str, now: datetime | None = None) -> bool:
    """Mark the person unsubscribed; False when they already were (nothing changes)."""
    now = now or timezone.now()
    with transaction.atomic():
        changed = Contact.objects.filter(pk=contact.pk, unsubscribed_at__isnull=True).update(
            unsubscribed_at=now, updated_at=now
        )
        if changed:
            contact.unsubscribed_at = now
            record(_change(contact, EventType.CONTACT_UNSUBSCRIBED, via), at=now)
    if not changed and contact.unsubscribed_at is None:
        contact.refresh_from_db(fields=["unsubscribed_at"])
    return bool(changed)


def resubscribe(contact: Contact, *, via: str, now: datetime | None = None) -> bool:
    """Let the person be emailed again; False when they were not unsubscribed."""
    now = now or timezone.now()
    with transaction.atomic():
        changed = Contact.objects.filter(pk=contact.pk, unsubscribed_at__isnull=False).update(
            unsubscribed_at=None, updated_at=now
        )
        if changed:
            contact.unsubscribed_at = None
            record(_change(contact, EventType.CONTACT_RESUBSCRIBED, via), at=now)
    return bool(changed)


def mark_bounced(contacts: Iterable[Contact], *, via: str, now: datetime | None = None) -> int:
    """Mark these addresses undeliverable (no email goes to them again); returns how many
    were not marked already."""
    now = now or timezone.now()
    marked = 0
    with transaction.atomic():
        for contact in contacts:
            if Contact.objects.filter(pk=contact.pk, bounced_at__isnull=True).update(
                bounced_at=now, updated_at=now
            ):
                contact.bounced_at = now
                record(_change(contact, EventType.CONTACT_BOUNCED, via), at=now)
                marked += 1
    return marked


def contact_data(contact: Contact) -> dict[str, Any]:
    """The person as the events show them (ids and address, no properties)."""
    return {
        "id": contact.pk,
        "external_id": contact.external_id,
        "email": contact.email,
        "name": contact.name,
    }


def _change(contact: Contact, type: EventType, via: str) -> Change:
    return Change(
        contact.workspace_id,
        type,
        {
            "contact": contact_data(contact),
            "via": via,
            "unsubscribed_at": moment(contact.unsubscribed_at),
            "bounced_at": moment(contact.bounced_at),
        },
        contact_id=contact.pk,
    )
