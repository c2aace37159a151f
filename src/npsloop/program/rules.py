"""Contact rules: whether a contact may be asked now, defined once.

Every way of asking reads them here: scheduling by hand (the API, the CLI), sending, the
widget and the planner, so a rule holds on every channel. Each rule is a row of a table, its
reason (what users read) and what it reads, and every evaluator is built from the table:

- the per-contact check (`skip_reason_of`): one contact whose history is already read (the
  widget, once per page view);
- the set-based check (`skip_reasons`): many contacts in a few queries (scheduling, sending,
  the planner's last word);
- the planner's arrays (`program.schedule`), whose columns the database computes from the
  same Q objects (`program.population`).

tests/program/test_contact_rules_agree.py runs random histories through all of them and holds
them equal, on both databases.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Literal, Protocol

from django.db.models import Count, Max, Q

from npsloop.contacts.models import Contact
from npsloop.program.models import PENDING_STATUSES, SurveyRequest
from npsloop.surveys.models import Channel, Response, Survey

# Keeps each IN (...) list well under SQLite's and PostgreSQL's parameter limits.
CHUNK = 500


class Skip(StrEnum):
    """Why a contact is not asked: the one vocabulary users read, in the API's skipped asks,
    the planner's reports and forecasts, the widget's answer and a held ask's error."""

    # Naming the contacts to ask by hand.
    UNKNOWN = "unknown contact"
    LISTED_TWICE = "listed twice"
    # The programme's choice of contacts (the planner).
    NOT_TARGETED = "not targeted"
    SAMPLING = "sampling"
    # The contact rules, on every channel (ROW_RULES, then HISTORY_RULES).
    UNSUBSCRIBED = "unsubscribed"
    BOUNCED = "bounced"
    NO_EMAIL = "no email address"
    PENDING = "already pending"
    COOLDOWN = "cooldown"
    # The programme's timing and drip (the planner).
    NOT_DUE = "not yet in a wave"
    BLACKOUT = "blackout"
    ACCOUNT_CAP = "account cap"
    DAILY_CAP = "daily cap"
    # A reminder of an ask the person has answered since.
    ANSWERED = "already answered"


@dataclass(frozen=True)
class RowRule:
    """A rule read from the contact's own row: it fails when `field` is set (a date, such as
    the unsubscribe) or blank (no value), on every channel or on email only."""

    reason: Skip
    field: str
    fails_when: Literal["set", "blank"]
    email_only: bool = False

    def applies(self, channel: str) -> bool:
        return not self.email_only or channel == Channel.EMAIL

    def failing(self) -> Q:
        """The contacts that fail it, for the database."""
        if self.fails_when == "set":
            return Q(**{f"{self.field}__isnull": False})
        return Q(**{f"{self.field}__isnull": True}) | Q(**{self.field: ""})

    def fails(self, contact: Contact) -> bool:
        value = getattr(contact, self.field)
        if self.fails_when == "set":
            return value is not None
        return value is None or value == ""


ROW_RULES = (
    RowRule(Skip.UNSUBSCRIBED, "unsubscribed_at", "set"),
    RowRule(Skip.BOUNCED, "bounced_at", "set", email_only=True),
    RowRule(Skip.NO_EMAIL, "email", "blank", email_only=True),
)


@dataclass(frozen=True)
class History:
    """What the history rules read of a contact: whether an ask of theirs waits to be sent
    or shown, and the last time they were asked or answered, any survey, any channel
    (`NEVER`: not since the history was read). The planner holds the same facts as arrays
    (`Population.pending`, `.last_contact`: days, NaN for never)."""

    pending: bool
    last_contact: datetime


NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class HistoryRule:
    """A rule read from the contact's history. `fails(facts, since)` reads `pending` and
    `last_contact` of one contact (`History`, `since` a date-time) or of many (`Population`,
    arrays, `since` in days), so every evaluator runs the same expression."""

    reason: Skip
    fails: Callable[[Any, Any], Any]


HISTORY_RULES = (
    HistoryRule(Skip.PENDING, lambda facts, since: facts.pending),
    HistoryRule(Skip.COOLDOWN, lambda facts, since: facts.last_contact >= since),
)

# The asks and answers the history rules read, in the database: the asks waiting (any
# survey, any channel), when an ask went out, when an answer came.
WAITING = Q(status__in=PENDING_STATUSES)
ASKED_AT = "sent_at"
ANSWERED_AT = "created_at"


