"""Contact rules: whether a contact may be asked now. Scheduling an ask, sending it, and
(later) the widget and the planner all ask here, so a rule holds on every channel."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from npsloop.contacts.models import Contact
from npsloop.program.models import PENDING_STATUSES, SurveyRequest
from npsloop.surveys.models import Channel, Response, Survey

# Keeps each IN (...) list well under SQLite's and PostgreSQL's parameter limits.
CHUNK = 500


class Skip(StrEnum):
    """Why a contact is not asked. The values are what users read in API answers and
    reports."""

    UNKNOWN = "unknown contact"
    UNSUBSCRIBED = "unsubscribed"
    BOUNCED = "bounced"
    NO_EMAIL = "no email address"
    PENDING = "already pending"
    COOLDOWN = "cooldown"
    LISTED_TWICE = "listed twice"


def cooldown_start(survey: Survey, now: datetime) -> datetime:
    return now - timedelta(days=survey.effective_cooldown_days)


def skip_reasons(
    survey: Survey,
    contacts: Sequence[Contact],
    channel: str,
    now: datetime,
    *,
    ignoring: Collection[int] = (),
) -> dict[int, Skip]:
    """For every contact that may not be asked now, why; contacts that may be asked are
    absent. A handful of queries per 500 contacts, whatever their history.

    `ignoring` holds the ids of the asks being sent, which must not count against
    themselves.
    """
    reasons: dict[int, Skip] = {}
    for contact in contacts:
        if contact.unsubscribed_at is not None:
            reasons[contact.pk] = Skip.UNSUBSCRIBED
        elif channel == Channel.EMAIL and contact.bounced_at is not None:
            reasons[contact.pk] = Skip.BOUNCED
        elif channel == Channel.EMAIL and not contact.email:
            reasons[contact.pk] = Skip.NO_EMAIL
    rest = [contact.pk for contact in contacts if contact.pk not in reasons]
    since = cooldown_start(survey, now)
    for chunk in _chunks(rest):
        asks = SurveyRequest.objects.filter(contact_id__in=chunk)
        if ignoring:
            asks = asks.exclude(pk__in=ignoring)
        for contact_id in asks.filter(status__in=PENDING_STATUSES).values_list(
            "contact_id", flat=True
        ):
            reasons[contact_id] = Skip.PENDING
        asked = asks.filter(sent_at__gte=since).values_list("contact_id", flat=True)
        answered = Response.objects.filter(contact_id__in=chunk, created_at__gte=since).values_list(
            "contact_id", flat=True
        )
        for contact_id in [*asked, *answered]:
            reasons.setdefault(contact_id, Skip.COOLDOWN)
    return reasons


class AskFacts(Protocol):
    """What the rules read of an ask."""

    @property
    def id(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def sent_at(self) -> datetime | None: ...


def skip_reason_of(
    contact: Contact,
    asks: Iterable[AskFacts],
    last_answer: datetime | None,
    channel: str,
    since: datetime,
    *,
    ignoring: Collection[int] = (),
) -> Skip | None:
    """``skip_reasons`` for one contact whose history is already read: its asks that are
    pending or were sent since ``since`` (others may be among them) and when it last
    answered. The widget decides per page view from one read; a test holds the two equal."""
    if contact.unsubscribed_at is not None:
        return Skip.UNSUBSCRIBED
    if channel == Channel.EMAIL and contact.bounced_at is not None:
        return Skip.BOUNCED
    if channel == Channel.EMAIL and not contact.email:
        return Skip.NO_EMAIL
    counted = [ask for ask in asks if ask.id not in ignoring]
    if any(ask.status in PENDING_STATUSES for ask in counted):
        return Skip.PENDING
    if last_answer is not None and last_answer >= since:
        return Skip.COOLDOWN
    if any(ask.sent_at is not None and ask.sent_at >= since for ask in counted):
        return Skip.COOLDOWN
    return None


def device_skip_reason(
    survey: Survey, device: str, now: datetime, *, ignoring: Collection[int] = ()
) -> Skip | None:
    """The cooldown of an anonymous widget visitor, kept per device: asked (shown) or
    answered on this device within the cooldown."""
    since = cooldown_start(survey, now)
    asks = SurveyRequest.objects.filter(
        workspace_id=survey.workspace_id, contact__isnull=True, device=device, sent_at__gte=since
    ).exclude(pk__in=ignoring)
    return Skip.COOLDOWN if asks.exists() else None


def reminder_stops(ask: SurveyRequest) -> str | None:
    """Why a reminder for this ask must not go out, or None. Answering anything since the
    ask (any survey, any channel) counts: the person has been heard."""
    contact = ask.person
    if contact.unsubscribed_at is not None:
        return Skip.UNSUBSCRIBED
    if contact.bounced_at is not None:
        return Skip.BOUNCED
    if ask.response_id is not None:
        return "already answered"
    since = ask.sent_at or ask.created_at
    if Response.objects.filter(contact=contact, created_at__gte=since).exists():
        return "already answered"
    return None


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    batch: list[int] = []
    for value in ids:
        batch.append(value)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch
