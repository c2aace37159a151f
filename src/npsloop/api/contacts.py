"""/contacts: upsert, read, list and erase the people who are asked."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from npsloop.api.auth import workspace_of
from npsloop.api.errors import ExternalId, answers, reported_at
from npsloop.api.moments import Bound, Moment, start_of
from npsloop.api.pagination import PageParams, paginate
from npsloop.contacts.fields import MAX_EMAIL, MAX_NAME, ContactData
from npsloop.contacts.models import Contact
from npsloop.contacts.services import upsert_contact
from npsloop.errors import NotFound
from npsloop.surveys.erasure import erase_contact
from npsloop.workspaces.models import Workspace

router = Router(tags=["contacts"])


class AccountRef(Schema):
    external_id: str = Field(description="Your id of the customer company; created if new.")
    name: str | None = Field(None, description="Renames the account when given.")


class ContactFields(Schema):
    """What a caller may say about a person; a field left out or null stays as it is."""

    email: str | None = Field(None, json_schema_extra={"maxLength": MAX_EMAIL})
    name: str | None = Field(None, json_schema_extra={"maxLength": MAX_NAME})
    locale: str | None = Field(None, description="A language tag like en, de-CH or pt_BR.")
    signed_up_at: Moment | None = None
    account: AccountRef | None = None
    properties: dict[str, Any] | None = Field(
        None,
        description=(
            "Merged key by key into the stored properties; a key given as null is removed. "
            "Values are text, numbers or booleans."
        ),
    )


class AccountSummary(Schema):
    external_id: str
    name: str


class ContactOut(Schema):
    id: int
    external_id: str | None
    email: str | None
    name: str
    locale: str
    signed_up_at: datetime | None
    account: AccountSummary | None
    properties: dict[str, Any]
    unsubscribed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ContactPage(Schema):
    items: list[ContactOut]
    next_cursor: str | None


class Erased(Schema):
    erased: bool
    responses_anonymised: int = Field(
        description="Responses whose comment, answers and properties were blanked."
    )


def contact_data(external_id: str | None, fields: ContactFields) -> ContactData:
    account = fields.account
    return ContactData(
        external_id=external_id,
        email=fields.email,
        name=fields.name,
        locale=fields.locale,
        signed_up_at=fields.signed_up_at,
        account_external_id=account.external_id if account else None,
        account_name=account.name if account else None,
        properties=fields.properties,
    )


def contact_json(contact: Contact) -> dict[str, Any]:
    account = contact.account
    return {
        "id": contact.pk,
        "external_id": contact.external_id,
        "email": contact.email,
        "name": contact.name,
        "locale": contact.locale,
        "signed_up_at": contact.signed_up_at,
        "account": {"external_id": account.external_id, "name": account.name} if account else None,
        "properties": contact.properties,
        "unsubscribed_at": contact.unsubscribed_at,
        "created_at": contact.created_at,
        "updated_at": contact.updated_at,
    }


def _contact(workspace: Workspace, external_id: str) -> Contact:
    contact = (
        Contact.objects.select_related("account")
        .filter(workspace=workspace, external_id=external_id)
        .first()
    )
    if contact is None:
        raise NotFound(f"no contact with external_id {external_id!r} in this workspace")
    return contact


@router.put(
    "/{path:external_id}",
    response=answers({200: ContactOut, 201: ContactOut}, 404, 413, 422),
    summary="Create or update a contact",
)
def put_contact(
    request: HttpRequest, external_id: ExternalId, payload: ContactFields
) -> Status[dict[str, Any]]:
    """Upsert by your external id: 201 when created, 200 otherwise.

    Fields left out (or null) keep their stored value; properties merge key by key.
    """
    with reported_at("body", rename={"external_id": ("path", "external_id")}):
        upserted = upsert_contact(workspace_of(request), contact_data(external_id, payload))
    status = 201 if upserted.outcome == "created" else 200
    return Status(status, contact_json(upserted.contact))


@router.get(
    "/{path:external_id}", response=answers({200: ContactOut}, 404), summary="Get a contact"
)
def get_contact(request: HttpRequest, external_id: ExternalId) -> dict[str, Any]:
    return contact_json(_contact(workspace_of(request), external_id))


@router.get("", response=answers({200: ContactPage}, 422), summary="List contacts")
def list_contacts(
    request: HttpRequest,
    page: Query[PageParams],
    email: str | None = None,
    updated_since: Bound | None = None,
) -> dict[str, Any]:
    """Contacts in the order they were created, optionally one email or recent changes."""
    workspace = workspace_of(request)
    rows = Contact.objects.select_related("account").filter(workspace=workspace)
    if email is not None:
        rows = rows.filter(email=email.strip().lower())
    if updated_since is not None:
        rows = rows.filter(updated_at__gte=start_of(updated_since, workspace))
    return paginate(rows, page, contact_json)


@router.delete(
    "/{path:external_id}",
    response=answers({200: Erased}, 404),
    summary="Erase a contact (right to be forgotten)",
    description=(
        "Deletes the contact and blanks the personal data in every response they gave: "
        "the comment, the answers to extra questions and the snapshot of their properties. "
        "**Their scores stay counted, anonymously**: each response keeps its score, channel, "
        "survey and date without any link to the person, so every NPS computed before and "
        "after the erasure is the same. Erased responses show `contact: null` and "
        "`erased: true`. This cannot be undone."
    ),
)
def delete_contact(request: HttpRequest, external_id: ExternalId) -> dict[str, Any]:
    contact = _contact(workspace_of(request), external_id)
    return {"erased": True, "responses_anonymised": erase_contact(contact)}