def asks_read(since: datetime) -> Q:
    """The asks the history rules read: waiting, or sent since `since`. The set-based check,
    the planner's population and the widget's one statement all select with it."""
    return WAITING | Q(**{f"{ASKED_AT}__gte": since})


# What the API may answer for a contact it skips when asked to ask it.
ASK_REASONS = (
    Skip.UNKNOWN,
    Skip.LISTED_TWICE,
    *(rule.reason for rule in ROW_RULES),
    *(rule.reason for rule in HISTORY_RULES),
)


def cooldown_start(survey: Survey, now: datetime) -> datetime:
    return now - timedelta(days=survey.effective_cooldown_days)


def row_reason(contact: Contact, channel: str) -> Skip | None:
    """The first row rule the contact fails on this channel."""
    for rule in ROW_RULES:
        if rule.applies(channel) and rule.fails(contact):
            return rule.reason
    return None


def history_reason(history: History, since: datetime) -> Skip | None:
    """The first history rule the contact fails, its cooldown started at `since`."""
    for rule in HISTORY_RULES:
        if rule.fails(history, since):
            return rule.reason
    return None


def skip_reasons(
    survey: Survey,
    contacts: Sequence[Contact],
    channel: str,
    now: datetime,
    *,
    ignoring: Collection[int] = (),
) -> dict[int, Skip]:
    """For every contact that may not be asked now, why; contacts that may be asked are
    absent. Two queries per 500 contacts, whatever their history.

    `ignoring` holds the ids of the asks being sent, which must not count against
    themselves.
    """
    reasons: dict[int, Skip] = {}
    for contact in contacts:
        if (reason := row_reason(contact, channel)) is not None:
            reasons[contact.pk] = reason
    rest = [contact.pk for contact in contacts if contact.pk not in reasons]
    since = cooldown_start(survey, now)
    for chunk in _chunks(rest):
        for contact_id, history in _histories(chunk, since, ignoring).items():
            if (reason := history_reason(history, since)) is not None:
                reasons[contact_id] = reason
    return reasons


def _histories(
    contact_ids: list[int], since: datetime, ignoring: Collection[int]
) -> dict[int, History]:
    """The history of each contact that has one since `since`: its asks waiting or sent
    since then, and its answers since then (what the widget reads too)."""
    asks = SurveyRequest.objects.filter(asks_read(since))
    if ignoring:
        asks = asks.exclude(pk__in=ignoring)
    asked = (
        asks.filter(contact_id__in=contact_ids)
        .order_by()
        .values("contact_id")
        .annotate(waiting=Count("pk", filter=WAITING), at=Max(ASKED_AT))
        .values_list("contact_id", "waiting", "at")
    )
    answered = (
        Response.objects.filter(contact_id__in=contact_ids, **{f"{ANSWERED_AT}__gte": since})
        .order_by()
        .values("contact_id")
        .annotate(at=Max(ANSWERED_AT))
        .values_list("contact_id", "at")
    )
    facts: dict[int, tuple[bool, datetime]] = {}
    for contact_id, waiting, at in asked:
        facts[contact_id] = (waiting > 0, at or NEVER)
    for contact_id, at in answered:
        waiting, last = facts.get(contact_id, (False, NEVER))
        facts[contact_id] = (waiting, max(last, at))
    return {contact_id: History(*fact) for contact_id, fact in facts.items()}


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
    answered. The widget decides per page view from one read."""
    if (reason := row_reason(contact, channel)) is not None:
        return reason
    counted = [ask for ask in asks if ask.id not in ignoring]
    sent = [ask.sent_at for ask in counted if ask.sent_at is not None]
    history = History(
        pending=any(ask.status in PENDING_STATUSES for ask in counted),
        last_contact=max([*sent, last_answer or NEVER], default=NEVER),
    )
    return history_reason(history, since)


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


def reminder_stops(ask: SurveyRequest) -> Skip | None:
    """Why a reminder for this ask must not go out, or None: a row rule of email, or an
    answer since the ask (any survey, any channel): the person has been heard."""
    contact = ask.person
    if (reason := row_reason(contact, Channel.EMAIL)) is not None:
        return reason
    if ask.response_id is not None:
        return Skip.ANSWERED
    since = ask.sent_at or ask.created_at
    if Response.objects.filter(contact=contact, created_at__gte=since).exists():
        return Skip.ANSWERED
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
