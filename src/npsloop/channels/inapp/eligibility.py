"""Whether the widget shows a survey now: one decision on the server, from the same contact
rules as email (cooldown across channels and devices, unsubscribed, pending asks), the
survey's targeting, dismissals, and sampling of anonymous visitors."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q

from npsloop.channels.inapp.identity import Visitor
from npsloop.contacts.models import Contact
from npsloop.program.models import AskStatus, SurveyRequest
from npsloop.program.rules import device_skip_reason, skip_reasons
from npsloop.program.targeting import targets
from npsloop.surveys.models import Channel, Response, Survey
from npsloop.workspaces.models import Workspace

SURVEY_MEMORY = 5.0


@dataclass(frozen=True)
class Decision:
    show: bool
    reason: str = ""
    ask: SurveyRequest | None = None


def widget_surveys(workspace: Workspace) -> list[Survey]:
    """The workspace's surveys the widget may show, remembered for a few seconds: every
    page view of every signed-in user asks for them."""
    key = f"npsloop:widget-surveys:{workspace.pk}"
    surveys: list[Survey] | None = cache.get(key)
    if surveys is None:
        surveys = list(
            Survey.objects.filter(workspace=workspace, is_active=True, in_app=True).order_by("pk")
        )
        cache.set(key, surveys, timeout=SURVEY_MEMORY)
    for survey in surveys:
        survey.workspace = workspace
    return surveys


def decide(
    workspace: Workspace, visitor: Visitor, contact: Contact | None, event: str, now: datetime
) -> Decision:
    candidates = [s for s in widget_surveys(workspace) if s.widget_event == event]
    if not candidates:
        return Decision(False, f"no survey for event {event!r}" if event else "no widget survey")
    reason = "not targeted"
    for survey in candidates:
        if contact is not None:
            if not targets(survey, contact, now):
                continue
            decision = _decide_for_contact(survey, contact, now)
        else:
            if not _sampled(workspace, survey, visitor.device):
                reason = "anonymous visitor not sampled"
                continue
            decision = _decide_for_device(survey, visitor.device, now)
        if decision.show:
            return decision
        reason = decision.reason
    return Decision(False, reason)


def _sampled(workspace: Workspace, survey: Survey, device: str) -> bool:
    """Sticky per device and survey: raising the percentage keeps everyone already in."""
    percent = workspace.anonymous_sample_percent
    if percent <= 0:
        return False
    digest = hashlib.sha256(f"{survey.pk}:{device}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < percent


def _open_ask(survey: Survey, who: Q) -> SurveyRequest | None:
    return (
        SurveyRequest.objects.filter(who, survey=survey, channel=Channel.IN_APP)
        .filter(status__in=(AskStatus.SENT, AskStatus.SCHEDULED))
        .order_by("-status")  # an open (sent) ask before a planned one
        .first()
    )


def _decide_for_contact(survey: Survey, contact: Contact, now: datetime) -> Decision:
    ask = _open_ask(survey, Q(contact=contact))
    if ask is not None and ask.status == AskStatus.SENT:
        return _again(ask, survey, now, answered=_answered_since(contact, ask))
    ignoring = [ask.pk] if ask is not None else []
    reasons = skip_reasons(survey, [contact], Channel.IN_APP, now, ignoring=ignoring)
    if contact.pk in reasons:
        return Decision(False, str(reasons[contact.pk]))
    if ask is not None and ask.due_at > now:
        return Decision(False, "planned for later")
    return _display(ask, survey, now, contact=contact, device="")


def _decide_for_device(survey: Survey, device: str, now: datetime) -> Decision:
    ask = _open_ask(survey, Q(contact__isnull=True, device=device))
    if ask is not None and ask.status == AskStatus.SENT:
        return _again(ask, survey, now, answered=False)
    if (reason := device_skip_reason(survey, device, now)) is not None:
        return Decision(False, str(reason))
    return _display(None, survey, now, contact=None, device=device)


def _answered_since(contact: Contact, ask: SurveyRequest) -> bool:
    since = ask.sent_at or ask.created_at
    return Response.objects.filter(contact=contact, created_at__gte=since).exists()


def _again(ask: SurveyRequest, survey: Survey, now: datetime, *, answered: bool) -> Decision:
    """An ask already shown: again, unless answered elsewhere or dismissed lately."""
    if answered:
        SurveyRequest.objects.filter(pk=ask.pk).update(status=AskStatus.EXPIRED, updated_at=now)
        return Decision(False, "answered meanwhile")
    if ask.dismissed_at is not None and now < ask.dismissed_at + timedelta(
        days=survey.dismiss_days
    ):
        return Decision(False, "dismissed")
    SurveyRequest.objects.filter(pk=ask.pk).update(displayed_at=now, updated_at=now)
    return Decision(True, ask=ask)


def _display(
    planned: SurveyRequest | None,
    survey: Survey,
    now: datetime,
    *,
    contact: Contact | None,
    device: str,
) -> Decision:
    """Record the display: it counts as asking, for the cooldown of every channel."""
    shown = {"status": AskStatus.SENT, "sent_at": now, "last_sent_at": now, "displayed_at": now}
    taken = planned is not None and SurveyRequest.objects.filter(
        pk=planned.pk, status=AskStatus.SCHEDULED
    ).update(**shown, updated_at=now)
    if planned is not None and taken:
        planned.refresh_from_db()
        return Decision(True, ask=planned)
    ask = SurveyRequest(
        workspace_id=survey.workspace_id,
        survey=survey,
        contact=contact,
        device=device,
        channel=Channel.IN_APP,
        token=secrets.token_urlsafe(16),
        due_at=now,
        created_at=now,
        updated_at=now,
        **shown,
    )
    try:
        with transaction.atomic():
            ask.save(force_insert=True)
    except IntegrityError:
        # Another tab of the same person got there first: show theirs.
        who = Q(contact=contact) if contact is not None else Q(contact__isnull=True, device=device)
        existing = _open_ask(survey, who)
        if existing is None:
            raise
        return Decision(True, ask=existing)
    return Decision(True, ask=ask)
