"""store_contacts (what imports use) stores exactly what upsert_contacts stores."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from npsloop.contacts.fields import ContactData
from npsloop.contacts.models import Contact
from npsloop.contacts.outcome import Outcome
from npsloop.contacts.services import Upserted, store_contacts, upsert_contacts
from npsloop.errors import InvalidInput
from npsloop.workspaces.models import Workspace

AWKWARD = 'tab\there, back\\slash \\N, "quotes", line\r\nbreak, emoji 🎉'


def batch(size: int) -> list[ContactData]:
    people = [
        ContactData(
            external_id=f"u{n}" if n % 3 else None,
            email=f"Person{n}@Example.com" if n % 4 else None,
            name=AWKWARD if n % 5 == 0 else f"Person {n}",
            locale="de-CH" if n % 2 else None,
            signed_up_at=datetime(2024, 1, 1 + n % 28, 9, 30, tzinfo=UTC) if n % 2 else None,
            account_external_id=f"acct-{n % 4}" if n % 6 else None,
            account_name=f"Company {n % 4}" if n % 12 == 1 else None,
            properties={"plan": "pro", "note": AWKWARD, "gone": None, "seats": n, "ok": True}
            if n % 7
            else None,
        )
        for n in range(1, size + 1)
    ]
    # Later items apply on top of earlier ones, also to contacts new in this batch.
    people.append(ContactData(external_id="u1", name="Renamed", properties={"plan": None}))
    people.append(ContactData(email="not an address"))
    people.append(ContactData(external_id="u2", email="person1@example.com"))
    return people


def stored(workspace: Workspace) -> list[tuple[object, ...]]:
    return sorted(
        (
            c.external_id or "",
            c.email or "",
            c.name,
            c.locale,
            c.signed_up_at,
            c.account.external_id if c.account else None,
            c.account.name if c.account else None,
            c.properties,
        )
        for c in Contact.objects.filter(workspace=workspace).select_related("account")
    )


def outcomes_of(results: list[Upserted | InvalidInput]) -> list[object]:
    return [r.errors if isinstance(r, InvalidInput) else r.outcome for r in results]


def errors_of(outcomes: list[Outcome | InvalidInput]) -> list[object]:
    return [o.errors if isinstance(o, InvalidInput) else o for o in outcomes]


@pytest.mark.parametrize("size", [3, 120])
def test_it_stores_and_reports_what_upsert_contacts_does(
    workspace: Workspace, other_workspace: Workspace, size: int
) -> None:
    for _ in range(2):  # the second time round finds every contact stored
        upserted = upsert_contacts(workspace, batch(size))
        outcomes = store_contacts(other_workspace, batch(size))

        assert errors_of(outcomes) == outcomes_of(upserted)
        assert stored(other_workspace) == stored(workspace)
    renamed = Contact.objects.get(workspace=other_workspace, external_id="u1")
    assert (renamed.name, renamed.email) == ("Renamed", "person1@example.com")
    assert "plan" not in renamed.properties and "gone" not in renamed.properties
    refused, taken = outcomes[-2:]
    assert isinstance(refused, InvalidInput) and "email address" in refused.errors["email"]
    assert isinstance(taken, InvalidInput) and "belongs to" in taken.errors["email"]
