"""The morning summary: each morning in the workspace's time zone, one email to each member
with overdue cases (and, for members who chose a daily summary, the cases that came to
them since their last one).

A row per (member, day) is planned between MORNING and NOON (the unique constraint makes
it once, however many workers plan), then sent along the same claimed path as the alerts.
A member's daily alerts are joined to the summary being sent and end as it ends.
"""

from __future__ import annotations

import logging
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from npsloop.loop.alert_mail import MAX_LISTED, case_line, compose_summary
from npsloop.loop.alert_sending import claim, recover_stale, release, settle, start_sending
from npsloop.loop.models import Alert, Case, CaseStatus, MailStatus, MorningSummary
from npsloop.mail import transport
from npsloop.mail.outcome import Outcome
from npsloop.workspaces.models import CaseAlerts, Member, Workspace

log = logging.getLogger(__name__)

MORNING = time(8)
# A member with nothing to hear of at eight is not sent a "morning" summary in the
# afternoon when a case falls overdue; that case is in tomorrow's.
NOON = time(12)


def send_morning_summaries(now: datetime | None = None) -> int:
    """Plan this morning's summaries and send those due; returns how many were sent."""
    now = now or timezone.now()
    recover_stale(MorningSummary, now)
    for workspace in Workspace.objects.order_by("pk"):
        plan_summaries(workspace, now)
    due = list(
        MorningSummary.objects.filter(status=MailStatus.WAITING, send_after__lte=now)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    sent = 0
    with transport.session() as mail:
        for summary_id in due:
            token = claim(MorningSummary, Q(pk=summary_id, send_after__lte=now), now)
            if (unreachable := mail.connect()) is not None:
                release(MorningSummary, token, unreachable.reason)
                log.warning("morning summaries wait: %s", unreachable.reason)
                return sent
            outcome = _send_claimed(mail, token, now)
            if outcome is None:
                continue
            if outcome.kind == "sent":
                sent += 1
            else:
                log.warning("morning summary %s not sent: %s", summary_id, outcome.reason)
            if outcome.connection_lost:
                return sent
    return sent


def plan_summaries(workspace: Workspace, now: datetime) -> int:
    """Make today's summary rows of the workspace's members who have something to hear,
    when it is morning there; returns how many were new."""
    local = now.astimezone(ZoneInfo(workspace.time_zone))
    if not MORNING <= local.time() < NOON:
        return 0
    day = local.date()
    overdue = Case.objects.filter(owner=OuterRef("pk"), status=CaseStatus.OPEN, due_at__lt=now)
    daily = Alert.objects.filter(member=OuterRef("pk"), daily=True, status=MailStatus.WAITING)
    members = list(
        Member.objects.filter(workspace=workspace, user__is_active=True)
        .exclude(user__email="")
        .exclude(case_alerts=CaseAlerts.NONE)
        .exclude(case_summaries__day=day)
        .filter(Exists(overdue) | Exists(daily))
        .values_list("pk", flat=True)
    )
    made = MorningSummary.objects.bulk_create(
        [
            MorningSummary(
                workspace=workspace, member_id=pk, day=day, send_after=now, created_at=now
            )
            for pk in members
        ],
        ignore_conflicts=True,
    )
    return len(made)


def _send_claimed(mail: transport.Session, token: str, now: datetime) -> Outcome | None:
    ids = start_sending(MorningSummary, token)
    if not ids:
        return None
    summary = MorningSummary.objects.select_related("member__user", "member__workspace").get(
        pk=ids[0]
    )
    member = summary.member
    # The member's daily alerts go in this summary: those waiting and not yet in another.
    Alert.objects.filter(
        member=member, daily=True, status=MailStatus.WAITING, summary__isnull=True
    ).update(summary=summary)
    daily = _with_cases(Alert.objects.filter(summary=summary, status=MailStatus.WAITING))
    new = [case_line(alert.case, member.workspace, alert.reason) for alert in daily[:MAX_LISTED]]
    overdue_cases = Case.objects.filter(owner=member, status=CaseStatus.OPEN, due_at__lt=now)
    overdue = [
        case_line(case, member.workspace)
        for case in overdue_cases.select_related(
            "response", "survey", "contact", "account"
        ).order_by("due_at", "pk")[:MAX_LISTED]
    ]
    if not new and not overdue:
        # Everything was dealt with since the morning's plan: nothing to say, no email.
        MorningSummary.objects.filter(pk=summary.pk, claim=token).delete()
        return None
    try:
        message = compose_summary(
            member, summary.day, overdue, overdue_cases.count(), new, len(daily)
        )
    except Exception as error:  # a broken template must not stall the other summaries
        outcome = Outcome("permanent", f"could not compose the email: {error}")
    else:
        outcome = mail.send(message)
    status = settle(MorningSummary, token, outcome, now)
    if status != MailStatus.WAITING:
        # The daily alerts end as their summary did; on a retry they wait with it.
        Alert.objects.filter(summary=summary, status=MailStatus.WAITING).update(
            status=status, sent_at=now if status == MailStatus.SENT else None
        )
    return outcome


def _with_cases(alerts: QuerySet[Alert]) -> list[Alert]:
    return list(
        alerts.select_related(
            "case__response", "case__survey", "case__contact", "case__account"
        ).order_by("case__opened_at", "case_id")
    )
