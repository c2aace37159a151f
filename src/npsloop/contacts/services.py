"""Upserting contacts: the one door for the API, imports, the widget and the admin.

Batches are the unit so that an import of a million rows costs a few queries per
thousand rows; a single upsert is a batch of one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, replace

from django.db import IntegrityError, transaction
from django.utils import timezone

from npsloop.contacts.accounts import ensure_accounts, merge_properties
from npsloop.contacts.bulk import (
    SMALL_BATCH,
    NewContact,
    Row,
    account_ids,
    contacts_matching,
    insert_contacts,
    insert_new,
)
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


def add_contact(workspace: Workspace, data: ContactData) -> Contact:
    """The contact stored under ``data``'s external id, exactly as stored, or else a new one
    made from ``data``: for callers that may name a person but not speak for them (the
    widget without identity verification), so nothing stored ever changes. An email that
    is another contact's is left off the new contact rather than joining the two, and an
    account that exists keeps its name. Raises InvalidInput for data that can't be stored."""
    data = clean_contact_data(data)
    if data.external_id is None:
        raise InvalidInput({"external_id": "a contact added this way needs an external_id"})
    for attempt in range(2):
        stored = Contact.objects.filter(workspace=workspace, external_id=data.external_id).first()
        if stored is not None:
            return stored
        new = _unclaimed(workspace, data)
        try:
            # Only ever an INSERT: a contact (or an email) stored meanwhile by another
            # request fails it, and the second attempt finds what that request stored.
            with transaction.atomic():
                accounts: Mapping[str, Account | int] = {}
                if new.account_external_id:
                    names = {new.account_external_id: new.account_name}
                    accounts, _ = ensure_accounts(workspace, names)
                row = NewContact(workspace.pk)
                _fill(row, new, accounts)
                row.created_at = row.updated_at = timezone.now()
                contact = _stored(row)
                insert_contacts([contact])
            return contact
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


def _unclaimed(workspace: Workspace, data: ContactData) -> ContactData:
    """``data`` without what would change others: an email another contact has, and the
    name of an account that exists."""
    email, account_name = data.email, data.account_name
    if email and Contact.objects.filter(workspace=workspace, email=email).exists():
        email = None
    if (
        account_name is not None
        and Account.objects.filter(
            workspace=workspace, external_id=data.account_external_id
        ).exists()
    ):
        account_name = None
    return replace(data, email=email, account_name=account_name)


def upsert_contacts(
    workspace: Workspace, batch: Sequence[ContactData]
) -> list[Upserted | InvalidInput]:
    """Upsert by external id, else by email; one result per item, in order.

    Rows that fail validation are reported, never stored; the valid rows are stored.
    Later items of a batch apply on top of earlier ones with the same identity.
    """
    return [
        result if isinstance(result, InvalidInput) else Upserted(_stored(result[0]), result[1])
        for result in _upsert(workspace, batch, lean=False)
    ]


def store_contacts(
    workspace: Workspace, batch: Sequence[ContactData], *, cleaned: bool = False
) -> list[Outcome | InvalidInput]:
    """``upsert_contacts`` for callers that need only what happened to each item: imports.

    The contacts it creates never become model instances, which halves an import's work.
    ``cleaned``: every item is what ``clean_contact_data`` returned, so it is not checked
    again (an import checks its rows on the thread that reads them).
    """
    return [
        result if isinstance(result, InvalidInput) else result[1]
        for result in _upsert(workspace, batch, lean=True, cleaned=cleaned)
    ]


Result = tuple[Row, Outcome] | InvalidInput


def _upsert(
    workspace: Workspace, batch: Sequence[ContactData], lean: bool, cleaned: bool = False
) -> list[Result]:
    """Both doors' work. Lean: new contacts are NewContacts, accounts are known by id."""
    results: list[Result | None] = [None] * len(batch)
    valid: list[tuple[int, ContactData]] = []
    if cleaned:
        valid = list(enumerate(batch))
    else:
        for position, data in enumerate(batch):
            try:
                valid.append((position, clean_contact_data(data)))
            except InvalidInput as error:
                results[position] = error
    links_accounts = any(data.account_external_id for _, data in valid)
    # Looking contacts up needs no transaction of its own, and a savepoint costs two round
    # trips: the API's hot path (a known contact, unchanged) only reads. Creating accounts
    # is a write, so a batch that names accounts runs whole in one atomic block.
    with transaction.atomic() if links_accounts else nullcontext():
        accounts = _accounts_for(workspace, [data for _, data in valid], lean)
        known = _ContactIndex(workspace, [data for _, data in valid], lean=lean)
        created, updated = _merge(known, valid, accounts, results)
        if created or updated:
            # Inside the block above this joins it; alone it is the savepoint (or the
            # transaction) that upsert_contact's retry after a concurrent insert needs.
            with transaction.atomic(savepoint=not links_accounts):
                new = [row for row in created if isinstance(row, NewContact)]
                if len(new) >= SMALL_BATCH:
                    insert_new(new)
                else:
                    insert_contacts([_stored(row) for row in created])
                Contact.objects.bulk_update(
                    updated,
                    [*CONTACT_FIELDS, "account", "properties", "updated_at"],
                    batch_size=500,
                )
    return [result for result in results if result is not None]


