"""Background work (Huey tasks and periodic schedules): thin wrappers around services.

Tasks only say "go look"; state lives in our tables, so a lost or repeated message
loses nothing and runs no business rule twice.
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from npsloop.channels.email.dispatch import Dispatched, send_due_asks
from npsloop.events.follow import busy_workspaces, last_event_id
from npsloop.events.log import prune
from npsloop.insights.digest import send_digests
from npsloop.loop.alert_dispatch import send_alerts
from npsloop.loop.cases import mark_overdue
from npsloop.loop.reactions import follow_answers
from npsloop.loop.summaries import send_morning_summaries
from npsloop.program.planner import plan_all
from npsloop.surveys.rollups import repair_rollups
from npsloop.workspaces.models import Workspace


@db_periodic_task(crontab(hour="3", minute="17"))
def check_rollups() -> list[str]:
    """Nightly: recount every workspace's daily score histograms from its responses and
    rebuild those that differ. The safety net for data changed outside the services (raw
    SQL, restored backups); returns the slugs of the workspaces that were repaired."""
    return [ws.slug for ws in Workspace.objects.order_by("pk") if repair_rollups(ws)]


# Sending stops a little before the next minute's run would start another one.
SEND_BUDGET_SECONDS = 50


@db_periodic_task(crontab(minute="*"))
def send_due_emails() -> dict[str, int]:
    """Every minute: send due survey emails and reminders, batch after batch, for up to
    SEND_BUDGET_SECONDS. Several workers may run it at once; each email goes once."""
    started = time.monotonic()
    total = Dispatched()
    while time.monotonic() - started < SEND_BUDGET_SECONDS:
        batch = send_due_asks()
        total.add(batch)
        if batch.sent + batch.cancelled + batch.failed + batch.unknown == 0:
            break
    return {"sent": total.sent, "deferred": total.deferred, "failed": total.failed}


@db_periodic_task(crontab(minute="*/5"))
def plan_programmes() -> dict[int, int]:
    """Every five minutes: each enabled programme's due asks (survey id -> asks created)."""
    return {survey_id: report.created for survey_id, report in plan_all().items()}


@db_periodic_task(crontab(minute="7"))
def send_weekly_digests() -> int:
    """Hourly: each opted-in member's digest of the week that just ended in their
    workspace's time zone, so every workspace gets it early on its own Monday. A digest
    already sent is not sent again; returns how many were sent."""
    return send_digests()


@db_periodic_task(crontab(hour="4", minute="23"))
def prune_events() -> int:
    """Nightly: delete events older than NPSLOOP_EVENT_RETENTION_DAYS (default 90);
    returns how many went."""
    return prune(retention=timedelta(days=settings.EVENT_RETENTION_DAYS))


# How long the follower of answers keeps looking each minute, and how often it looks.
FOLLOW_BUDGET_SECONDS = 55
FOLLOW_POLL_SECONDS = 2.0


@db_periodic_task(crontab(minute="*"))
def follow_the_answers() -> int:
    """Every minute, for FOLLOW_BUDGET_SECONDS: open and update cases as answers come in,
    looking every FOLLOW_POLL_SECONDS, so a detractor's case follows within seconds; the
    case alerts that are due go out at each look (in this loop rather than a job of their
    own, which would hold one more of the worker's threads all the time). Then mark the
    cases that fell overdue. Each minute starts with every workspace, so nothing waits
    longer than that. Returns how many answers were read."""
    started = time.monotonic()
    mark = last_event_id()
    read = sum(follow_answers(pk) for pk in Workspace.objects.values_list("pk", flat=True))
    send_alerts()
    while time.monotonic() - started < FOLLOW_BUDGET_SECONDS:
        time.sleep(FOLLOW_POLL_SECONDS)
        last = last_event_id()
        if last != mark:
            read += sum(follow_answers(pk) for pk in busy_workspaces(since=mark))
            mark = last
        send_alerts()
    mark_overdue()
    return read


@db_periodic_task(crontab(minute="*/5"))
def send_case_summaries() -> int:
    """Every five minutes: each member's morning summary of their cases (overdue ones, and
    the day's new ones for members who chose a daily summary), once a day from 08:00 in
    their workspace's time zone; returns how many were sent."""
    return send_morning_summaries()
