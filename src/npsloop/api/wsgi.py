"""POST /api/v1/responses beside Django (npsloop.lean), for the answer every integration
sends most: a known contact by external_id, a score, maybe a comment and answers.

On PostgreSQL the response service's one-statement door, record_plain_response, finds
the contact or creates it, stores the response and counts it in the day's rollup.
Whatever that cannot settle goes to the Django view, which answers as it always did: a
contact with fields to change, a score sent as text, ``created_at``, HTTP Basic, an
Idempotency-Key used before or sent for a new contact, any invalid input (the view's 422
names the field), an unknown key (401), SQLite.

What is accepted here is what the view would store unchanged (the key checked by
authenticate_api_key, through key_workspace; the values by record_plain_response), and
the answer is the view's, key for key (tests/api/test_responses_fast_path.py holds the
two doors equal).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection

from npsloop.inbound import Unreadable, parse_json
from npsloop.lean import StartResponse, logger, on_the_database, respond
from npsloop.stats import category_of
from npsloop.surveys.models import Channel
from npsloop.surveys.responses import PlainRecorded, PlainResponse, record_plain_response
from npsloop.workspaces.services import key_workspace

WSGIApp = Any
FIELDS = frozenset({"survey", "contact", "score", "comment", "answers", "channel"})


def record(
    environ: dict[str, Any], start_response: StartResponse, django: WSGIApp
) -> Iterable[bytes]:
    """Answer the request here, or hand it to Django unchanged."""
    if environ.get("REQUEST_METHOD") != "POST" or connection.vendor != "postgresql":
        return django(environ, start_response)
    try:
        size = int(environ.get("CONTENT_LENGTH") or -1)
    except ValueError:
        size = -1
    if not 0 < size <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        return django(environ, start_response)
    body = environ["wsgi.input"].read(size)
    # Django reads the body again if the request goes on to it.
    environ["wsgi.input"] = io.BytesIO(body)
    request = WSGIRequest(environ)
    try:
        request.get_host()
    except DisallowedHost:
        return django(environ, start_response)  # which answers 400
    try:
        answer = on_the_database(lambda: _record(environ, body))
    except Exception:
        logger.exception("Internal Server Error: %s", request.path)
        message = {"detail": "the server failed; please retry later"}
        return _json(start_response, 500, message, request.path)
    if answer is None:
        environ["wsgi.input"] = io.BytesIO(body)
        return django(environ, start_response)
    return _json(start_response, 201, answer, request.path)


def _record(environ: dict[str, Any], body: bytes) -> dict[str, Any] | None:
    """The stored response as the view renders it, or None when this is Django's."""
    if not environ.get("CONTENT_TYPE", "").startswith("application/json"):
        return None
    scheme, _, secret = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    given = environ.get("HTTP_IDEMPOTENCY_KEY")
    try:
        data = parse_json(body)
    except Unreadable:
        return None
    fields = _plain(data)
    if fields is None:
        return None
    workspace = key_workspace(secret)
    if workspace is None:
        return None
    survey_id, external_id, score, comment, answers, channel = fields
    stored = record_plain_response(
        workspace.id,
        workspace.time_zone,
        PlainResponse(survey_id, external_id, score, comment, answers, channel, given),
    )
    if stored is None:
        return None
    return _rendered(stored, survey_id, score, comment, answers, channel)


def _plain(data: object) -> tuple[int, str, Any, Any, Any, Any] | None:
    """The fields of a body of the plain shape (record_plain_response checks their
    values); None for any other body."""
    if not isinstance(data, dict) or not data.keys() <= FIELDS:
        return None
    survey, contact = data.get("survey"), data.get("contact")
    if type(survey) is not int or not isinstance(contact, dict):
        return None
    if contact.keys() != {"external_id"} or not isinstance(contact["external_id"], str):
        return None
    return (
        survey,
        contact["external_id"],
        data.get("score"),
        data.get("comment", ""),
        data.get("answers", {}),
        data.get("channel", Channel.OTHER),
    )


def _rendered(
    stored: PlainRecorded,
    survey_id: int,
    score: int,
    comment: str,
    answers: dict[str, Any],
    channel: str,
) -> dict[str, Any]:
    """response_json's keys and values (api/responses.py), in its order."""
    return {
        "id": stored.response_id,
        "survey": survey_id,
        "contact": {"external_id": stored.external_id, "email": stored.email},
        "account": stored.account,
        "score": score,
        "category": category_of(score),
        "comment": comment,
        "answers": answers,
        "channel": str(channel),
        "properties": stored.properties,
        "created_at": stored.created_at,
        "updated_at": stored.created_at,
        "erased": False,
    }


def _json(
    start_response: StartResponse, status: int, payload: dict[str, Any], path: str
) -> Iterable[bytes]:
    body = json.dumps(payload, cls=DjangoJSONEncoder).encode()
    headers = [("Content-Type", "application/json; charset=utf-8")]
    return respond(start_response, status, headers, body, path=path)
