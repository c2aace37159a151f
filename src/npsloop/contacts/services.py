"""Upserting contacts: the one door for the API, imports, the widget and the admin.

Batches are the unit so that an import of a million rows costs a few queries per
thousand rows; a single upsert is a batch of one.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from npsloop.contacts.accounts import ensure_accounts, merge_properties
from npsloop.contacts.bulk import contacts_matching, insert_contacts
from npsloop.contacts.fields import ContactData, clean_contact_data
from npsloop.contacts.models import Account, Contact
from npsloop.contacts.outcome import Outcome
from npsloop.errors import InvalidInput
from npsloop.workspaces.models import Workspace

CONTACT_FIELDS = ("external_id", "email", "name", "locale", "signed_up_at")


@dataclass
class Upserted:
    contact: Contact
    outcome: Outcome


def upsert_contact(workspace: Workspace, data: ContactData) -> Upserted:
    """Create or update one contact; raises InvalidInput when it can't be stored."""
    for attempt in range(2):
        try:
            result = upsert_contacts(workspace, [data])[0]
        except IntegrityError:
            # Another request created the same contact between our read and our write;
            # the second attempt finds it and updates it instead.
            if attempt:
                raise
            continue
        if isinstance(result, InvalidInput):
            raise result
        return result
    raise AssertionError("unreachable")


def upsert_contacts(
    workspace: Workspace, batch: Sequence[ContactData]
) -> list[Upserted | InvalidInput]:
    """Upsert by external id, else by email; one result per item, in order.

    Rows that fail validation are reported, never stored; the valid rows are stored.
    Later items of a batch apply on top of earlier ones with the same identity.
    """
    results: list[Upserted | InvalidInput | None] = [None] * len(batch)
    cleaned: list[tuple[int, ContactData]] = []
    for position, data in enumerate(batch):
        try:
            cleaned.append((position, clean_contact_data(data)))
        except InvalidInput as error:
            results[position] = error
    links_accounts = any(data.account_external_id for _, data in cleaned)
    # Looking contacts up needs no transaction of its own, and a savepoint costs two round
    # trips: the API's hot path (a known contact, unchanged) only reads. Creating accounts
    # is a write, so a batch that names accounts runs whole in one atomic block.
    with transaction.atomic() if links_accounts else nullcontext():
        accounts = _accounts_for(workspace, [data for _, data in cleaned])
        known = _ContactIndex(workspace, [data for _, data in cleaned])
        created, updated = _merge(known, cleaned, accounts, results)
        if created or updated:
            # Inside the block above this joins it; alone it is the savepoint (or the
            # transaction) that upsert_contact's retry after a concurrent insert needs.
            with transaction.atomic(savepoint=not links_accounts):
                insert_contacts(created)
                Contact.objects.bulk_update(
                    updated,
                    [*CONTACT_FIELDS, "account", "properties", "updated_at"],
                    batch_size=500,
                )
    return [result for result in results if result is not None]


def _merge(
    known: _ContactIndex,
    cleaned: list[tuple[int, ContactData]],
    accounts: dict[str, Account],
    results: list[Upserted | InvalidInput | None],
) -> tuple[list[Contact], list[Contact]]:
    """Apply each item to its contact in memory; returns the contacts to insert and update."""
    now = timezone.now()
    created: dict[int, Contact] = {}
    updated: dict[int, Contact] = {}
    for position, data in cleaned:
        try:
            contact, is_new = known.match(data)
        except InvalidInput as error:
            results[position] = error
            continue
        changed = _apply(contact, data, accounts)
        known.remember(contact)
        if is_new:
            contact.created_at = contact.updated_at = now
            created[id(contact)] = contact
            results[position] = Upserted(contact, Outcome.CREATED)
        elif changed:
            contact.updated_at = now
            if id(contact) not in created:
                updated[id(contact)] = contact
            results[position] = Upserted(contact, Outcome.UPDATED)
        else:
            results[position] = Upserted(contact, Outcome.UNCHANGED)
    return list(created.values()), list(updated.values())


class _ContactIndex:
    """The batch's existing contacts by external id and by email, kept current as it runs."""

    def __init__(self, workspace: Workspace, batch: list[ContactData]) -> None:
        self.workspace = workspace
        external_ids = {d.external_id for d in batch if d.external_id}
        emails = {d.email for d in batch if d.email}
        self.by_external_id: dict[str, Contact] = {}
        self.by_email: dict[str, Contact] = {}
        # Only the lookups the batch needs, each with its values as one parameter: building
        # an ORM query of 2,000 values costs more CPU than the database spends answering it.
        found = contacts_matching(workspace, "external_id", external_ids)
        found_by_email = contacts_matching(workspace, "email", emails)
        for contact in [*found, *found_by_email]:
            self.remember(contact)

    def remember(self, contact: Contact) -> None:
        if contact.external_id:
            self.by_external_id[contact.external_id] = contact
        if contact.email:
            self.by_email[contact.email] = contact

    def match(self, data: ContactData) -> tuple[Contact, bool]:
        contact = self.by_external_id.get(data.external_id) if data.external_id else None
        holder = self.by_email.get(data.email) if data.email else None
        if contact is None and holder is not None:
            if data.external_id and holder.external_id and holder.external_id != data.external_id:
                raise InvalidInput(
                    {"email": f"{data.email} belongs to the contact {holder.external_id!r}"}
                )
            contact = holder
        elif contact is not None and holder is not None and holder is not contact:
            raise InvalidInput(
                {"email": f"{data.email} belongs to another contact ({holder.external_id!r})"}
            )
        if contact is not None:
            if data.email and contact.email and contact.email != data.email:
                self.by_email.pop(contact.email, None)
            return contact, False
        return Contact(workspace=self.workspace), True


def _accounts_for(workspace: Workspace, batch: list[ContactData]) -> dict[str, Account]:
    names: dict[str, str | None] = {}
    for data in batch:
        if data.account_external_id:
            given = data.account_name
            names[data.account_external_id] = (
                given if given is not None else names.get(data.account_external_id)
            )
    if not names:
        return {}
    accounts, _ = ensure_accounts(workspace, names)
    return accounts


def _apply(contact: Contact, data: ContactData, accounts: dict[str, Account]) -> bool:
    changed = False
    for name in CONTACT_FIELDS:
        value = getattr(data, name)
        if value is not None and getattr(contact, name) != value:
            setattr(contact, name, value)
            changed = True
    if data.account_external_id:
        account = accounts[data.account_external_id]
        if contact.account_id != account.pk:
            contact.account = account
            changed = True
    if data.properties:
        merged = merge_properties(contact.properties, data.properties)
        if merged != contact.properties:
            contact.properties = merged
            changed = True
    return changed
