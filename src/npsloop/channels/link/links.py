"""Public survey links: /s/<slug>, optionally signed for one contact."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from npsloop.contacts.models import Contact
from npsloop.surveys.models import Survey

SALT = "npsloop.link.contact"


def public_url(survey: Survey) -> str:
    return settings.BASE_URL + reverse("link-survey", args=[survey.slug])


def contact_url(survey: Survey, contact: Contact) -> str:
    """A link that attributes the answer to this contact. Signed, so nobody can answer as
    someone else by changing a number in the address."""
    signed = signing.dumps({"s": survey.pk, "c": contact.pk}, salt=SALT, compress=True)
    return f"{public_url(survey)}?c={signed}"


def attributed_contact(survey: Survey, value: str | None) -> Contact | None:
    """The contact a signed link names, if the signature holds for this survey."""
    if not value:
        return None
    try:
        data = signing.loads(value, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("s") != survey.pk:
        return None
    contact_id = data.get("c")
    if not isinstance(contact_id, int):
        return None
    return Contact.objects.filter(workspace_id=survey.workspace_id, pk=contact_id).first()
