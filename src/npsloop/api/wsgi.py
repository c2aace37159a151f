"""POST /api/v1/responses beside Django (npsloop.lean), for the answer every integration
sends most: a known contact by external_id, a score, maybe a comment and answers.

On PostgreSQL one prepared statement finds the contact or creates it, inserts the
response with the snapshot of the contact's properties and counts it in the day's
rollup, as one transaction. Whatever that statement cannot settle goes to the Django
view, which answers as it always did: a contact with fields to change, a score sent as
text, ``created_at``, HTTP Basic, an Idempotency-Key used before or sent for a new
contact, any invalid input (the view's 422 names the field), an unknown key (401),
SQLite.

What is accepted here is what the view would store unchanged, checked by the same
functions (authenticate_api_key, through key_workspace; check_comment, check_answers),
and the answer is the view's, key for key (tests/api/test_responses_fast_path.py holds
the two doors equal).
"""

from __future__ import annotations

import io
import json
import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.utils import timezone

from npsloop.contacts.fields import MAX_ID
from npsloop.contacts.models import Account, Contact
from npsloop.lean import StartResponse, fetch, logger, on_the_database, respond
from npsloop.stats import category_of
from npsloop.surveys.models import Channel, Response, ScoreDay, Survey
from npsloop.surveys.responses import MAX_KEY, check_answers, check_comment
from npsloop.surveys.rollups import day_in
from npsloop.workspaces.services import key_workspace

WSGIApp = Any
FIELDS = frozenset({"survey", "contact", "score", "comment", "answers", "channel"})
CHANNELS = frozenset(Channel.values)

# One transaction: the survey must be the workspace's; the contact is found by its
# external id or, unless the client sent an Idempotency-Key, created; the response is
# inserted with a snapshot of the contact's properties; the day's rollup counts it. No row
# comes back when any of that did not happen.
#
# The statement is planned once per connection, often while the tables are still small,
# so each look-up leaves the planner one index: the survey by its primary key
# (``workspace_id + 0`` is not indexed), the contact by the unique (workspace_id,
# external_id). A contact is created only with a key of our own, which cannot have been
# used: a key the client chose may have been, which only Django's view can tell, and a
# look-up of it could be planned on any index that starts with workspace_id.
RECORD = f"""
WITH s AS (
    SELECT id, workspace_id FROM {Survey._meta.db_table}
    WHERE id = %(survey)s AND workspace_id + 0 = %(workspace)s
), known AS (
    SELECT id, account_id, properties, external_id, email FROM {Contact._meta.db_table}
    WHERE workspace_id = %(workspace)s AND external_id = %(external_id)s
), created AS (
    INSERT INTO {Contact._meta.db_table} (workspace_id, external_id, email, name, locale,
        signed_up_at, account_id, properties, unsubscribed_at, bounced_at, created_at,
        updated_at)
    SELECT s.workspace_id, %(external_id)s, NULL, '', '', NULL, NULL, '{{}}'::jsonb, NULL,
        NULL, %(now)s, %(now)s
    FROM s
    WHERE %(may_create)s AND NOT EXISTS (SELECT FROM known)
    ON CONFLICT (workspace_id, external_id) WHERE external_id IS NOT NULL DO NOTHING
    RETURNING id, account_id, properties, external_id, email
), c AS (
    SELECT * FROM known UNION ALL SELECT * FROM created
), r AS (
    INSERT INTO {Response._meta.db_table} (workspace_id, survey_id, contact_id, account_id,
        score, category, comment, answers, channel, wave, properties, key, created_at,
        updated_at, erased_at)
    SELECT s.workspace_id, s.id, c.id, c.account_id, %(score)s, %(category)s, %(comment)s,
        %(answers)s::jsonb, %(channel)s, NULL, c.properties, %(key)s, %(now)s, %(now)s, NULL
    FROM c CROSS JOIN s
    ON CONFLICT (workspace_id, key) DO NOTHING
    RETURNING id, survey_id, score, channel, workspace_id
), d AS (
    INSERT INTO {ScoreDay._meta.db_table} (workspace_id, survey_id, day, channel, wave,
        score, count)
    SELECT workspace_id, survey_id, %(day)s, channel, 0, score, 1 FROM r
    ON CONFLICT (survey_id, day, channel, wave, score)
    DO UPDATE SET count = {ScoreDay._meta.db_table}.count + excluded.count
)
SELECT r.id, c.external_id, c.email, c.properties::text,
    (SELECT external_id FROM {Account._meta.db_table} WHERE id = c.account_id)
FROM r CROSS JOIN c
"""


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
    if given is not None and not 0 < len(given) <= MAX_KEY:
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    fields = _plain(data)
    if fields is None:
        return None
    workspace = key_workspace(secret)
    if workspace is None:
        return None
    survey_id, external_id, score, comment, answers, channel = fields
    now = timezone.now()
    rows = fetch(
        RECORD,
        {
            "workspace": workspace.id,
            "survey": survey_id,
            "external_id": external_id,
            "score": score,
            "category": category_of(score),
            "comment": comment,
            "answers": json.dumps(answers),
            "channel": channel,
            "key": given or secrets.token_hex(16),
            "may_create": given is None,
            "now": now,
            "day": day_in(now, workspace.time_zone),
        },
    )
    if not rows:
        # The survey is not this workspace's, the contact is new and the client chose
        # the key, the key was used, or another request created the contact just now.
        return None
    return _rendered(rows[0], survey_id, score, comment, answers, channel, now)


def _plain(data: object) -> tuple[int, str, int, str, dict[str, Any], str] | None:
    """The fields of a body the view would store as they are; None for anything else."""
    if not isinstance(data, dict) or not data.keys() <= FIELDS:
        return None
    survey, contact, score = data.get("survey"), data.get("contact"), data.get("score")
    comment, answers = data.get("comment", ""), data.get("answers", {})
    channel = data.get("channel", Channel.OTHER)
    if type(survey) is not int or type(score) is not int or not 0 <= score <= 10:
        return None
    if not isinstance(contact, dict) or contact.keys() != {"external_id"}:
        return None
    external_id = contact["external_id"]
    if not isinstance(external_id, str) or not 0 < len(external_id) <= MAX_ID:
        return None
    if external_id != external_id.strip() or channel not in CHANNELS:
        return None
    errors: dict[str, str] = {}
    check_comment(comment, errors)
    check_answers(answers, errors)
    if errors:
        return None
    return survey, external_id, score, comment, answers, str(channel)


def _rendered(
    row: tuple[Any, ...],
    survey_id: int,
    score: int,
    comment: str,
    answers: dict[str, Any],
    channel: str,
    now: datetime,
) -> dict[str, Any]:
    """response_json's keys and values (api/responses.py), in its order."""
    response_id, external_id, email, properties, account = row
    return {
        "id": response_id,
        "survey": survey_id,
        "contact": {"external_id": external_id, "email": email},
        "account": account,
        "score": score,
        "category": category_of(score),
        "comment": comment,
        "answers": answers,
        "channel": channel,
        "properties": json.loads(properties),
        "created_at": now,
        "updated_at": now,
        "erased": False,
    }


def _json(
    start_response: StartResponse, status: int, payload: dict[str, Any], path: str
) -> Iterable[bytes]:
    body = json.dumps(payload, cls=DjangoJSONEncoder).encode()
    headers = [("Content-Type", "application/json; charset=utf-8")]
    return respond(start_response, status, headers, body, path=path)
