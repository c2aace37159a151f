"""What happens to an ask when its person answers or unsubscribes."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from npsloop.contacts import consent
from npsloop.contacts.models import Contact
from npsloop.errors import InvalidInput
from npsloop.program.asks import stop_asking
from npsloop.program.models import AskStatus, SurveyRequest
from npsloop.surveys.models import Response
from npsloop.surveys.responses import ResponseData, record_response, update_response


def answer_ask(ask: SurveyRequest, score: object) -> Response:
    """Record the score given through an ask, once: the ask's own key makes every later
    call (another click, a retry) find the same response, and a different score given
    through the same ask changes that response.

    Raises InvalidInput for a score that is not an integer from 0 to 10.
    """
    key = f"ask-{ask.pk}"
    existing = Response.objects.filter(workspace_id=ask.workspace_id, key=key).first()
    if existing is not None:
        return update_response(existing, score=score)
    data = ResponseData(
        survey=ask.survey,
        score=score,
        contact=ask.contact,
        channel=ask.channel,
        wave=ask.wave,
        key=key,
    )
    try:
        with transaction.atomic():
            response = record_response(ask.workspace, data).response
            now = timezone.now()
            SurveyRequest.objects.filter(pk=ask.pk).update(
                status=AskStatus.RESPONDED,
                response=response,
                responded_at=now,
                remind_at=None,
                updated_at=now,
            )
    except InvalidInput as error:
        if "key" not in error.errors:
            raise
        # Two clicks raced and the other one stored a different score first: this later
        # click is the person's latest word.
        response = Response.objects.get(workspace_id=ask.workspace_id, key=key)
        return update_response(response, score=score)
    ask.status, ask.response, ask.responded_at = AskStatus.RESPONDED, response, now
    return response


def unsubscribe(contact: Contact, *, via: str, now: datetime | None = None) -> bool:
    """Stop every survey email to this person: no new asks, no pending sends, no
    reminders. Returns False when they were already unsubscribed."""
    now = now or timezone.now()
    with transaction.atomic():
        changed = consent.unsubscribe(contact, via=via, now=now)
        stop_asking(contact, "unsubscribed", now=now)
    return changed
