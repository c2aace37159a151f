"""/surveys/{id}/asks: asking contacts to answer a survey."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from npsloop.api.auth import workspace_of
from npsloop.api.errors import answers, field_error, one_of, reported_at
from npsloop.api.moments import Moment
from npsloop.errors import NotFound
from npsloop.program.asks import (
    ASKABLE_CHANNELS,
    MAX_DELAY_MINUTES,
    AskReport,
    ContactFilter,
    ask_contacts,
    ask_matching,
    delay_of,
)
from npsloop.program.rules import ASK_REASONS
from npsloop.surveys.models import Survey

MAX_CONTACTS = 10_000
router = Router(tags=["asks"])


class FilterIn(Schema):
    properties: dict[str, str | int | float | bool] = Field(
        default_factory=dict, description="Contact properties that must equal these values."
    )
    account: str | None = Field(None, description="The account's external id.")
    signed_up_after: Moment | None = None
    signed_up_before: Moment | None = None


class AsksIn(Schema):
    contacts: list[str] | None = Field(
        None,
        description=f"External ids or emails, at most {MAX_CONTACTS:,}.",
        json_schema_extra={"maxItems": MAX_CONTACTS},
    )
    filter: FilterIn | None = Field(None, description="Instead of `contacts`: who to ask.")
    channel: str = Field(
        "email",
        description="In-app asks are made by the widget.",
        json_schema_extra=one_of(ASKABLE_CHANNELS),
    )
    delay_minutes: int = Field(
        0,
        description="Send this many minutes from now.",
        json_schema_extra={"minimum": 0, "maximum": MAX_DELAY_MINUTES},
    )


class ScheduledOut(Schema):
    ask_id: int
    contact_id: int
    contact: str = Field(description="The contact's external id, else email.")
    due_at: datetime


class SkippedOut(Schema):
    contact: str
    reason: str = Field(
        description="Why the contact is not asked; see docs/programme.md for each reason.",
        json_schema_extra=one_of(ASK_REASONS),
    )


class AsksOut(Schema):
    scheduled: list[ScheduledOut]
    skipped: list[SkippedOut]


@router.post(
    "/{int:survey_id}/asks",
    response=answers({200: AsksOut}, 404, 413, 422),
    summary="Ask contacts",
    description=(
        "Schedule an email ask for each contact named in `contacts`, or matched by "
        "`filter`. Contacts the rules keep from being asked are listed in `skipped` "
        "with the reason; the others are sent by the worker when due."
    ),
)
def post_asks(request: HttpRequest, survey_id: int, payload: AsksIn) -> dict[str, Any]:
    workspace = workspace_of(request)
    survey = Survey.objects.filter(workspace=workspace, pk=survey_id).first()
    if survey is None:
        raise NotFound(f"no survey with id {survey_id} in this workspace")
    survey.workspace = workspace
    if (payload.contacts is None) == (payload.filter is None):
        raise field_error(("body",), "send either `contacts` or `filter`, not both or neither")
    if payload.contacts is not None and len(payload.contacts) > MAX_CONTACTS:
        raise field_error(
            ("body", "contacts"),
            f"at most {MAX_CONTACTS:,} contacts per request, got {len(payload.contacts):,}; "
            "split the list or use `filter`",
        )
    with reported_at("body", rename={"delay": ("body", "delay_minutes")}):
        delay = delay_of(payload.delay_minutes)
        if payload.contacts is not None:
            report = ask_contacts(survey, payload.contacts, channel=payload.channel, delay=delay)
        else:
            assert payload.filter is not None
            contact_filter = ContactFilter(**payload.filter.dict())
            report = ask_matching(survey, contact_filter, channel=payload.channel, delay=delay)
    return report_json(report)


def report_json(report: AskReport) -> dict[str, Any]:
    return {
        "scheduled": [
            {
                "ask_id": ask.pk,
                "contact_id": ask.contact_id,
                "contact": ask.person.external_id or ask.person.email,
                "due_at": ask.due_at,
            }
            for ask in report.scheduled
        ],
        "skipped": [{"contact": s.contact, "reason": s.reason} for s in report.skipped],
    }
