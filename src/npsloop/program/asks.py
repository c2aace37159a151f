"""The life of an ask, except while it is emailed (program/sending.py) and once answered
(program/answers.py): scheduled by hand (the API, the CLI) or by the planner, shown, dismissed
and expired in the widget, cancelled when its person unsubscribes. No module outside
program/ writes an ask."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from npsloop.contacts.models import Contact
from npsloop.errors import InvalidInput
from npsloop.moments import BadMoment, checked_moment
from npsloop.program.models import AskStatus, SurveyRequest
from npsloop.program.rules import CHUNK, Skip, skip_reasons
from npsloop.surveys.models import Channel, Survey

MAX_DELAY = timedelta(days=365)
MAX_DELAY_MINUTES = MAX_DELAY // timedelta(minutes=1)
DELAY_RANGE = f"must be from 0 to {MAX_DELAY.days} days ({MAX_DELAY_MINUTES:,} minutes)"
PROPERTY_NAME = re.compile(r"[A-Za-z0-9_-]{1,100}")
# Channels an ask can be scheduled on by hand; in-app asks come from the widget.
ASKABLE_CHANNELS = (Channel.EMAIL,)


@dataclass
class Skipped:
    contact: str
    reason: str


@dataclass
class AskReport:
    scheduled: list[SurveyRequest] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


@dataclass
class ContactFilter:
    """Contacts whose properties equal these values, in this account (external id),
    signed up in this range. Every given condition must hold."""

    properties: dict[str, object] = field(default_factory=dict)
    account: str | None = None
    signed_up_after: datetime | None = None
    signed_up_before: datetime | None = None


def delay_of(minutes: int) -> timedelta:
    """The delay the API and the CLI give in minutes, or InvalidInput ("delay") beyond the
    range: checked before it becomes a timedelta, which can't hold 10^14 minutes at all."""
    if not 0 <= minutes <= MAX_DELAY_MINUTES:
        raise InvalidInput({"delay": f"{DELAY_RANGE}, got {minutes:,} minutes"})
    return timedelta(minutes=minutes)


def ask_contacts(
    survey: Survey,
    identifiers: Sequence[str],
    *,
    channel: str = Channel.EMAIL,
    delay: timedelta = timedelta(0),
) -> AskReport:
    """Schedule an ask for every contact named by external id or email (tried in that
    order); report each one that is skipped, with the reason."""
    errors = _check(survey, channel, delay)
    if not isinstance(identifiers, list | tuple) or not all(
        isinstance(item, str) and item.strip() for item in identifiers
    ):
        errors["contacts"] = "must be a list of contact external ids or emails (non-empty text)"
    if errors:
        raise InvalidInput(errors)
    report = AskReport()
    by_external_id: dict[str, Contact] = {}
    by_email: dict[str, Contact] = {}
    wanted = [item.strip() for item in identifiers]
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        lowered = [item.lower() for item in chunk]
        for contact in Contact.objects.filter(
            Q(external_id__in=chunk) | Q(email__in=lowered), workspace_id=survey.workspace_id
        ):
            if contact.external_id is not None:
                by_external_id[contact.external_id] = contact
            if contact.email is not None:
                by_email[contact.email] = contact
    contacts: list[Contact] = []
    seen: set[int] = set()
    for item in wanted:
        match = by_external_id.get(item) or by_email.get(item.lower())
        if match is None:
            report.skipped.append(Skipped(item, Skip.UNKNOWN))
        elif match.pk in seen:
            report.skipped.append(Skipped(item, Skip.LISTED_TWICE))
        else:
            seen.add(match.pk)
            contacts.append(match)
    _schedule(survey, contacts, channel, delay, report)
    return report


