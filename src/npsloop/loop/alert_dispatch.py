"""Sending the case alerts that are due: per member, every waiting alert in one email.

Called every few seconds from the worker's follower of answers (jobs.py), right after
cases open. Each member's alerts are claimed together (loop/alert_sending.py), so any
number of workers can run this at once and each alert goes at most once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from npsloop.loop.alert_mail import MAX_LISTED, case_line, compose_alert
from npsloop.loop.alert_sending import claim, recover_stale, release, settle, start_sending
from npsloop.loop.models import Alert, MailStatus
from npsloop.mail import transport
from npsloop.mail.outcome import Outcome

log = logging.getLogger(__name__)


@dataclass
class Told:
    """How one run went: emails sent, and emails not sent (retried later or given up)."""

    emails: int = 0
    alerts: int = 0
    not_sent: int = 0


def due_members(now: datetime) -> list[int]:
    """Members with an alert due: the oldest of their waiting alerts has gathered long
    enough (or its pause after a refusal is over)."""
    return list(
        Alert.objects.filter(status=MailStatus.WAITING, daily=False, send_after__lte=now)
        .values_list("member_id", flat=True)
        .distinct()
        .order_by("member_id")
    )


def send_alerts(now: datetime | None = None) -> Told:
    """Send each member with due alerts one email about all their waiting alerts."""
    now = now or timezone.now()
    recover_stale(Alert, now)
    told = Told()
    members = due_members(now)
    if not members:
        return told
    with transport.session() as mail:
        for member_id in members:
            token = claim(Alert, Q(member_id=member_id, daily=False), now)
            if (unreachable := mail.connect()) is not None:
                release(Alert, token, unreachable.reason)
                log.warning("case alerts wait: %s", unreachable.reason)
                return told
            outcome, count = _send_claimed(mail, token, now)
            if outcome is None:
                continue
            if outcome.kind == "sent":
                told.emails += 1
                told.alerts += count
            else:
                told.not_sent += 1
                log.warning("case alert to member %s not sent: %s", member_id, outcome.reason)
            if outcome.connection_lost:
                return told  # the rest wait for the next look
    return told


def _send_claimed(mail: transport.Session, token: str, now: datetime) -> tuple[Outcome | None, int]:
    """Send the email of the alerts this claim holds; (None, 0) when none are left ours."""
    ids = start_sending(Alert, token)
    if not ids:
        return None, 0
    alerts = list(
        Alert.objects.filter(pk__in=ids)
        .select_related(
            "member__user",
            "member__workspace",
            "case__response",
            "case__survey",
            "case__contact",
            "case__account",
        )
        .order_by("case__opened_at", "case_id")
    )
    member = alerts[0].member
    try:
        listed = alerts[:MAX_LISTED]
        message = compose_alert(
            member,
            [case_line(alert.case, member.workspace, alert.reason) for alert in listed],
            len(alerts),
        )
    except Exception as error:  # a broken template must not stall the member's alerts
        outcome = Outcome("permanent", f"could not compose the email: {error}")
    else:
        outcome = mail.send(message)
    settle(Alert, token, outcome, now)
    return outcome, len(alerts)
