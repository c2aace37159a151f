"""The life of an email ask while it is sent: claimed, sending, then sent, retried, failed
or unknown. With program/asks.py (scheduling, cancelling) and program/answers.py
(answered) this is the asks' owner: no module outside program/ writes an ask. The email
dispatcher (channels/email/dispatch.py) decides and sends; it moves asks only through these.

Each move is a conditional UPDATE, so any number of workers on any number of machines can
send at once: a row one worker moved is not there for another to move. A worker that dies
leaves CLAIMED rows (never handed to the mail server: taken over after CLAIM_STALE) and at
most one SENDING row per connection (maybe delivered: UNKNOWN after SENDING_STALE, never
re-sent).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from npsloop.contacts.consent import Via, mark_bounced
from npsloop.events.log import Change, moment, record
from npsloop.events.models import EventType
from npsloop.program.models import AskStatus, SurveyRequest
from npsloop.surveys.models import Channel

# A claimed ask nobody started to send within this time belongs to a worker that died.
# Taking it over early is safe: the first worker's move to SENDING then finds it gone.
CLAIM_STALE = timedelta(minutes=2)
# A SENDING ask older than this was being handed to a mail server by a worker that died;
# the mail connection's timeout (EMAIL_TIMEOUT) is far shorter, so no living worker holds
# one this long.
SENDING_STALE = timedelta(minutes=10)
# Temporary refusals (4xx) are retried with growing pauses, then given up.
MAX_ATTEMPTS = 8
MAX_BACKOFF = timedelta(hours=2)


@dataclass(frozen=True)
class Delivery:
    """What the mail server said about one email: sent, temporary, permanent or unknown
    (kind), why, and whether the address itself was refused (bounced)."""

    kind: str
    reason: str = ""
    bounced: bool = False
    message_id: str = ""
    provider_message_id: str = ""


def due_asks(now: datetime) -> Q:
    first = Q(status=AskStatus.SCHEDULED, due_at__lte=now)
    reminder = Q(status=AskStatus.SENT, remind_at__lte=now, response__isnull=True)
    return Q(channel=Channel.EMAIL) & (first | reminder)


def claim_due(workspace_id: int, now: datetime, limit: int) -> list[SurveyRequest]:
    """Take up to `limit` due asks for this worker. Rows locked or taken by another
    worker are skipped, not waited for."""
    claim = uuid.uuid4().hex
    with transaction.atomic():
        ids = list(
            SurveyRequest.objects.select_for_update(skip_locked=True)
            .filter(due_asks(now), workspace_id=workspace_id)
            .order_by("due_at")
            .values_list("pk", flat=True)[:limit]
        )
        # Repeating the due condition makes this safe where rows can't be locked
        # (SQLite): a row another worker claimed in between no longer matches.
        SurveyRequest.objects.filter(due_asks(now), pk__in=ids).update(
            status=AskStatus.CLAIMED, claim=claim, claimed_at=now, updated_at=now
        )
    return list(
        SurveyRequest.objects.filter(claim=claim, status=AskStatus.CLAIMED)
        .select_related("contact", "contact__account", "survey", "workspace")
        .order_by("due_at")
    )


def start_sending(ask: SurveyRequest) -> bool:
    """CLAIMED → SENDING just before the email is handed over; False when the ask is no
    longer this worker's (taken over as stale meanwhile): it must not be sent."""
    return bool(
        SurveyRequest.objects.filter(pk=ask.pk, claim=ask.claim, status=AskStatus.CLAIMED).update(
            status=AskStatus.SENDING, claimed_at=timezone.now()
        )
    )


