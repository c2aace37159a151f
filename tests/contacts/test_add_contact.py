"""add_contact: what the widget stores for a user it can't verify. It creates new contacts
and never changes a stored one, not even one stored a moment ago by another request."""

from __future__ import annotations

import pytest

from npsloop.contacts import services
from npsloop.contacts.fields import ContactData
from npsloop.contacts.models import Account, Contact
from npsloop.contacts.services import add_contact
from npsloop.errors import InvalidInput
from npsloop.workspaces.models import Workspace


def test_it_returns_a_stored_contact_as_stored(workspace: Workspace, ann: Contact) -> None:
    found = add_contact(
        workspace, ContactData(external_id="u-1", email="x@evil.example", name="Mallory")
    )
    assert found.pk == ann.pk
    ann.refresh_from_db()
    assert (ann.email, ann.name) == ("ann@example.com", "Ann Lee")


def test_it_never_updates_a_contact_stored_meanwhile(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    unclaimed = services._unclaimed

    def another_request_first(workspace: Workspace, data: ContactData) -> ContactData:
        if not Contact.objects.filter(external_id="u-5").exists():
            Contact.objects.create(workspace=workspace, external_id="u-5", name="First")
        return unclaimed(workspace, data)

    monkeypatch.setattr(services, "_unclaimed", another_request_first)
    found = add_contact(workspace, ContactData(external_id="u-5", name="Second"))
    assert found.name == "First"
    assert Contact.objects.get(external_id="u-5").name == "First"


def test_an_email_taken_meanwhile_is_left_off(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    unclaimed = services._unclaimed

    def another_request_first(workspace: Workspace, data: ContactData) -> ContactData:
        cleaned = unclaimed(workspace, data)
        if not Contact.objects.filter(email="bo@example.com").exists():
            Contact.objects.create(workspace=workspace, email="bo@example.com", name="Bo")
        return cleaned

    monkeypatch.setattr(services, "_unclaimed", another_request_first)
    added = add_contact(
        workspace,
        ContactData(external_id="u-6", email="bo@example.com", account_external_id="new-co"),
    )
    assert (added.external_id, added.email) == ("u-6", None)
    assert Contact.objects.get(email="bo@example.com").external_id is None
    assert Account.objects.filter(external_id="new-co").count() == 1


def test_it_needs_an_external_id_and_checks_the_details(workspace: Workspace) -> None:
    with pytest.raises(InvalidInput) as refused:
        add_contact(workspace, ContactData(email="bo@example.com"))
    assert "external_id" in refused.value.errors
    with pytest.raises(InvalidInput) as refused:
        add_contact(workspace, ContactData(external_id="u-6", email="not an email"))
    assert "email" in refused.value.errors
    assert not Contact.objects.exists()