def ask_matching(
    survey: Survey,
    contact_filter: ContactFilter,
    *,
    channel: str = Channel.EMAIL,
    delay: timedelta = timedelta(0),
) -> AskReport:
    """Schedule an ask for every contact the filter matches."""
    errors = _check(survey, channel, delay)
    for name in contact_filter.properties:
        # A name is one JSON key: "__" would let it reach into Django's lookups.
        if not PROPERTY_NAME.fullmatch(name) or "__" in name:
            errors[f"filter.properties.{name}"] = (
                "property names are letters, digits, '_' and '-' (no '__')"
            )
    for name in ("signed_up_after", "signed_up_before"):
        if (moment := getattr(contact_filter, name)) is not None:
            try:
                checked_moment(moment)
            except BadMoment as error:
                errors[f"filter.{name}"] = str(error)
    if errors:
        raise InvalidInput(errors)
    contacts = Contact.objects.filter(workspace_id=survey.workspace_id)
    for name, value in contact_filter.properties.items():
        contacts = contacts.filter(**{f"properties__{name}": value})
    if contact_filter.account is not None:
        contacts = contacts.filter(account__external_id=contact_filter.account)
    if contact_filter.signed_up_after is not None:
        contacts = contacts.filter(signed_up_at__gte=contact_filter.signed_up_after)
    if contact_filter.signed_up_before is not None:
        contacts = contacts.filter(signed_up_at__lt=contact_filter.signed_up_before)
    report = AskReport()
    _schedule(survey, list(contacts.order_by("pk")), channel, delay, report)
    return report


def _check(survey: Survey, channel: str, delay: timedelta) -> dict[str, str]:
    errors: dict[str, str] = {}
    if channel not in ASKABLE_CHANNELS:
        errors["channel"] = (
            f"must be one of {', '.join(ASKABLE_CHANNELS)}, got {channel!r} "
            "(in-app asks are made by the widget)"
        )
    if not timedelta(0) <= delay <= MAX_DELAY:
        errors["delay"] = f"{DELAY_RANGE}, got {delay}"
    if not survey.is_active:
        errors["survey"] = "is paused; activate it before asking contacts"
    return errors


def _schedule(
    survey: Survey,
    contacts: list[Contact],
    channel: str,
    delay: timedelta,
    report: AskReport,
) -> None:
    now = timezone.now()
    label = {contact.pk: contact.external_id or contact.email or "" for contact in contacts}
    for start in range(0, len(contacts), CHUNK):
        chunk = contacts[start : start + CHUNK]
        reasons = skip_reasons(survey, chunk, channel, now)
        asks = [
            SurveyRequest(
                workspace_id=survey.workspace_id,
                survey=survey,
                contact=contact,
                channel=channel,
                token=secrets.token_urlsafe(16),
                status=AskStatus.SCHEDULED,
                due_at=now + delay,
                created_at=now,
                updated_at=now,
            )
            for contact in chunk
            if contact.pk not in reasons
        ]
        with transaction.atomic():
            # Another scheduler may have got there between the check and here; the
            # database's one-scheduled-ask-per-contact rule decides, and we report it.
            SurveyRequest.objects.bulk_create(asks, ignore_conflicts=True)
            stored = {
                ask.contact_id: ask
                for ask in SurveyRequest.objects.filter(token__in=[ask.token for ask in asks])
            }
        for contact in chunk:
            ask = stored.get(contact.pk)
            if ask is not None:
                ask.contact = contact
                report.scheduled.append(ask)
            else:
                reason = reasons.get(contact.pk, Skip.PENDING)
                report.skipped.append(Skipped(label[contact.pk], reason))


def stop_asking(contact: Contact, reason: str, *, now: datetime | None = None) -> None:
    """Cancel the person's scheduled asks and the reminders of those sent (they
    unsubscribed): nothing more goes out to them."""
    now = now or timezone.now()
    with transaction.atomic():
        SurveyRequest.objects.filter(contact=contact, status=AskStatus.SCHEDULED).update(
            status=AskStatus.CANCELLED, error=reason, updated_at=now
        )
        SurveyRequest.objects.filter(contact=contact, remind_at__isnull=False).update(
            remind_at=None, updated_at=now
        )


