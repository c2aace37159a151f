"""The life of an alert email while it is sent, for alerts and morning summaries alike:
waiting → claimed → sending → sent, waiting again (temporary refusal, with a growing pause),
failed or unknown. The same path as an ask's (program/sending.py), for the same reasons.

Each move is a conditional UPDATE, so any number of workers can send at once: a row one
worker moved is not there for another to move. A worker that dies leaves CLAIMED rows
(never handed to the mail server: waiting again after CLAIM_STALE) and at most one email's
SENDING rows (maybe delivered: UNKNOWN after SENDING_STALE, never sent again).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from npsloop.loop.models import AlertMail, MailStatus
from npsloop.mail.outcome import Outcome

CLAIM_STALE = timedelta(minutes=2)
# Far longer than the mail connection's timeout (EMAIL_TIMEOUT): no living worker holds a
# row in SENDING this long.
SENDING_STALE = timedelta(minutes=10)
MAX_ATTEMPTS = 8
MAX_BACKOFF = timedelta(hours=1)


def claim(model: type[AlertMail], which: Q, now: datetime) -> str:
    """Take the waiting rows of `model` that match `which` for this worker; returns the
    claim that marks them. Rows another worker holds are skipped, not waited for."""
    token = uuid.uuid4().hex
    with transaction.atomic():
        ids = list(
            model._default_manager.select_for_update(skip_locked=True)
            .filter(which, status=MailStatus.WAITING)
            .values_list("pk", flat=True)
        )
        # The status again: where rows can't be locked (SQLite), a row another worker
        # claimed in between no longer matches.
        model._default_manager.filter(pk__in=ids, status=MailStatus.WAITING).update(
            status=MailStatus.CLAIMED, claim=token, claimed_at=now
        )
    return token


def start_sending(model: type[AlertMail], token: str) -> list[int]:
    """CLAIMED → SENDING just before the email is handed over; returns the ids still this
    worker's (none when they were taken over as stale meanwhile: they must not be sent)."""
    rows = model._default_manager.filter(claim=token)
    rows.filter(status=MailStatus.CLAIMED).update(
        status=MailStatus.SENDING, claimed_at=timezone.now()
    )
    return list(rows.filter(status=MailStatus.SENDING).values_list("pk", flat=True))


def settle(model: type[AlertMail], token: str, outcome: Outcome, now: datetime) -> str:
    """Record what became of the email of these SENDING rows; returns their new status."""
    rows = model._default_manager.filter(claim=token, status=MailStatus.SENDING)
    done = {"claim": "", "error": outcome.reason}
    if outcome.kind == "sent":
        rows.update(status=MailStatus.SENT, sent_at=now, **done)
        return MailStatus.SENT
    if outcome.kind == "unknown":
        rows.update(status=MailStatus.UNKNOWN, **done)
        return MailStatus.UNKNOWN
    if outcome.kind == "temporary":
        attempts = max(rows.values_list("attempts", flat=True), default=0)
        if attempts + 1 < MAX_ATTEMPTS:
            pause = min(timedelta(minutes=2 ** (attempts + 1)), MAX_BACKOFF)
            rows.update(
                status=MailStatus.WAITING,
                attempts=F("attempts") + 1,
                send_after=now + pause,
                **done,
            )
            return MailStatus.WAITING
    rows.update(status=MailStatus.FAILED, attempts=F("attempts") + 1, **done)
    return MailStatus.FAILED


def release(model: type[AlertMail], token: str, reason: str) -> None:
    """Give claimed rows back, untouched by any mail server, for a later run."""
    model._default_manager.filter(claim=token, status=MailStatus.CLAIMED).update(
        status=MailStatus.WAITING, claim="", error=reason
    )


def recover_stale(model: type[AlertMail], now: datetime) -> None:
    """Deal with the rows of workers that died: claimed rows wait again; rows that were
    being handed to the mail server become UNKNOWN (perhaps delivered: not sent again)."""
    model._default_manager.filter(
        status=MailStatus.CLAIMED, claimed_at__lt=now - CLAIM_STALE
    ).update(status=MailStatus.WAITING, claim="")
    model._default_manager.filter(
        status=MailStatus.SENDING, claimed_at__lt=now - SENDING_STALE
    ).update(
        status=MailStatus.UNKNOWN,
        claim="",
        error=(
            "the worker stopped while handing this email to the mail server, so nobody "
            "knows whether it was delivered; it is not sent again"
        ),
    )
