"""Sending due email asks, at most once: claim a batch, check each against the contact
rules again, render, hand it to the mail server, record the outcome. Every move of an
ask's status is made by its owner, npsloop.program.sending (conditional UPDATEs, so any
number of workers on any number of machines can run this at once).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count
from django.utils import timezone

from npsloop.channels.email.message import compose
from npsloop.mail import transport
from npsloop.mail.outcome import Outcome
from npsloop.program.models import SurveyRequest
from npsloop.program.rules import reminder_stops, skip_reasons
from npsloop.program.sending import (
    Delivery,
    claim_due,
    due_asks,
    hold_back,
    recover_stale,
    release,
    settle,
    start_sending,
)
from npsloop.surveys.models import Channel
from npsloop.workspaces.models import Workspace

BATCH = 200


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
            report.add(send_batch(claim_due(workspace.pk, now, allowance), now))
    return report


def _allowance(workspace: Workspace, now: datetime) -> int:
    recent = SurveyRequest.objects.filter(
        workspace=workspace, last_sent_at__gt=now - timedelta(minutes=1)
    ).count()
    return workspace.send_rate_per_minute - recent


def send_batch(asks: Sequence[SurveyRequest], now: datetime) -> Dispatched:
    """Check, render and send each claimed ask on one mail connection."""
    report = Dispatched()
    if not asks:
        return report
    holds = _rule_holds(asks, now)
    with transport.session() as mail:
        if (unreachable := mail.connect()) is not None:
            # Nothing left: the mail server is unreachable. The asks wait, no attempt counted.
            release(asks, unreachable.reason, now)
            report.deferred += len(asks)
            report.errors.append(unreachable.reason)
            return report
        for index, ask in enumerate(asks):
            if (reason := holds.get(ask.pk)) is not None:
                hold_back(ask, reason, now)
                report.cancelled += 1
                continue
            outcome = _send_one(mail, ask, now)
            if outcome is None:
                continue
            _count(report, outcome)
            if outcome.connection_lost:
                # The connection is gone; the rest wait for the next run.
                release(asks[index + 1 :], "waiting for the mail connection", now)
                report.deferred += len(asks) - index - 1
                break
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


def _send_one(mail: transport.Session, ask: SurveyRequest, now: datetime) -> Outcome | None:
    """What became of the ask's email; None when it is no longer this worker's to send."""
    try:
        message = compose(ask, reminder=ask.sent_at is not None)
    except Exception as error:  # a broken template must not stall the queue
        outcome = Outcome("permanent", f"could not compose the email: {error}")
        if start_sending(ask):
            settle(ask, _delivery(outcome), now)
        return outcome
    if not start_sending(ask):
        # Taken over as stale by another worker meanwhile: not ours to send any more.
        return None
    outcome = mail.send(message)
    settle(ask, _delivery(outcome, message.extra_headers["Message-ID"]), now)
    return outcome


def _delivery(outcome: Outcome, message_id: str = "") -> Delivery:
    return Delivery(
        outcome.kind, outcome.reason, outcome.bounced, message_id, outcome.provider_message_id
    )


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


def outcome_counts(workspace: Workspace) -> dict[str, int]:
    """How many asks are in each status: what the settings page and `npsloop asks` show."""
    rows = (
        SurveyRequest.objects.filter(workspace=workspace)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["status"]: row["n"] for row in rows}