def schedule_waves(survey: Survey, channel: str, waves: Mapping[int, int], now: datetime) -> int:
    """The planner's asks: one per contact (id → the wave it is asked in), due now.
    Returns how many were created; a contact asked by hand meanwhile keeps that ask (the
    database refuses a second)."""
    asks = [
        SurveyRequest(
            workspace_id=survey.workspace_id,
            survey=survey,
            contact_id=contact_id,
            channel=channel,
            wave=wave,
            token=secrets.token_urlsafe(16),
            status=AskStatus.SCHEDULED,
            due_at=now,
            created_at=now,
            updated_at=now,
        )
        for contact_id, wave in waves.items()
    ]
    SurveyRequest.objects.bulk_create(asks, ignore_conflicts=True, batch_size=1000)
    return SurveyRequest.objects.filter(
        survey=survey, created_at=now, wave__isnull=False, status=AskStatus.SCHEDULED
    ).count()


def open_in_app_ask(survey: Survey, who: Q) -> SurveyRequest | None:
    """The widget ask of this survey that is shown (sent) or planned for the person (`who`:
    a contact, or an anonymous device), the shown one first."""
    return (
        SurveyRequest.objects.filter(who, survey=survey, channel=Channel.IN_APP)
        .filter(status__in=(AskStatus.SENT, AskStatus.SCHEDULED))
        .order_by("-status")  # an open (sent) ask before a planned one
        .first()
    )


def show_in_app(
    survey: Survey,
    now: datetime,
    *,
    planned: int | None,
    contact: Contact | None,
    device: str,
) -> str:
    """Record that the widget shows the survey (it counts as asking, for the cooldown of
    every channel) and return the ask's token. ``planned``: the id of the contact's ask for
    this survey that the planner scheduled, taken if it is still waiting."""
    shown = {"status": AskStatus.SENT, "sent_at": now, "last_sent_at": now, "displayed_at": now}
    if planned is not None:
        taken = SurveyRequest.objects.filter(pk=planned, status=AskStatus.SCHEDULED).update(
            **shown, updated_at=now
        )
        if taken:
            return str(SurveyRequest.objects.values_list("token", flat=True).get(pk=planned))
    ask = SurveyRequest(
        workspace_id=survey.workspace_id,
        survey=survey,
        contact=contact,
        device=device,
        channel=Channel.IN_APP,
        token=secrets.token_urlsafe(16),
        due_at=now,
        created_at=now,
        updated_at=now,
        **shown,
    )
    try:
        with transaction.atomic():
            ask.save(force_insert=True)
    except IntegrityError:
        # Another tab of the same person got there first: show theirs.
        who = Q(contact=contact) if contact is not None else Q(contact__isnull=True, device=device)
        existing = open_in_app_ask(survey, who)
        if existing is None:
            raise
        return existing.token
    return ask.token


def show_again(ask_id: int, now: datetime) -> None:
    """The widget shows an ask that was shown before."""
    SurveyRequest.objects.filter(pk=ask_id).update(displayed_at=now, updated_at=now)


def expire(ask_id: int, now: datetime) -> None:
    """An open ask whose person answered elsewhere meanwhile: it is not shown again."""
    SurveyRequest.objects.filter(pk=ask_id).update(status=AskStatus.EXPIRED, updated_at=now)


def dismiss(ask: SurveyRequest, now: datetime) -> None:
    """Closed in the widget without a score: it may return after the survey's dismiss_days,
    at most widget_returns times; then it expires."""
    if ask.status != AskStatus.SENT or ask.response_id is not None:
        return
    with transaction.atomic():
        SurveyRequest.objects.filter(pk=ask.pk).update(
            dismissals=F("dismissals") + 1, dismissed_at=now, updated_at=now
        )
        SurveyRequest.objects.filter(pk=ask.pk, dismissals__gt=ask.survey.widget_returns).update(
            status=AskStatus.EXPIRED
        )
