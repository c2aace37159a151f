"""/accounts: the customer companies contacts belong to."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from npsloop.api.auth import workspace_of
from npsloop.api.errors import ExternalId, answers, reported_at
from npsloop.contacts.accounts import AccountData, upsert_account
from npsloop.contacts.models import Account
from npsloop.contacts.outcome import Outcome
from npsloop.errors import NotFound

router = Router(tags=["accounts"])


class AccountIn(Schema):
    name: str | None = Field(None, description="Left as it is when omitted.")
    properties: dict[str, Any] | None = Field(
        None, description="Merged key by key into the stored properties; null removes a key."
    )


class AccountOut(Schema):
    id: int
    external_id: str
    name: str
    properties: dict[str, Any]
    created_at: datetime
    updated_at: datetime


def account_json(account: Account) -> dict[str, Any]:
    return {
        "id": account.pk,
        "external_id": account.external_id,
        "name": account.name,
        "properties": account.properties,
        "created_at": account.created_at,
        "updated_at": account.updated_at,
    }


@router.put(
    "/{path:external_id}",
    response=answers({200: AccountOut, 201: AccountOut}, 404, 413, 422),
    summary="Create or update an account",
)
def put_account(
    request: HttpRequest, external_id: ExternalId, payload: AccountIn
) -> Status[dict[str, Any]]:
    """Upsert by your external id: 201 when created, 200 otherwise."""
    data = AccountData(external_id=external_id, name=payload.name, properties=payload.properties)
    with reported_at("body", rename={"external_id": ("path", "external_id")}):
        account, outcome = upsert_account(workspace_of(request), data)
    return Status(201 if outcome is Outcome.CREATED else 200, account_json(account))


@router.get(
    "/{path:external_id}", response=answers({200: AccountOut}, 404), summary="Get an account"
)
def get_account(request: HttpRequest, external_id: ExternalId) -> dict[str, Any]:
    account = Account.objects.filter(
        workspace=workspace_of(request), external_id=external_id
    ).first()
    if account is None:
        raise NotFound(f"no account with external_id {external_id!r} in this workspace")
    return account_json(account)
