"""Erasing a person: their data goes, their score stays counted anonymously."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from npsloop.contacts.models import Contact
from npsloop.events.log import forget_person
from npsloop.surveys.models import Note, Response


def erase_contact(contact: Contact) -> int:
    """Delete the contact and blank the personal data in their responses.

    The comment, extra answers, the properties snapshot and the notes written about them
    are personal; the score, channel and date are kept without any link to the person, so
    an NPS computed before and after the erasure is the same. The events about them keep
    their place in the log but lose their data. Returns how many responses were anonymised.
    """
    now = timezone.now()
    with transaction.atomic():
        Note.objects.filter(response__contact=contact).delete()
        erased = Response.objects.filter(contact=contact).update(
            contact=None, comment="", answers={}, properties={}, erased_at=now, updated_at=now
        )
        forget_person(contact.pk)
        contact.delete()
    return erased
