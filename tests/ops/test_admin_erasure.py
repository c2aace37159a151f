from __future__ import annotations

from django.contrib.auth import get_user_model
from django.test import Client

from npsloop.contacts.fields import ContactData
from npsloop.contacts.models import Contact
from npsloop.contacts.services import upsert_contact
from npsloop.surveys.models import Response, Survey
from npsloop.surveys.responses import ResponseData, record_response
from npsloop.workspaces.models import Workspace


def test_it_erases_a_contact_deleted_in_the_admin(workspace: Workspace, survey: Survey) -> None:
    contact = upsert_contact(workspace, ContactData(email="ann@example.com")).contact
    record_response(workspace, ResponseData(survey=survey, contact=contact, score=3, comment="hi"))
    staff = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw-1234-x")
    client = Client()
    client.force_login(staff)
    answer = client.post(f"/admin/contacts/contact/{contact.pk}/delete/", {"post": "yes"})
    assert answer.status_code == 302
    assert not Contact.objects.exists()
    response = Response.objects.get()
    assert (response.score, response.comment, response.erased_at is not None) == (3, "", True)
