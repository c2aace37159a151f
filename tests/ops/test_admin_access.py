from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from npsloop.contacts.fields import ContactData
from npsloop.contacts.services import upsert_contact
from npsloop.workspaces.models import Workspace


@pytest.mark.parametrize(
    "page",
    [
        "/admin/",
        "/admin/contacts/contact/",
        "/admin/surveys/response/",
        "/admin/workspaces/apikey/",
        "/admin/program/release/",
    ],
)
def test_it_shows_the_admin_to_staff(workspace: Workspace, page: str) -> None:
    upsert_contact(workspace, ContactData(email="ann@example.com"))
    staff = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw-1234-x")
    client = Client()
    client.force_login(staff)
    assert client.get(page).status_code == 200


def test_it_sends_a_member_who_is_not_staff_to_the_admin_sign_in(db: None) -> None:
    member = get_user_model().objects.create_user("ann", "ann@example.com", "pw-1234-x")
    client = Client()
    client.force_login(member)
    answer = client.get("/admin/contacts/contact/")
    assert answer.status_code == 302
    assert answer["Location"].startswith("/admin/login/")
