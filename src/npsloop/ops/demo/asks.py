"""The demo's asks: the email and widget asks behind the demo's answers, and the many that
got none, so the dashboard's response rates have something to show."""

from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta

from npsloop.contacts.models import Contact
from npsloop.program.models import AskStatus, SurveyRequest
from npsloop.surveys.models import Channel, Response, Survey
from npsloop.workspaces.models import Workspace

# Of the people asked on each channel, about this share answered.
ANSWER_RATE: dict[str, float] = {Channel.EMAIL: 0.32, Channel.IN_APP: 0.55}
FAILED_EMAILS = 0.02
BATCH = 1000


def load_asks(
    workspace: Workspace, survey: Survey, people: list[Contact], rng: random.Random
) -> int:
    """Asks for the demo's email and in-app answers, plus the unanswered ones; nothing when
    the workspace has asks already, so a second `npsloop demo` adds none. Returns how many
    were created."""
    if SurveyRequest.objects.filter(workspace=workspace).exists():
        return 0
    answered = Response.objects.filter(
        workspace=workspace,
        survey=survey,
        key__startswith="demo-",
        channel__in=list(ANSWER_RATE),
        contact__isnull=False,
    ).values_list("pk", "contact_id", "channel", "wave", "created_at")
    asks: list[SurveyRequest] = []
    counts: dict[str, int] = dict.fromkeys(ANSWER_RATE, 0)
    times: list[datetime] = []
    for response_id, contact_id, channel, wave, created_at in answered:
        delay = timedelta(hours=rng.uniform(0.2, 72 if channel == Channel.EMAIL else 0.05))
        asked_at = created_at - delay
        asks.append(
            _ask(workspace, survey, contact_id, channel, wave, asked_at, AskStatus.RESPONDED)
        )
        asks[-1].response_id = response_id
        asks[-1].responded_at = created_at
        counts[channel] += 1
        times.append(created_at)
    if not times:
        return 0
    earliest, latest = min(times), max(times)
    span = (latest - earliest).total_seconds()
    for channel, rate in ANSWER_RATE.items():
        unanswered = round(counts[channel] * (1 / rate - 1))
        for _ in range(unanswered):
            asked_at = earliest + timedelta(seconds=rng.uniform(0, span))
            if channel == Channel.EMAIL:
                status = AskStatus.FAILED if rng.random() < FAILED_EMAILS else AskStatus.SENT
            else:
                status = AskStatus.EXPIRED  # shown, dismissed, and not shown again
            ask = _ask(workspace, survey, rng.choice(people).pk, channel, None, asked_at, status)
            if status == AskStatus.FAILED:
                ask.sent_at = ask.last_sent_at = None
                ask.error = "550 5.1.1 mailbox unavailable (demo)"
            elif channel == Channel.EMAIL:
                ask.reminders_sent = 1
            else:
                ask.dismissals = 3
                ask.dismissed_at = asked_at + timedelta(days=14)
            asks.append(ask)
    SurveyRequest.objects.bulk_create(asks, batch_size=BATCH)
    return len(asks)


def _ask(
    workspace: Workspace,
    survey: Survey,
    contact_id: int,
    channel: str,
    wave: int | None,
    asked_at: datetime,
    status: str,
) -> SurveyRequest:
    return SurveyRequest(
        workspace=workspace,
        survey=survey,
        contact_id=contact_id,
        channel=channel,
        wave=wave,
        token=secrets.token_urlsafe(16),
        status=status,
        due_at=asked_at,
        sent_at=asked_at,
        last_sent_at=asked_at,
        displayed_at=asked_at if channel == Channel.IN_APP else None,
        created_at=asked_at,
        updated_at=asked_at,
    )
