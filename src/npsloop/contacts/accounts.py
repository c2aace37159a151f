"""Upserting customer companies (accounts)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from npsloop.contacts.fields import MAX_ID, MAX_NAME, check_properties
from npsloop.contacts.models import Account
from npsloop.contacts.outcome import Outcome
from npsloop.errors import InvalidInput
from npsloop.workspaces.models import Workspace


@dataclass
class AccountData:
    external_id: str
    name: str | None = None
    properties: dict[str, object] | None = None


def upsert_account(workspace: Workspace, data: AccountData) -> tuple[Account, Outcome]:
    """Create or update one account by its external id."""
    errors: dict[str, str] = {}
    external_id = data.external_id.strip()
    if not external_id or len(external_id) > MAX_ID:
        errors["external_id"] = f"must be 1 to {MAX_ID} characters, got {data.external_id!r}"
    if data.name is not None and len(data.name) > MAX_NAME:
        errors["name"] = f"must be at most {MAX_NAME} characters, got {len(data.name)}"
    if data.properties is not None:
        check_properties(data.properties, errors)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        accounts, created = ensure_accounts(workspace, {external_id: data.name})
        account = accounts[external_id]
        outcome = Outcome.CREATED if created else Outcome.UNCHANGED
        if data.properties is not None:
            merged = merge_properties(account.properties, data.properties)
            if merged != account.properties:
                account.properties = merged
                account.updated_at = timezone.now()
                account.save(update_fields=["properties", "updated_at"])
                outcome = outcome if outcome is Outcome.CREATED else Outcome.UPDATED
        return account, outcome


def ensure_accounts(
    workspace: Workspace, names: dict[str, str | None]
) -> tuple[dict[str, Account], set[str]]:
    """Accounts for these external ids, created where missing, renamed where a name is given.

    Returns the accounts by external id and the external ids that were created.
    """
    existing = {
        a.external_id: a
        for a in Account.objects.filter(workspace=workspace, external_id__in=list(names))
    }
    now = timezone.now()
    missing = [
        Account(
            workspace=workspace, external_id=eid, name=name or "", created_at=now, updated_at=now
        )
        for eid, name in names.items()
        if eid not in existing
    ]
    renamed = []
    for eid, name in names.items():
        account = existing.get(eid)
        if account is not None and name is not None and account.name != name:
            account.name = name
            account.updated_at = now
            renamed.append(account)
    Account.objects.bulk_create(missing, batch_size=1000)
    Account.objects.bulk_update(renamed, ["name", "updated_at"], batch_size=1000)
    for account in missing:
        existing[account.external_id] = account
    return existing, {account.external_id for account in missing}


def merge_properties(stored: dict[str, object], given: dict[str, object]) -> dict[str, object]:
    """Given keys replace stored ones; a key given as None is removed."""
    merged = dict(stored)
    for key, value in given.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged
