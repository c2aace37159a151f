"""Sending due email asks, at most once.

Each ask moves SCHEDULED (or SENT, for a reminder) → CLAIMED → SENDING → SENT, and the
moves are conditional UPDATEs, so any number of workers on any number of machines can run
this at once: a row one worker moved is not there for another to move. A worker that dies
leaves CLAIMED rows (never handed to the mail server: safe to send later) and at most one
SENDING row per connection (maybe delivered: marked UNKNOWN and reported, never re-sent).
"""

from __future__ import annotations

import contextlib
import smtplib
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from npsloop.channels.email.message import compose
from npsloop.channels.email.outcome import Outcome, classify
from npsloop.contacts.models import Contact
from npsloop.program.models import AskStatus, SurveyRequest
from npsloop.program.rules import reminder_stops, skip_reasons
from npsloop.surveys.models import Channel
from npsloop.workspaces.models import Workspace

BATCH = 200
# A claim older than this belongs to a worker that died; the mail connection's timeout
# (EMAIL_TIMEOUT) is far shorter, so no living worker holds a row this long.
STALE = timedelta(minutes=10)
# Temporary refusals (4xx) are retried with growing pauses, then given up.
MAX_ATTEMPTS = 8
MAX_BACKOFF = timedelta(hours=2)


@dataclass
class Dispatched:
    sent: int = 0
    failed: int = 0
    deferred: int = 0
    unknown: int = 0
    cancelled: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: Dispatched) -> None:
        self.sent += other.sent
        self.failed += other.failed
        self.deferred += other.deferred
        self.unknown += other.unknown
        self.cancelled += other.cancelled
        self.errors += other.errors


def due_asks(now: datetime) -> Q:
    first = Q(status=AskStatus.SCHEDULED, due_at__lte=now)
    reminder = Q(status=AskStatus.SENT, remind_at__lte=now, response__isnull=True)
    return Q(channel=Channel.EMAIL) & (first | reminder)


def send_due_asks(*, now: datetime | None = None, limit: int = BATCH) -> Dispatched:
    """Send one batch of due emails per workspace, within each one's send rate."""
    now = now or timezone.now()
    recover_stale(now)
    report = Dispatched()
    workspace_ids = (
        SurveyRequest.objects.filter(due_asks(now))
        .values_list("workspace_id", flat=True)
        .distinct()
    )
    for workspace in Workspace.objects.filter(pk__in=list(workspace_ids)):
        allowance = min(limit, _allowance(workspace, now))
        if allowance > 0:
            report.add(send_batch(claim_due(workspace, now, allowance), now))
    return report


def _allowance(workspace: Workspace, now: datetime) -> int:
    recent = SurveyRequest.objects.filter(
        workspace=workspace, last_sent_at__gt=now - timedelta(minutes=1)
    ).count()
    return workspace.send_rate_per_minute - recent


def claim_due(workspace: Workspace, now: datetime, limit: int) -> list[SurveyRequest]:
    """Take up to `limit` due asks for this worker. Rows locked or taken by another
    worker are skipped, not waited for."""
    claim = uuid.uuid4().hex
    with transaction.atomic():
        ids = list(
            SurveyRequest.objects.select_for_update(skip_locked=True)
            .filter(due_asks(now), workspace=workspace)
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


def send_batch(asks: Sequence[SurveyRequest], now: datetime) -> Dispatched:
    """Check, render and send each claimed ask on one mail connection."""
    report = Dispatched()
    if not asks:
        return report
    holds = _rule_holds(asks, now)
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as error:
        # Nothing left: the mail server is unreachable. The asks wait, no attempt counted.
        _release(asks, f"mail server unreachable: {error}", now)
        report.deferred += len(asks)
        report.errors.append(f"mail server unreachable: {error}")
        return report
    try:
        for index, ask in enumerate(asks):
            if (reason := holds.get(ask.pk)) is not None:
                _cancel(ask, reason, now)
                report.cancelled += 1
                continue
            outcome = _send_one(connection, ask, now)
            _count(report, outcome)
            if outcome.connection_lost:
                # The connection is gone; the rest wait for the next run.
                _release(asks[index + 1 :], "waiting for the mail connection", now)
                report.deferred += len(asks) - index - 1
                break
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            connection.close()
    return report


def _rule_holds(asks: Sequence[SurveyRequest], now: datetime) -> dict[int, str]:
    """Why each ask must not go out after all (checked again at send time, since things
    changed while it waited): contact rules for first emails, stop rules for reminders."""
    holds: dict[int, str] = {}
    ids = [ask.pk for ask in asks]
    firsts: dict[int, list[SurveyRequest]] = defaultdict(list)
    for ask in asks:
        if ask.sent_at is None:
            firsts[ask.survey_id].append(ask)
        elif (stop := reminder_stops(ask)) is not None:
            holds[ask.pk] = stop
    for group in firsts.values():
        survey = group[0].survey
        reasons = skip_reasons(
            survey, [ask.person for ask in group], Channel.EMAIL, now, ignoring=ids
        )
        for ask in group:
            if ask.contact_id in reasons:
                holds[ask.pk] = str(reasons[ask.contact_id])
    return holds


def _send_one(connection: object, ask: SurveyRequest, now: datetime) -> Outcome:
    try:
        message = compose(ask, reminder=ask.sent_at is not None)
    except Exception as error:  # a broken template must not stall the queue
        outcome = Outcome("permanent", f"could not compose the email: {error}")
        SurveyRequest.objects.filter(pk=ask.pk, claim=ask.claim).update(status=AskStatus.SENDING)
        _record(ask, outcome, "", now)
        return outcome
    started = SurveyRequest.objects.filter(
        pk=ask.pk, claim=ask.claim, status=AskStatus.CLAIMED
    ).update(status=AskStatus.SENDING, claimed_at=timezone.now())
    if not started:
        # Recovered as stale by another worker meanwhile: not ours to send any more.
        return Outcome("skipped", "claimed by another worker")
    try:
        connection.send_messages([message])  # type: ignore[attr-defined]
    except Exception as error:  # every failure is classified and recorded
        outcome = classify(error)
    else:
        outcome = Outcome("sent", "")
    status = getattr(message, "anymail_status", None)
    provider_id = "" if status is None or status.message_id is None else str(status.message_id)
    _record(ask, outcome, message.extra_headers["Message-ID"], now, provider_id)
    return outcome


def _record(
    ask: SurveyRequest, outcome: Outcome, message_id: str, now: datetime, provider_id: str = ""
) -> None:
    rows = SurveyRequest.objects.filter(pk=ask.pk, claim=ask.claim, status=AskStatus.SENDING)
    reminder = ask.sent_at is not None
    back = AskStatus.SENT if reminder else AskStatus.SCHEDULED
    common = {"claim": "", "updated_at": now}
    if outcome.kind == "sent":
        sent = ask.reminders_sent + (1 if reminder else 0)
        more = sent < ask.survey.reminders
        rows.update(
            status=AskStatus.SENT,
            sent_at=ask.sent_at or now,
            last_sent_at=now,
            reminders_sent=sent,
            remind_at=now + timedelta(days=ask.survey.reminder_days) if more else None,
            message_id=message_id,
            provider_message_id=provider_id,
            attempts=0,
            error="",
            **common,
        )
    elif outcome.kind == "unknown":
        rows.update(status=AskStatus.UNKNOWN, error=outcome.reason, **common)
    elif outcome.kind == "temporary" and ask.attempts + 1 < MAX_ATTEMPTS:
        retry_at = now + min(timedelta(minutes=2 ** (ask.attempts + 1)), MAX_BACKOFF)
        timing = {"remind_at": retry_at} if reminder else {"due_at": retry_at}
        rows.update(
            status=back, attempts=F("attempts") + 1, error=outcome.reason, **timing, **common
        )
    elif reminder:
        # The first email did go out; a reminder that can't be delivered just ends them.
        rows.update(status=AskStatus.SENT, remind_at=None, error=outcome.reason, **common)
    else:
        rows.update(status=AskStatus.FAILED, error=outcome.reason, **common)
    if outcome.bounced:
        ask.person.bounced_at = now
        Contact.objects.filter(pk=ask.person.pk, bounced_at__isnull=True).update(bounced_at=now)


def _count(report: Dispatched, outcome: Outcome) -> None:
    if outcome.kind == "sent":
        report.sent += 1
    elif outcome.kind == "unknown":
        report.unknown += 1
        report.errors.append(outcome.reason)
    elif outcome.kind == "temporary":
        report.deferred += 1
        report.errors.append(outcome.reason)
    elif outcome.kind == "permanent":
        report.failed += 1
        report.errors.append(outcome.reason)


def _cancel(ask: SurveyRequest, reason: str, now: datetime) -> None:
    rows = SurveyRequest.objects.filter(pk=ask.pk, claim=ask.claim, status=AskStatus.CLAIMED)
    if ask.sent_at is None:
        rows.update(status=AskStatus.CANCELLED, error=reason, claim="", updated_at=now)
    else:
        rows.update(status=AskStatus.SENT, remind_at=None, claim="", updated_at=now)


def _release(asks: Sequence[SurveyRequest], reason: str, now: datetime) -> None:
    """Give claimed asks back, untouched by any mail server, for a later run."""
    for status, sent in ((AskStatus.SCHEDULED, False), (AskStatus.SENT, True)):
        SurveyRequest.objects.filter(
            pk__in=[ask.pk for ask in asks if (ask.sent_at is not None) == sent],
            status=AskStatus.CLAIMED,
        ).update(status=status, claim="", error=reason, updated_at=now)


def recover_stale(now: datetime) -> int:
    """Deal with the rows of workers that died: claimed rows go back to wait, rows that
    were being handed to the mail server become UNKNOWN. Returns how many were unknown."""
    stale = Q(claimed_at__lt=now - STALE)
    for status, sent in ((AskStatus.SCHEDULED, False), (AskStatus.SENT, True)):
        SurveyRequest.objects.filter(
            stale, status=AskStatus.CLAIMED, sent_at__isnull=not sent
        ).update(status=status, claim="", updated_at=now)
    return SurveyRequest.objects.filter(stale, status=AskStatus.SENDING).update(
        status=AskStatus.UNKNOWN,
        claim="",
        error=(
            "the worker stopped while handing this email to the mail server, so nobody "
            "knows whether it was delivered; it is not sent again"
        ),
        updated_at=now,
    )


def outcome_counts(workspace: Workspace) -> dict[str, int]:
    """How many asks are in each status: what the settings page and `npsloop asks` show."""
    rows = (
        SurveyRequest.objects.filter(workspace=workspace)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["status"]: row["n"] for row in rows}