def _stored(row: Row) -> Contact:
    """The model instance of a contact; a NewContact becomes one (with its id once inserted)."""
    if isinstance(row, Contact):
        return row
    return Contact(**{name: getattr(row, name) for name in NewContact.__slots__})


def _merge(
    known: _ContactIndex,
    cleaned: list[tuple[int, ContactData]],
    accounts: Mapping[str, Account | int],
    results: list[Result | None],
) -> tuple[list[Row], list[Contact]]:
    """Apply each item to its contact in memory; returns the contacts to insert and update."""
    now = timezone.now()
    created: dict[int, Row] = {}
    updated: dict[int, Contact] = {}
    for position, data in cleaned:
        try:
            contact, is_new = known.match(data)
        except InvalidInput as error:
            results[position] = error
            continue
        if is_new and isinstance(contact, NewContact):
            _fill(contact, data, accounts)
            changed = True
        else:
            changed = apply_changes(contact, data, accounts)
        known.remember(contact)
        if is_new:
            contact.created_at = contact.updated_at = now
            created[id(contact)] = contact
            results[position] = (contact, Outcome.CREATED)
        elif changed:
            contact.updated_at = now
            if id(contact) not in created:
                assert isinstance(contact, Contact)
                updated[id(contact)] = contact
            results[position] = (contact, Outcome.UPDATED)
        else:
            results[position] = (contact, Outcome.UNCHANGED)
    return list(created.values()), list(updated.values())


class _ContactIndex:
    """The batch's existing contacts by external id and by email, kept current as it runs."""

    def __init__(self, workspace: Workspace, batch: list[ContactData], lean: bool = False) -> None:
        self.workspace = workspace
        # Lean: contacts not found are NewContacts, for callers that never see them.
        self.lean = lean
        external_ids = {d.external_id for d in batch if d.external_id}
        emails = {d.email for d in batch if d.email}
        self.by_external_id: dict[str, Row] = {}
        self.by_email: dict[str, Row] = {}
        # Only the lookups the batch needs, each with its values as one parameter: building
        # an ORM query of 2,000 values costs more CPU than the database spends answering it.
        found = contacts_matching(workspace, "external_id", external_ids)
        found_by_email = contacts_matching(workspace, "email", emails)
        for contact in [*found, *found_by_email]:
            self.remember(contact)

    def remember(self, contact: Row) -> None:
        if contact.external_id:
            self.by_external_id[contact.external_id] = contact
        if contact.email:
            self.by_email[contact.email] = contact

    def match(self, data: ContactData) -> tuple[Row, bool]:
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
        if self.lean:
            return NewContact(self.workspace.pk), True
        return Contact(workspace=self.workspace), True


def _accounts_for(
    workspace: Workspace, batch: list[ContactData], lean: bool
) -> Mapping[str, Account | int]:
    """The batch's accounts by external id, created or renamed where needed.

    Lean: account ids instead of model instances, and the accounts that are already
    there as named are only read; an import names the same few hundred in every batch.
    """
    names: dict[str, str | None] = {}
    for data in batch:
        if data.account_external_id:
            given = data.account_name
            names[data.account_external_id] = (
                given if given is not None else names.get(data.account_external_id)
            )
    if not names:
        return {}
    if not lean:
        accounts, _ = ensure_accounts(workspace, names)
        return accounts
    found = account_ids(workspace, names)
    ids = {external_id: pk for external_id, (pk, _) in found.items()}
    missing = {
        external_id: name
        for external_id, name in names.items()
        if external_id not in found or (name is not None and name != found[external_id][1])
    }
    if missing:
        accounts, _ = ensure_accounts(workspace, missing)
        ids.update((external_id, account.pk) for external_id, account in accounts.items())
    return ids


def apply_changes(contact: Row, data: ContactData, accounts: Mapping[str, Account | int]) -> bool:
    """Apply a cleaned item to a contact in memory; whether anything changed."""
    changed = False
    for name in CONTACT_FIELDS:
        value = getattr(data, name)
        if value is not None and getattr(contact, name) != value:
            setattr(contact, name, value)
            changed = True
    if data.account_external_id:
        account = accounts[data.account_external_id]
        if isinstance(account, int):
            if contact.account_id != account:
                contact.account_id = account
                changed = True
        elif contact.account_id != account.pk:
            assert isinstance(contact, Contact)
            contact.account = account
            changed = True
    if data.properties:
        merged = merge_properties(contact.properties, data.properties)
        if merged != contact.properties:
            contact.properties = merged
            changed = True
    return changed


def _fill(contact: NewContact, data: ContactData, accounts: Mapping[str, Account | int]) -> None:
    """``apply_changes`` to a contact that is not stored yet, without comparing to blank values."""
    contact.external_id = data.external_id
    contact.email = data.email
    if data.name is not None:
        contact.name = data.name
    if data.locale is not None:
        contact.locale = data.locale
    contact.signed_up_at = data.signed_up_at
    if data.account_external_id:
        account = accounts[data.account_external_id]
        contact.account_id = account if isinstance(account, int) else account.pk
    if data.properties:
        contact.properties = {
            key: value for key, value in data.properties.items() if value is not None
        }
