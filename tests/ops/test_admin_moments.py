"""The admin's forms refuse the moments the API refuses, with the same message."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from npsloop.contacts.fields import ContactData
from npsloop.contacts.models import Contact
from npsloop.contacts.services import upsert_contact
from npsloop.program.models import Release
from npsloop.workspaces.models import Workspace

RULE = (
    "must be a date and time from 1970-01-01 to 2100-01-01 with a time zone offset, "
    "e.g. 2024-05-01T09:30:00Z, got &#x27;0001-01-01T00:00:00+00:00&#x27;"
)


@pytest.fixture
def staff(db: None) -> Client:
    boss = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw-1234-x")
    client = Client()
    client.force_login(boss)
    return client


def test_a_release_in_year_1_is_refused(staff: Client, workspace: Workspace) -> None:
    reply = staff.post(
        "/admin/program/release/add/",
        {
            "workspace": workspace.pk,
            "name": "v1",
            "released_at_0": "0001-01-01",
            "released_at_1": "00:00:00",
            "created_at_0": "2024-05-01",
            "created_at_1": "00:00:00",
        },
    )
    assert reply.status_code == 200
    assert RULE in reply.content.decode()
    assert not Release.objects.exists()


def test_a_contact_signed_up_in_year_1_is_refused(staff: Client, workspace: Workspace) -> None:
    contact = upsert_contact(workspace, ContactData(email="ann@example.com")).contact
    reply = staff.post(
        f"/admin/contacts/contact/{contact.pk}/change/",
        {
            "workspace": workspace.pk,
            "email": "ann@example.com",
            "signed_up_at_0": "0001-01-01",
            "signed_up_at_1": "00:00:00",
            "properties": "{}",
            "created_at_0": "2024-05-01",
            "created_at_1": "00:00:00",
            "updated_at_0": "2024-05-01",
            "updated_at_1": "00:00:00",
        },
    )
    assert reply.status_code == 200
    assert RULE in reply.content.decode()
    assert Contact.objects.get().signed_up_at is None
