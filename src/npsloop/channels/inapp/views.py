"""The widget's endpoints, /widget/v1/…: check (show a survey or not), answer, follow-up,
dismiss. JSON in and out, from any web page whose origin the workspace allows."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from npsloop.channels.inapp.eligibility import decide
from npsloop.channels.inapp.identity import Malformed, Refused, Visitor, visitor_of
from npsloop.channels.inapp.payload import survey_payload
from npsloop.contacts.models import Contact
from npsloop.contacts.services import upsert_contact
from npsloop.errors import InvalidInput
from npsloop.program.answers import answer_ask
from npsloop.program.models import AskStatus, SurveyRequest
from npsloop.surveys.followup import save_followup, wording_for
from npsloop.surveys.models import Channel, Response
from npsloop.workspaces.models import Workspace

KEY_MEMORY = 5.0
# How long a "don't show" is remembered: a survey that becomes due shows at most this late.
NO_MEMORY = 60.0
MAX_BODY = 64 * 1024
Handler = Callable[[HttpRequest, Workspace, dict[str, Any]], HttpResponse]


def widget_endpoint(handler: Handler) -> Callable[[HttpRequest], HttpResponse]:
    """Parse the body, find the workspace by its publishable key, check the origin, and
    answer with the CORS headers the calling page needs."""

    @csrf_exempt
    @wraps(handler)
    def view(request: HttpRequest) -> HttpResponse:
        origin = request.headers.get("Origin")
        if request.method == "OPTIONS":
            return _cors(HttpResponse(status=204), origin, preflight=True)
        if request.method != "POST":
            return JsonResponse({"error": "use POST"}, status=405)
        try:
            body = _body(request)
            workspace = _workspace(body.get("key"))
            if not _origin_allowed(request, workspace, origin):
                raise Refused(
                    f"the origin {origin} may not use this workspace's widget; add it to "
                    "the workspace's widget origins"
                )
            reply = handler(request, workspace, body)
        except Malformed as error:
            reply = JsonResponse({"error": str(error)}, status=400)
        except Refused as error:
            # No CORS header: the browser keeps even this answer from the page.
            return JsonResponse({"error": str(error)}, status=403)
        return _cors(reply, origin)

    return view


def _body(request: HttpRequest) -> dict[str, Any]:
    if len(request.body) > MAX_BODY:
        raise Malformed(f"the body must be at most {MAX_BODY} bytes")
    try:
        body = json.loads(request.body or b"{}")
    except ValueError as error:
        raise Malformed(f"the body must be JSON: {error}") from None
    if not isinstance(body, dict):
        raise Malformed("the body must be a JSON object")
    return body


def _workspace(key: object) -> Workspace:
    if not isinstance(key, str) or not key.startswith("pk_") or len(key) > 40:
        raise Refused("unknown publishable key")
    memory = f"npsloop:widget-key:{key}"
    workspace: Workspace | None = cache.get(memory)
    if workspace is None:
        workspace = Workspace.objects.filter(publishable_key=key).first()
        if workspace is None:
            raise Refused("unknown publishable key")
        cache.set(memory, workspace, timeout=KEY_MEMORY)
    return workspace


def _origin_allowed(request: HttpRequest, workspace: Workspace, origin: str | None) -> bool:
    if origin is None:
        return True  # not a browser's cross-origin call (a server, curl, the same page)
    own = {_origin_of(settings.BASE_URL), f"{request.scheme}://{request.get_host()}"}
    return origin.rstrip("/") in own | workspace.allowed_origins


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _cors(reply: HttpResponse, origin: str | None, *, preflight: bool = False) -> HttpResponse:
    if origin:
        reply["Access-Control-Allow-Origin"] = origin
        reply["Vary"] = "Origin"
    if preflight:
        reply["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        reply["Access-Control-Allow-Headers"] = "Content-Type"
        reply["Access-Control-Max-Age"] = "86400"
    return reply


def _contact(workspace: Workspace, visitor: Visitor) -> Contact | None:
    if visitor.user is None:
        return None
    try:
        return upsert_contact(workspace, visitor.user).contact
    except InvalidInput as error:
        raise Malformed(f"user: {error}") from None


@widget_endpoint
def check(request: HttpRequest, workspace: Workspace, body: dict[str, Any]) -> HttpResponse:
    visitor = visitor_of(workspace, body)
    event = body.get("event")
    event = "" if event is None else event
    if not isinstance(event, str) or len(event) > 100:
        raise Malformed("event must be a name of at most 100 characters")
    # Most checks answer "no" (the cooldown is long, a survey shows rarely), and a "no" holds
    # for a while: remembered per process for the same visitor, as identified, and event.
    memory = _no_memory(workspace, body, visitor, event)
    if (reason := cache.get(memory)) is not None:
        return JsonResponse({"show": False, "reason": reason})
    contact = _contact(workspace, visitor)
    decision = decide(workspace, visitor, contact, event, timezone.now())
    if not decision.show or decision.ask is None:
        cache.set(memory, decision.reason, timeout=NO_MEMORY)
        return JsonResponse({"show": False, "reason": decision.reason})
    locale = contact.locale if contact and contact.locale else _browser_language(request)
    wording = wording_for(decision.ask.survey, locale, name=contact.name if contact else "")
    return JsonResponse(
        {"show": True, "token": decision.ask.token, "survey": survey_payload(wording)}
    )


def _no_memory(workspace: Workspace, body: dict[str, Any], visitor: Visitor, event: str) -> str:
    """A key for the decision about this visitor: a changed user (new properties, another
    account) is a new key, so it is decided afresh and its contact updated."""
    who = body.get("user") if visitor.user is not None else {"device": visitor.device}
    canonical = json.dumps([workspace.pk, who, event], sort_keys=True, default=str)
    return "npsloop:widget-no:" + hashlib.sha256(canonical.encode()).hexdigest()


def _browser_language(request: HttpRequest) -> str:
    return request.headers.get("Accept-Language", "").split(",")[0].split(";")[0].strip()


def _ask(workspace: Workspace, body: dict[str, Any]) -> tuple[SurveyRequest, Visitor]:
    """The widget ask a token names, if this visitor may act on it."""
    token = body.get("token")
    if not isinstance(token, str) or not 10 <= len(token) <= 32:
        raise Malformed("token must be the token the check answered with")
    ask = (
        SurveyRequest.objects.select_related("survey", "contact")
        .filter(token=token, workspace=workspace, channel=Channel.IN_APP)
        .first()
    )
    if ask is None:
        raise Refused("no such widget survey")
    ask.workspace = workspace
    ask.survey.workspace = workspace
    visitor = visitor_of(workspace, body)
    if ask.contact is not None:
        if visitor.user_id != ask.contact.external_id:
            raise Refused("this survey was shown to another user")
    elif visitor.user_id is not None or visitor.device != ask.device:
        raise Refused("this survey was shown to another visitor")
    return ask, visitor


@widget_endpoint
def answer(request: HttpRequest, workspace: Workspace, body: dict[str, Any]) -> HttpResponse:
    ask, _ = _ask(workspace, body)
    if ask.status not in (AskStatus.SENT, AskStatus.RESPONDED):
        raise Refused("this survey is closed")
    try:
        response = answer_ask(ask, body.get("score"))
    except InvalidInput as error:
        wording = _wording(request, ask)
        return JsonResponse(
            {
                "errors": {
                    k: wording("bad_score") if k == "score" else v for k, v in error.errors.items()
                }
            },
            status=422,
        )
    return JsonResponse({"score": response.score, "category": response.category})


def _wording(request: HttpRequest, ask: SurveyRequest) -> Any:
    contact = ask.contact
    locale = contact.locale if contact and contact.locale else _browser_language(request)
    return wording_for(ask.survey, locale, name=contact.name if contact else "")


@widget_endpoint
def followup(request: HttpRequest, workspace: Workspace, body: dict[str, Any]) -> HttpResponse:
    ask, _ = _ask(workspace, body)
    response = Response.objects.filter(pk=ask.response_id).first() if ask.response_id else None
    if response is None:
        raise Malformed("answer with a score before the follow-up")
    comment = body.get("comment", "")
    answers = body.get("answers") or {}
    if not isinstance(comment, str) or not isinstance(answers, dict):
        raise Malformed("comment must be text and answers an object of question id → answer")
    submitted: dict[str, list[str]] = {"comment": [comment]}
    for qid, value in answers.items():
        values = value if isinstance(value, list) else [value]
        submitted[str(qid)] = [str(v) for v in values if v is not None]
    errors = save_followup(_wording(request, ask), response, submitted)
    if errors:
        return JsonResponse({"errors": errors}, status=422)
    return JsonResponse({"ok": True})


@widget_endpoint
def dismiss(request: HttpRequest, workspace: Workspace, body: dict[str, Any]) -> HttpResponse:
    """Closed without a score: it may return after the survey's dismiss_days, at most
    widget_returns times; then the ask expires."""
    ask, _ = _ask(workspace, body)
    if ask.status == AskStatus.SENT and ask.response_id is None:
        now = timezone.now()
        SurveyRequest.objects.filter(pk=ask.pk).update(
            dismissals=F("dismissals") + 1, dismissed_at=now, updated_at=now
        )
        SurveyRequest.objects.filter(pk=ask.pk, dismissals__gt=ask.survey.widget_returns).update(
            status=AskStatus.EXPIRED
        )
    return JsonResponse({"ok": True})