def settle(ask: SurveyRequest, delivery: Delivery, now: datetime) -> None:
    """Record what became of a SENDING ask, with its event (ask.sent, ask.failed) and, for
    an address the mail server refused, the contact's bounce."""
    rows = SurveyRequest.objects.filter(pk=ask.pk, claim=ask.claim, status=AskStatus.SENDING)
    reminder = ask.sent_at is not None
    back = AskStatus.SCHEDULED if not reminder else AskStatus.SENT
    common: dict[str, Any] = {"claim": "", "updated_at": now}
    event: EventType | None = None
    with transaction.atomic():
        if delivery.kind == "sent":
            sent = ask.reminders_sent + (1 if reminder else 0)
            more = sent < ask.survey.reminders
            changed = rows.update(
                status=AskStatus.SENT,
                sent_at=ask.sent_at or now,
                last_sent_at=now,
                reminders_sent=sent,
                remind_at=now + timedelta(days=ask.survey.reminder_days) if more else None,
                message_id=delivery.message_id,
                provider_message_id=delivery.provider_message_id,
                attempts=0,
                error="",
                **common,
            )
            ask.status, ask.sent_at, ask.reminders_sent = AskStatus.SENT, ask.sent_at or now, sent
            event = EventType.ASK_SENT
        elif delivery.kind == "unknown":
            changed = rows.update(status=AskStatus.UNKNOWN, error=delivery.reason, **common)
        elif delivery.kind == "temporary" and ask.attempts + 1 < MAX_ATTEMPTS:
            retry_at = now + min(timedelta(minutes=2 ** (ask.attempts + 1)), MAX_BACKOFF)
            timing = {"remind_at": retry_at} if reminder else {"due_at": retry_at}
            changed = rows.update(
                status=back,
                attempts=F("attempts") + 1,
                error=delivery.reason,
                **timing,
                **common,
            )
        elif reminder:
            # The first email did go out; a reminder that can't be delivered just ends them.
            changed = rows.update(
                status=AskStatus.SENT, remind_at=None, error=delivery.reason, **common
            )
        else:
            changed = rows.update(status=AskStatus.FAILED, error=delivery.reason, **common)
            ask.status, ask.error = AskStatus.FAILED, delivery.reason
            event = EventType.ASK_FAILED
        if changed and event is not None:
            record(_change(ask, event, reminder, delivery), at=now)
        if delivery.bounced:
            mark_bounced([ask.person], via=Via.SENDING, now=now)


def hold_back(ask: SurveyRequest, reason: str, now: datetime) -> None:
    """A claimed ask that must not go out after all (a contact rule, a reminder's stop
    rule): a first email is cancelled, a reminder simply not sent."""
    rows = SurveyRequest.objects.filter(pk=ask.pk, claim=ask.claim, status=AskStatus.CLAIMED)
    if ask.sent_at is None:
        rows.update(status=AskStatus.CANCELLED, error=reason, claim="", updated_at=now)
    else:
        rows.update(status=AskStatus.SENT, remind_at=None, claim="", updated_at=now)


def release(asks: Sequence[SurveyRequest], reason: str, now: datetime) -> None:
    """Give claimed asks back, untouched by any mail server, for a later run."""
    for status, sent in ((AskStatus.SCHEDULED, False), (AskStatus.SENT, True)):
        SurveyRequest.objects.filter(
            pk__in=[ask.pk for ask in asks if (ask.sent_at is not None) == sent],
            status=AskStatus.CLAIMED,
        ).update(status=status, claim="", error=reason, updated_at=now)


def recover_stale(now: datetime) -> int:
    """Deal with the rows of workers that died: claimed rows go back to wait, rows that
    were being handed to the mail server become UNKNOWN. Returns how many were unknown."""
    claimed_long_ago = Q(claimed_at__lt=now - CLAIM_STALE)
    for status, sent in ((AskStatus.SCHEDULED, False), (AskStatus.SENT, True)):
        SurveyRequest.objects.filter(
            claimed_long_ago, status=AskStatus.CLAIMED, sent_at__isnull=not sent
        ).update(status=status, claim="", updated_at=now)
    return SurveyRequest.objects.filter(
        claimed_at__lt=now - SENDING_STALE, status=AskStatus.SENDING
    ).update(
        status=AskStatus.UNKNOWN,
        claim="",
        error=(
            "the worker stopped while handing this email to the mail server, so nobody "
            "knows whether it was delivered; it is not sent again"
        ),
        updated_at=now,
    )


def ask_data(ask: SurveyRequest) -> dict[str, Any]:
    """An ask as its events show it."""
    contact = ask.contact
    return {
        "id": ask.pk,
        "survey": ask.survey_id,
        "channel": ask.channel,
        "status": ask.status,
        "contact": {"external_id": contact.external_id, "email": contact.email}
        if contact
        else None,
        "sent_at": moment(ask.sent_at),
        "reminders_sent": ask.reminders_sent,
        "error": ask.error,
    }


def _change(ask: SurveyRequest, type: EventType, reminder: bool, delivery: Delivery) -> Change:
    return Change(
        ask.workspace_id,
        type,
        {"ask": ask_data(ask), "reminder": reminder, "reason": delivery.reason},
        ask_id=ask.pk,
        contact_id=ask.contact_id,
    )
