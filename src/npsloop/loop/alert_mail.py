"""What the case alert emails say: one case or several (a member's alerts due together),
and the morning summary. Plain text and HTML; Django's templates escape everything the
respondent wrote, so a comment is shown as text, never run as markup."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from npsloop.loop.models import Case
from npsloop.workspaces.models import Member, Workspace

MAX_COMMENT_CHARS = 500
# An email names this many cases (of each kind, in a summary), then says how many more
# there are: a burst of answers must not make an email nobody can read.
MAX_LISTED = 50
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class CaseLine:
    """One case as an email shows it."""

    case_id: int
    score: int | None
    category: str
    comment: str
    who: str
    account: str
    survey: str
    due: str
    url: str
    # Why this member hears of it, when it is not their own case.
    stand_in: str = ""


def case_line(case: Case, workspace: Workspace, reason: str = "owner") -> CaseLine:
    response = case.response
    contact = case.contact
    who = ""
    if contact is not None:
        email = contact.email or ""
        who = f"{contact.name} <{email}>" if contact.name and email else contact.name or email
        who = who or contact.external_id or ""
    account = case.account
    return CaseLine(
        case_id=case.pk,
        score=response.score,
        category=case.category,
        comment=_shorten(response.comment.strip()),
        who=who or "someone anonymous",
        account=(account.name or account.external_id) if account else "",
        survey=case.survey.name,
        due=when(case.due_at, workspace),
        url=case_url(workspace, case.pk),
        stand_in=_STAND_INS.get(reason, ""),
    )


_STAND_INS = {
    "team": "nobody owns it yet, and you are in its team",
    "default owner": "nobody owns it yet, and you are the workspace's default owner",
    "admin": "nobody owns it yet, and you are an admin of the workspace",
}


def case_url(workspace: Workspace, case_id: int) -> str:
    return f"{settings.BASE_URL}/w/{workspace.slug}/cases/{case_id}/"


def when(moment: datetime, workspace: Workspace) -> str:
    """ "4 Mar 2026 14:00 (Europe/Paris)": in the workspace's zone, whatever the locale."""
    local = moment.astimezone(ZoneInfo(workspace.time_zone))
    return f"{day_label(local.date())} {local:%H:%M} ({workspace.time_zone})"


def day_label(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def compose_alert(member: Member, lines: Sequence[CaseLine], count: int) -> EmailMultiAlternatives:
    """One email for all the `count` cases a member hears of at once, naming the first
    MAX_LISTED (`lines`)."""
    workspace = member.workspace
    if count == 1:
        line = lines[0]
        score = "no score" if line.score is None else str(line.score)
        subject = f"New case: {score} ({line.category}) from {line.who}"
        if line.account:
            subject += f", {line.account}"
    else:
        subject = f"{count} new cases in {workspace.name}"
    return _message(
        member,
        subject,
        "email/case_alert",
        {
            "lines": lines[:MAX_LISTED],
            "count": count,
            "more": max(count - MAX_LISTED, 0),
            "inbox_url": f"{settings.BASE_URL}/w/{workspace.slug}/cases/",
        },
    )


def compose_summary(
    member: Member,
    day: date,
    overdue: Sequence[CaseLine],
    overdue_total: int,
    new: Sequence[CaseLine],
    new_total: int,
) -> EmailMultiAlternatives:
    """The morning email: the member's overdue cases, and the new ones of a daily member."""
    parts = []
    if overdue_total:
        parts.append(f"{overdue_total} overdue")
    if new_total:
        parts.append(f"{new_total} new")
    subject = f"{member.workspace.name} cases, {day_label(day)}: {', '.join(parts)}"
    return _message(
        member,
        subject,
        "email/case_summary",
        {
            "day": day_label(day),
            "overdue": overdue[:MAX_LISTED],
            "overdue_total": overdue_total,
            "overdue_more": max(overdue_total - MAX_LISTED, 0),
            "new": new[:MAX_LISTED],
            "new_total": new_total,
            "new_more": max(new_total - MAX_LISTED, 0),
            "inbox_url": f"{settings.BASE_URL}/w/{member.workspace.slug}/cases/",
        },
    )


def _message(
    member: Member, subject: str, template: str, context: dict[str, object]
) -> EmailMultiAlternatives:
    workspace = member.workspace
    context = {
        **context,
        "workspace": workspace,
        "name": member.user.get_full_name() or member.user.get_username(),
        "settings_url": settings.BASE_URL + reverse("console-alerts", args=[workspace.slug]),
    }
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),  # no line breaks from a name in a header
        body=render_to_string(f"{template}.txt", context),
        to=[member.user.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


def _shorten(text: str) -> str:
    if len(text) <= MAX_COMMENT_CHARS:
        return text
    return text[: MAX_COMMENT_CHARS - 1].rstrip() + "…"
