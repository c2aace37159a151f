"""The weekly digest: last week's NPS with its interval, whether it really moved, and
what the people who felt strongest wrote — emailed to the members who opted in.

Sending is idempotent: each member's row remembers the Monday it was last sent for and is
claimed with a conditional UPDATE before the email leaves, so an hourly job on any number
of workers sends each member one digest per week, in the workspace's own time zone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import groupby
from operator import attrgetter
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from npsloop.errors import InvalidInput
from npsloop.insights.metrics import MetricsQuery, compute_metrics, moment
from npsloop.mail import transport
from npsloop.stats import Comparison, Histogram, Summary, compare, round_half_away, summarize
from npsloop.surveys.models import Category, Response, Survey
from npsloop.workspaces.models import Member, Workspace

log = logging.getLogger(__name__)

MAX_COMMENTS = 5
MAX_COMMENT_CHARS = 300
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class SurveyLine:
    name: str
    this_week: Summary
    comparison: Comparison

    @property
    def change(self) -> str:
        return change_text(self.comparison)


@dataclass(frozen=True)
class NotableComment:
    response_id: int
    score: int
    category: str
    survey_name: str
    comment: str
    url: str


@dataclass(frozen=True)
class Digest:
    workspace: Workspace
    week_start: date
    this_week: Summary
    previous_week: Summary
    comparison: Comparison
    surveys: list[SurveyLine]
    comments: list[NotableComment]

    @property
    def week_end(self) -> date:
        """The Monday after the week: the exclusive end."""
        return self.week_start + timedelta(days=7)

    @property
    def change(self) -> str:
        return change_text(self.comparison)

    @property
    def week_label(self) -> str:
        return day_label(self.week_start)

    @property
    def dashboard_url(self) -> str:
        return (
            f"{settings.BASE_URL}/w/{self.workspace.slug}/?period=custom"
            f"&since={self.week_start.isoformat()}&until={self.week_end.isoformat()}"
        )

    @property
    def subject(self) -> str:
        score = "no responses" if self.this_week.nps is None else headline(self.this_week)
        return f"{self.workspace.name} NPS, week of {self.week_label}: {score}"


def headline(summary: Summary) -> str:
    return f"{summary.nps} (n = {summary.n})"


def day_label(day: date) -> str:
    """ "16 Nov 2026", whatever the server's locale."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def change_text(comparison: Comparison) -> str:
    """How the score moved against the week before, in the words STATISTICS.md sets.
    Shown only beside a week that has a score, so no difference means no week before."""
    if comparison.difference is None:
        return "no responses the week before"
    points = round_half_away(comparison.difference)
    direction = "up" if comparison.difference > 0 else "down"
    if comparison.significant:
        return f"{direction} {abs(points)} — real change"
    return "no clear change"


def interval_text(summary: Summary) -> str:
    if summary.ci_low is None or summary.ci_high is None:
        return ""
    low, high = round_half_away(summary.ci_low), round_half_away(summary.ci_high)
    return f"{round(100 * summary.confidence)}% interval {low} to {high}"


def week_digest(workspace: Workspace, week_start: date) -> Digest:
    """The digest of the Monday-to-Sunday week that starts on `week_start` (days in the
    workspace's time zone), compared with the week before."""
    if isinstance(week_start, datetime) or not isinstance(week_start, date):
        raise InvalidInput({"week_start": f"must be a date, got {week_start!r}"})
    if week_start.weekday() != 0:
        raise InvalidInput(
            {
                "week_start": "must be a Monday, got "
                f"{week_start:%A} {week_start.isoformat()}; weeks run Monday to Sunday"
            }
        )
    previous_start = week_start - timedelta(days=7)
    this_week = _by_survey(workspace, week_start)
    previous_week = _by_survey(workspace, previous_start)
    this_total = Histogram.total(this_week.values())
    previous_total = Histogram.total(previous_week.values())
    return Digest(
        workspace=workspace,
        week_start=week_start,
        this_week=summarize(this_total),
        previous_week=summarize(previous_total),
        comparison=compare(this_total, previous_total),
        surveys=_survey_lines(workspace, this_week, previous_week),
        comments=_notable_comments(workspace, week_start),
    )


def _by_survey(workspace: Workspace, week_start: date) -> dict[int, Histogram]:
    query = MetricsQuery(
        since=week_start, until=week_start + timedelta(days=7), group_by=["survey"]
    )
    return {
        int(str(group["survey"])): histogram
        for group, histogram in compute_metrics(workspace, query)
    }


