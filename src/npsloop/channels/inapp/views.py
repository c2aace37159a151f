"""The widget's endpoints, /widget/v1/…: check (show a survey or not), answer, follow-up,
dismiss. JSON in and out, from any web page whose origin the workspace allows."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from npsloop.channels.inapp.eligibility import (
    History,
    candidates_for,
    decide,
    history_start,
    known_contact,
    stored_contact,
)
from npsloop.channels.inapp.identity import Malformed, Refused, Visitor, visitor_of
from npsloop.channels.inapp.passes import MAX_LENGTH, ask_token_of, issue_pass
from npsloop.channels.inapp.payload import survey_payload
from npsloop.contacts.fields import clean_contact_data
from npsloop.contacts.models import Contact
from npsloop.contacts.services import add_contact, upsert_contact
from npsloop.errors import InvalidInput
from npsloop.inbound import Unreadable, parse_json, shown
from npsloop.memory import Memory
from npsloop.program.answers import answer_ask
from npsloop.program.asks import dismiss as dismiss_ask
from npsloop.program.models import AskStatus, SurveyRequest
from npsloop.surveys import texts
from npsloop.surveys.followup import save_followup, wording_for
from npsloop.surveys.models import Channel, Response
from npsloop.surveys.responses import EditWindowClosed
from npsloop.workspaces.models import Workspace

KEY_MEMORY = 5.0
# How long a "don't show" is remembered: a survey that becomes due shows at most this late.
NO_MEMORY = 60.0
MAX_BODY = 64 * 1024
WORKSPACES = Memory(size=1_000)  # by publishable key
NOES = Memory(size=100_000)  # a "no" by visitor and event: 100,000 take about 25 MB


@dataclass(frozen=True)
class Call:
    """One widget request, once its workspace is known and its origin allowed."""

    workspace: Workspace
    body: dict[str, Any]
    accept_language: str


Reply = tuple[int, dict[str, Any]]
Handler = Callable[[Call], Reply]
Headers = list[tuple[str, str]]


def serve(
    handler: Handler,
    method: str | None,
    raw_body: bytes,
    origin: str | None,
    own_origin: str | None,
    accept_language: str,
) -> tuple[int, dict[str, Any] | None, Headers]:
    """A widget request from any server: the status, the JSON to answer (None: no body),
    and the CORS headers. Parses the body, finds the workspace by its publishable key and
    checks the origin: the page's own server (``own_origin``), BASE_URL and the origins
    the workspace allows."""
    if method == "OPTIONS":
        return 204, None, _cors(origin, preflight=True)
    if method != "POST":
        return 405, {"error": "use POST"}, []
    try:
        body = _body(raw_body)
        workspace = _workspace(body.get("key"))
        if not _origin_allowed(workspace, origin, own_origin):
            raise Refused(
                f"the origin {origin} may not use this workspace's widget; add it to "
                "the workspace's widget origins"
            )
        status, payload = handler(Call(workspace, body, accept_language))
    except Malformed as error:
        status, payload = 400, {"error": str(error)}
    except Refused as error:
        # No CORS header: the browser keeps even this answer from the page.
        return 403, {"error": str(error)}, []
    return status, payload, _cors(origin)


def widget_endpoint(handler: Handler) -> Callable[[HttpRequest], HttpResponse]:
    """``serve`` as a Django view."""

    @csrf_exempt
    @wraps(handler)
    def view(request: HttpRequest) -> HttpResponse:
        # META, not request.headers: that builds a dict of every header for two of them.
        status, payload, headers = serve(
            handler,
            request.method,
            request.body,
            request.META.get("HTTP_ORIGIN"),
            f"{request.scheme}://{request.get_host()}",
            request.META.get("HTTP_ACCEPT_LANGUAGE", ""),
        )
        reply = HttpResponse(status=status) if payload is None else JsonResponse(payload)
        reply.status_code = status
        for name, value in headers:
            reply[name] = value
        return reply

    return view


def _body(raw: bytes) -> dict[str, Any]:
    if len(raw) > MAX_BODY:
        raise Malformed(f"the body must be at most {MAX_BODY} bytes")
    try:
        body = parse_json(raw or b"{}")
    except Unreadable as error:
        where = "" if error.location is None else f"{shown(error.location)} "
        raise Malformed(where + error.message) from None
    if not isinstance(body, dict):
        raise Malformed("the body must be a JSON object")
    return body


def _workspace(key: object) -> Workspace:
    if not isinstance(key, str) or not key.startswith("pk_") or len(key) > 40:
        raise Refused("unknown publishable key")
    workspace: Workspace | None = WORKSPACES.get(key)
    if workspace is None:
        workspace = Workspace.objects.filter(publishable_key=key).first()
        if workspace is None:
            raise Refused("unknown publishable key")
        WORKSPACES.set(key, workspace, KEY_MEMORY)
    return workspace


def _origin_allowed(workspace: Workspace, origin: str | None, own_origin: str | None) -> bool:
    if origin is None:
        return True  # not a browser's cross-origin call (a server, curl, the same page)
    own = {_origin_of(settings.BASE_URL), own_origin}
    return origin.rstrip("/") in own | workspace.allowed_origins


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _cors(origin: str | None, *, preflight: bool = False) -> Headers:
    headers: Headers = []
    if origin:
        headers += [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
    if preflight:
        headers += [
            ("Access-Control-Allow-Methods", "POST, OPTIONS"),
            ("Access-Control-Allow-Headers", "Content-Type"),
            ("Access-Control-Max-Age", "86400"),
        ]
    return headers


def _contact(
    workspace: Workspace, visitor: Visitor, since: datetime
) -> tuple[Contact | None, History | None]:
    """The visitor's contact, with its history since ``since`` when that was read on the
    way. A verified visitor's is stored or updated when the check brings news; without a
    valid userHash the check only names someone, so a stored contact is taken as it is and
    only a new one is stored."""
    if visitor.user is None:
        return None, None
    try:
        data = clean_contact_data(visitor.user)
        if not visitor.verified:
            assert data.external_id is not None, "visitor_of requires a user id"
            if (stored := stored_contact(workspace, data.external_id, since)) is not None:
                return stored
            return add_contact(workspace, data), None
        if (known := known_contact(workspace, data, since)) is not None:
            return known
        return upsert_contact(workspace, data).contact, None
    except InvalidInput as error:
        raise Malformed(f"user: {error}") from None


def answer_check(call: Call) -> Reply:
    """Show a survey or not, for POST /widget/v1/check."""
    workspace, body = call.workspace, call.body
    visitor = visitor_of(workspace, body)
    event = body.get("event")
    event = "" if event is None else event
    if not isinstance(event, str) or len(event) > 100:
        raise Malformed("event must be a name of at most 100 characters")
    # Most checks answer "no" (the cooldown is long, a survey shows rarely), and a "no" holds
    # for a while: remembered per process for the same visitor, as identified, and event.
    memory = _no_memory(workspace, body, visitor, event)
    now = timezone.now()
    if (remembered := NOES.get(memory)) is not None:
        reason, until = remembered
        return 200, _no(workspace, reason, until, now)
    since = history_start(candidates_for(workspace, event), now)
    contact, history = _contact(workspace, visitor, since)
    decision = decide(workspace, visitor, contact, event, now, history=history)
    if not decision.show or decision.survey is None:
        NOES.set(memory, (decision.reason, decision.until), NO_MEMORY)
        return 200, _no(workspace, decision.reason, decision.until, now)
    # Without a valid userHash the card speaks with what the caller said, never with the
    # stored contact's name and language: naming a user must not reveal what is stored.
    known = contact if visitor.verified else visitor.user
    locale = known.locale if known and known.locale else None
    locale = locale or texts.browser_language(call.accept_language)
    wording = wording_for(decision.survey, locale, name=(known.name or "") if known else "")
    token = issue_pass(workspace, decision.token, visitor)
    return 200, {"show": True, "token": token, "survey": survey_payload(wording)}


check = widget_endpoint(answer_check)


def _no(workspace: Workspace, reason: str, until: datetime | None, now: datetime) -> dict[str, Any]:
    """A "no", with how many seconds the browser may keep it before asking again: until
    the person could next be asked, at most the workspace's widget_recheck_minutes."""
    seconds = workspace.widget_recheck_minutes * 60
    if until is not None:
        seconds = min(seconds, max(0, int((until - now).total_seconds())))
    return {"show": False, "reason": reason, "recheck_after": seconds}


