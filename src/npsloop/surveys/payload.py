"""A response as the outside world sees it: the shape of GET /api/v1/responses/{id}, used
for the data of its events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from npsloop.contacts.models import Account, Contact
from npsloop.events.log import moment
from npsloop.surveys.models import Response


def response_data(
    response: Response, show_time: Callable[[datetime], object] = moment
) -> dict[str, Any]:
    """The response as the API shows it; times as text (for an event's JSON) unless
    ``show_time`` says otherwise (the API's schema renders datetimes itself)."""
    contact = response.contact
    return {
        "id": response.pk,
        "survey": response.survey_id,
        "contact": {"external_id": contact.external_id, "email": contact.email}
        if contact
        else None,
        "account": _account_external_id(response),
        "score": response.score,
        "category": response.category,
        "comment": response.comment,
        "answers": response.answers,
        "channel": response.channel,
        "properties": response.properties,
        "created_at": show_time(response.created_at),
        "updated_at": show_time(response.updated_at),
        "erased": response.erased_at is not None,
    }


def _account_external_id(response: Response) -> str | None:
    if response.account_id is None:
        return None
    if Response.account.is_cached(response):
        return response.account.external_id if response.account else None
    contact = response.contact
    if (
        contact is not None
        and contact.account_id == response.account_id
        and Contact.account.is_cached(contact)
    ):
        return contact.account.external_id if contact.account else None
    return (
        Account.objects.filter(pk=response.account_id).values_list("external_id", flat=True).first()
    )
