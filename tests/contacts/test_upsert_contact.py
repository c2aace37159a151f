from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.db import IntegrityError, transaction

from npsloop.contacts.bulk import insert_contacts
from npsloop.contacts.fields import ContactData
from npsloop.contacts.models import Account, Contact
from npsloop.contacts.outcome import Outcome
from npsloop.contacts.services import upsert_contact, upsert_contacts
from npsloop.errors import InvalidInput
from npsloop.workspaces.models import Workspace

PLUS_ONE = timezone(timedelta(hours=1))


def test_it_creates_then_updates_then_leaves_a_contact_unchanged(workspace: Workspace) -> None:
    data = ContactData(external_id="u1", email="Ann@Example.com", name="Ann")
    assert upsert_contact(workspace, data).outcome is Outcome.CREATED
    assert upsert_contact(workspace, data).outcome is Outcome.UNCHANGED
    changed = ContactData(external_id="u1", name="Ann Lee")
    assert upsert_contact(workspace, changed).outcome is Outcome.UPDATED
    contact = Contact.objects.get()
    assert (contact.email, contact.name) == ("ann@example.com", "Ann Lee")


def test_it_finds_a_contact_by_email_and_adopts_the_external_id(workspace: Workspace) -> None:
    upsert_contact(workspace, ContactData(email="bo@example.com"))
    result = upsert_contact(workspace, ContactData(external_id="u9", email="bo@example.com"))
    assert result.outcome is Outcome.UPDATED
    assert Contact.objects.get().external_id == "u9"


def test_it_refuses_an_email_that_belongs_to_another_contact(workspace: Workspace) -> None:
    upsert_contact(workspace, ContactData(external_id="u1", email="a@example.com"))
    upsert_contact(workspace, ContactData(external_id="u2", email="b@example.com"))
    with pytest.raises(InvalidInput) as error:
        upsert_contact(workspace, ContactData(external_id="u2", email="a@example.com"))
    assert "belongs to another contact" in error.value.errors["email"]
    assert Contact.objects.get(external_id="u2").email == "b@example.com"


def test_it_merges_properties_and_removes_those_given_as_null(workspace: Workspace) -> None:
    upsert_contact(workspace, ContactData(external_id="u1", properties={"plan": "pro", "seats": 3}))
    upsert_contact(workspace, ContactData(external_id="u1", properties={"seats": None, "x": True}))
    assert Contact.objects.get().properties == {"plan": "pro", "x": True}


def test_it_links_the_account_and_names_it(workspace: Workspace) -> None:
    upsert_contact(
        workspace,
        ContactData(external_id="u1", account_external_id="acc-1", account_name="Initech"),
    )
    contact = Contact.objects.select_related("account").get()
    assert contact.account is not None
    assert (contact.account.external_id, contact.account.name) == ("acc-1", "Initech")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (ContactData(), "external_id", "a contact needs an external_id or an email"),
        (ContactData(email="not-an-email"), "email", "must be an email address"),
        (ContactData(external_id="  "), "external_id", "must not be empty"),
        (ContactData(external_id="u", locale="english!"), "locale", "must be a language tag"),
        (
            ContactData(external_id="u", signed_up_at=datetime(2024, 1, 1)),
            "signed_up_at",
            "with a time zone offset",
        ),
        (
            ContactData(external_id="u", signed_up_at=datetime(1, 1, 1, tzinfo=PLUS_ONE)),
            "signed_up_at",
            "must be a date and time from 1970-01-01 to 2100-01-01",
        ),
        (ContactData(external_id="u", properties={"x": {"a": 1}}), "properties.x", "must be a"),
        (ContactData(external_id="u", account_name="No id"), "account.external_id", "needs"),
    ],
)
def test_it_rejects_bad_contacts_and_stores_nothing(
    workspace: Workspace, data: ContactData, field: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as error:
        upsert_contact(workspace, data)
    assert message in error.value.errors[field]
    assert not Contact.objects.exists()
    assert not Account.objects.exists()


def test_it_stores_the_valid_rows_of_a_batch_and_reports_the_others(workspace: Workspace) -> None:
    results = upsert_contacts(
        workspace,
        [
            ContactData(external_id="u1", signed_up_at=datetime(2024, 1, 1, tzinfo=UTC)),
            ContactData(email="broken"),
            ContactData(external_id="u1", name="Later wins"),
            ContactData(external_id="u2"),
        ],
    )
    assert [type(r).__name__ for r in results] == [
        "Upserted",
        "InvalidInput",
        "Upserted",
        "Upserted",
    ]
    assert sorted(Contact.objects.values_list("external_id", "name")) == [
        ("u1", "Later wins"),
        ("u2", ""),
    ]


def test_it_keeps_workspaces_apart(workspace: Workspace, other_workspace: Workspace) -> None:
    upsert_contact(workspace, ContactData(external_id="u1", email="a@example.com"))
    result = upsert_contact(other_workspace, ContactData(external_id="u1", email="a@example.com"))
    assert result.outcome is Outcome.CREATED
    assert Contact.objects.count() == 2


@pytest.mark.parametrize("size", [1, 60])
def test_it_reports_a_concurrent_insert_of_the_same_contact_as_an_integrity_error(
    workspace: Workspace, size: int
) -> None:
    """What upsert_contact retries on, for the one-row path and the bulk path alike."""
    upsert_contact(workspace, ContactData(external_id="u0"))
    contacts = [Contact(workspace=workspace, external_id=f"u{i}") for i in range(size)]
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_contacts(contacts)