def _no_memory(workspace: Workspace, body: dict[str, Any], visitor: Visitor, event: str) -> str:
    """A key for the decision about this visitor: a changed user (new properties, another
    account) is a new key, so it is decided afresh and, when verified, its contact updated."""
    who = body.get("user") if visitor.user is not None else {"device": visitor.device}
    canonical = json.dumps(
        [workspace.pk, who, visitor.verified, event], sort_keys=True, default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _ask(workspace: Workspace, body: dict[str, Any]) -> tuple[SurveyRequest, Visitor]:
    """The widget ask a check's pass names, if this visitor may act on it."""
    given = body.get("token")
    if not isinstance(given, str) or not 10 <= len(given) <= MAX_LENGTH:
        raise Malformed("token must be the token the check answered with")
    visitor = visitor_of(workspace, body)
    token = ask_token_of(workspace, given, visitor)
    ask = (
        SurveyRequest.objects.select_related("survey", "contact")
        .filter(token=token, workspace=workspace, channel=Channel.IN_APP)
        .first()
    )
    if ask is None:
        raise Refused("no such widget survey")
    ask.workspace = workspace
    ask.survey.workspace = workspace
    if ask.contact is not None:
        if visitor.user_id != ask.contact.external_id:
            raise Refused("this survey was shown to another user")
    elif visitor.user_id is not None or visitor.device != ask.device:
        raise Refused("this survey was shown to another visitor")
    return ask, visitor


def _answer(call: Call) -> Reply:
    ask, _ = _ask(call.workspace, call.body)
    if ask.status not in (AskStatus.SENT, AskStatus.RESPONDED):
        raise Refused("this survey is closed")
    try:
        response = answer_ask(ask, call.body.get("score"))
    except EditWindowClosed:
        return 422, {"errors": {"score": _wording(call, ask)("edit_closed")}}
    except InvalidInput as error:
        wording = _wording(call, ask)
        errors = {k: wording("bad_score") if k == "score" else v for k, v in error.errors.items()}
        return 422, {"errors": errors}
    return 200, {"score": response.score, "category": response.category}


def _wording(call: Call, ask: SurveyRequest) -> Any:
    contact = ask.contact
    locale = contact.locale if contact and contact.locale else None
    locale = locale or texts.browser_language(call.accept_language)
    return wording_for(ask.survey, locale, name=contact.name if contact else "")


def _followup(call: Call) -> Reply:
    ask, _ = _ask(call.workspace, call.body)
    response = Response.objects.filter(pk=ask.response_id).first() if ask.response_id else None
    if response is None:
        raise Malformed("answer with a score before the follow-up")
    comment = call.body.get("comment", "")
    answers = call.body.get("answers") or {}
    if not isinstance(comment, str) or not isinstance(answers, dict):
        raise Malformed("comment must be text and answers an object of question id → answer")
    submitted: dict[str, list[str]] = {"comment": [comment]}
    for qid, value in answers.items():
        values = value if isinstance(value, list) else [value]
        submitted[str(qid)] = [str(v) for v in values if v is not None]
    errors = save_followup(_wording(call, ask), response, submitted)
    if errors:
        return 422, {"errors": errors}
    return 200, {"ok": True}


def _dismiss(call: Call) -> Reply:
    """Closed without a score: it may return after the survey's dismiss_days, at most
    widget_returns times; then the ask expires."""
    ask, _ = _ask(call.workspace, call.body)
    dismiss_ask(ask, timezone.now())
    return 200, {"ok": True}


answer = widget_endpoint(_answer)
followup = widget_endpoint(_followup)
dismiss = widget_endpoint(_dismiss)