def _survey_lines(
    workspace: Workspace, this_week: dict[int, Histogram], previous_week: dict[int, Histogram]
) -> list[SurveyLine]:
    """One line per survey that is active or was answered in the week; none when the
    workspace has a single survey (the total says it all)."""
    surveys = list(
        Survey.objects.filter(workspace=workspace)
        .filter(Q(is_active=True) | Q(pk__in=list(this_week)))
        .order_by("name", "pk")
        .values_list("pk", "name")
    )
    if len(surveys) < 2:
        return []
    empty = Histogram.empty()
    return [
        SurveyLine(
            name=name,
            this_week=summarize(this_week.get(pk, empty)),
            comparison=compare(this_week.get(pk, empty), previous_week.get(pk, empty)),
        )
        for pk, name in surveys
    ]


def _notable_comments(workspace: Workspace, week_start: date) -> list[NotableComment]:
    """The most recent detractor comments, then promoter ones, MAX_COMMENTS at most."""
    zone = ZoneInfo(workspace.time_zone)
    week = (
        Response.objects.filter(
            workspace=workspace,
            created_at__gte=moment(week_start, zone),
            created_at__lt=moment(week_start + timedelta(days=7), zone),
        )
        .filter(comment__regex=r"\S")  # something besides blanks
        .select_related("survey")
        .order_by("-created_at", "-pk")
    )
    chosen: list[Response] = []
    for category in (Category.DETRACTOR, Category.PROMOTER):
        chosen += list(week.filter(category=category)[: MAX_COMMENTS - len(chosen)])
    return [
        NotableComment(
            response_id=response.pk,
            score=response.score,
            category=response.category,
            survey_name=response.survey.name,
            comment=shorten(response.comment.strip()),
            url=f"{settings.BASE_URL}/w/{workspace.slug}/responses/{response.pk}/",
        )
        for response in chosen
    ]


def shorten(text: str, limit: int = MAX_COMMENT_CHARS) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def last_complete_week(workspace: Workspace, now: datetime) -> date:
    """The Monday of the latest Monday-to-Sunday week that has ended in the workspace's
    time zone."""
    today = now.astimezone(ZoneInfo(workspace.time_zone)).date()
    return today - timedelta(days=today.weekday() + 7)


def send_digests(now: datetime | None = None) -> int:
    """Email each opted-in member the digest of their workspace's last complete week,
    unless it was sent already; returns how many emails were sent."""
    now = now or timezone.now()
    members = (
        Member.objects.filter(digest=True, user__is_active=True)
        .exclude(user__email="")
        .select_related("workspace", "user")
        .order_by("workspace_id", "pk")
    )
    sent = 0
    with transport.session() as mail:
        for _, group in groupby(members, key=attrgetter("workspace_id")):
            waiting = list(group)
            monday = last_complete_week(waiting[0].workspace, now)
            waiting = [
                m for m in waiting if m.digest_sent_for is None or m.digest_sent_for < monday
            ]
            if not waiting:
                continue
            digest = week_digest(waiting[0].workspace, monday)
            for member in waiting:
                if not _claim(member, monday):
                    continue  # another worker has it
                outcome = mail.send(compose(digest, member))
                if outcome.kind == "sent":
                    sent += 1
                if not _settle(outcome, member, monday):
                    return sent  # mail server unreachable; the next run tries again
    return sent


def _claim(member: Member, monday: date) -> bool:
    """Mark the member's digest for this week as sent; False when another worker did.

    Earlier weeks only: a workspace whose time zone moved west must not get a week again.
    """
    return bool(
        Member.objects.filter(pk=member.pk, digest=True)
        .filter(Q(digest_sent_for__isnull=True) | Q(digest_sent_for__lt=monday))
        .update(digest_sent_for=monday)
    )


def _release(member: Member, monday: date) -> None:
    """Give the claim back, for a message the mail server certainly did not take."""
    Member.objects.filter(pk=member.pk, digest_sent_for=monday).update(
        digest_sent_for=member.digest_sent_for
    )


def _settle(outcome: transport.Outcome, member: Member, monday: date) -> bool:
    """Keep or give back the claim on this week's digest; False when the run must stop."""
    if outcome.kind == "sent":
        return True
    log.warning("weekly digest to member %s not sent: %s", member.pk, outcome.reason)
    if outcome.kind == "temporary":
        # Certainly not taken, so tried again next hour; when the server can't be reached at
        # all, so are the rest.
        _release(member, monday)
        return not outcome.connection_lost
    # Permanent: it would be refused again, so this week's digest is given up. Unknown: the
    # server may have taken it, and nobody gets a digest twice.
    return True


def compose(digest: Digest, member: Member) -> EmailMultiAlternatives:
    context = {
        "digest": digest,
        "name": member.user.get_full_name() or member.user.get_username(),
        "interval": interval_text(digest.this_week),
        "previous_interval": interval_text(digest.previous_week),
        "settings_url": settings.BASE_URL + reverse("console-digest", args=[digest.workspace.slug]),
    }
    message = EmailMultiAlternatives(
        subject=digest.subject,
        body=render_to_string("email/digest.txt", context),
        to=[member.user.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(render_to_string("email/digest.html", context), "text/html")
    return message
