"""Recording and changing responses: the one door every channel, the API and imports use."""

from __future__ import annotations

import json
import secrets
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from npsloop.contacts.fields import MAX_ID
from npsloop.contacts.models import Account, Contact
from npsloop.errors import InvalidInput
from npsloop.lean import fetch
from npsloop.moments import BadMoment, checked_moment
from npsloop.stats import ScoreError, category_of, parse_score
from npsloop.surveys.models import Channel, Response, ScoreDay, Survey, unknown_channel
from npsloop.surveys.rollups import RollupKey, apply_deltas, day_in, rollup_key
from npsloop.workspaces.models import Workspace

MAX_COMMENT = 10_000
MAX_KEY = 200
MAX_WAVE = 1000
# Clocks disagree a little; a created_at this far ahead is still "now", beyond it a mistake.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass
class ResponseData:
    survey: Survey
    score: object
    contact: Contact | None = None
    comment: str = ""
    answers: dict[str, object] = field(default_factory=dict)
    channel: str = Channel.OTHER
    wave: int | None = None
    created_at: datetime | None = None
    key: str | None = None


@dataclass
class Recorded:
    response: Response
    created: bool


def record_response(workspace: Workspace, data: ResponseData) -> Recorded:
    """Store a response once: a second call with the same key returns the first response.

    Raises InvalidInput for anything that can't be stored, including a key that was
    already used for a different answer. Its one-statement twin for the API's busiest
    request is record_plain_response, below: change them together.
    """
    score = check_response(workspace, data)
    key = data.key or uuid.uuid4().hex
    # A key we just generated can't have been used: skip the lookup, one query less per
    # response (the unique constraint below still guards against the impossible).
    existing = Response.objects.filter(workspace=workspace, key=key).first() if data.key else None
    if existing is not None:
        return Recorded(_same_or_conflict(existing, data, score), created=False)
    now = timezone.now()
    contact = data.contact
    response = Response(
        workspace=workspace,
        survey=data.survey,
        contact=contact,
        account_id=contact.account_id if contact else None,
        score=score,
        category=category_of(score),
        comment=data.comment,
        answers=data.answers,
        channel=data.channel,
        wave=data.wave,
        properties=dict(contact.properties) if contact else {},
        key=key,
        created_at=data.created_at or now,
        updated_at=now,
    )
    if data.key is None:
        # A fresh random key can't collide, so there is nothing to recover from and no need
        # for a savepoint: two statements less on the API's hot path.
        with transaction.atomic(savepoint=False):
            response.save(force_insert=True)
            apply_deltas(workspace, Counter({rollup_key(response, workspace): 1}))
        return Recorded(response, created=True)
    try:
        with transaction.atomic():
            response.save(force_insert=True)
            apply_deltas(workspace, Counter({rollup_key(response, workspace): 1}))
    except IntegrityError:
        # A concurrent retry with the same key got there first.
        existing = Response.objects.filter(workspace=workspace, key=key).first()
        if existing is None:
            raise
        return Recorded(_same_or_conflict(existing, data, score), created=False)
    return Recorded(response, created=True)


@dataclass(frozen=True)
class PlainResponse:
    """An answer whose contact is known by its external id alone, with nothing to change."""

    survey_id: int
    external_id: str
    score: object
    comment: object
    answers: object
    channel: object
    key: str | None


@dataclass(frozen=True)
class PlainRecorded:
    response_id: int
    created_at: datetime
    external_id: str
    email: str | None
    account: str | None
    properties: dict[str, object]


# One transaction: the survey must be the workspace's; the contact is found by its
# external id or, unless the client sent an Idempotency-Key, created; the response is
# inserted with a snapshot of the contact's properties; the day's rollup counts it. No row
# comes back when any of that did not happen.
#
# The statement is planned once per connection, often while the tables are still small,
# so each look-up leaves the planner one index: the survey by its primary key
# (``workspace_id + 0`` is not indexed), the contact by the unique (workspace_id,
# external_id). A contact is created only with a key of our own, which cannot have been
# used: a key the client chose may have been, which only record_response can tell, and a
# look-up of it could be planned on any index that starts with workspace_id.
PLAIN_RECORD = f"""
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


def record_plain_response(
    workspace_id: int, time_zone: str, data: PlainResponse
) -> PlainRecorded | None:
    """upsert_contact then record_response for the API's busiest request (npsloop.api.wsgi),
    in one prepared statement on PostgreSQL: a new contact gets its external id and nothing
    else, the response the same fields and snapshot record_response gives it.

    None whenever the general door must decide: a value record_response or
    clean_contact_data would refuse or change (a score as text, an id with spaces around),
    a survey not the workspace's, a key used before, a client's key with a new contact, a
    contact created by another request at the same moment, a database other than
    PostgreSQL. Change this with record_response and upsert_contact:
    tests/api/test_responses_fast_path.py holds the two doors equal.
    """
    score, channel, key = data.score, data.channel, data.key
    if connection.vendor != "postgresql" or type(score) is not int or not 0 <= score <= 10:
        return None
    if not isinstance(channel, str) or unknown_channel(channel) is not None:
        return None
    external_id = data.external_id
    if not 0 < len(external_id) <= MAX_ID or external_id != external_id.strip():
        return None
    if key is not None and not 0 < len(key) <= MAX_KEY:
        return None
    errors: dict[str, str] = {}
    check_comment(data.comment, errors)
    check_answers(data.answers, errors)
    if errors:
        return None
    now = timezone.now()
    rows = fetch(
        PLAIN_RECORD,
        {
            "workspace": workspace_id,
            "survey": data.survey_id,
            "external_id": external_id,
            "score": score,
            "category": category_of(score),
            "comment": data.comment,
            "answers": json.dumps(data.answers),
            "channel": channel,
            "key": key or secrets.token_hex(16),
            "may_create": key is None,
            "now": now,
            "day": day_in(now, time_zone),
        },
    )
    if not rows:
        return None
    response_id, external_id, email, properties, account = rows[0]
    return PlainRecorded(response_id, now, external_id, email, account, json.loads(properties))


_UNSET: object = object()


def update_response(
    response: Response,
    *,
    score: object = _UNSET,
    comment: object = _UNSET,
    answers: object = _UNSET,
) -> Response:
    """Change the score, comment or answers of a response, keeping the rollups exact."""
    errors: dict[str, str] = {}
    new_score = response.score
    if score is not _UNSET:
        try:
            new_score = parse_score(score)
        except ScoreError as error:
            errors["score"] = str(error)
    if comment is not _UNSET:
        check_comment(comment, errors)
    if answers is not _UNSET:
        check_answers(answers, errors)
    if response.erased_at is not None:
        # Personal data must not creep back into a response whose person was erased.
        for name, value in (("comment", comment), ("answers", answers)):
            if value is not _UNSET:
                errors[name] = "can't be set: the person who gave this response was erased"
    if errors:
        raise InvalidInput(errors)
    workspace = response.workspace
    with transaction.atomic():
        deltas: Counter[RollupKey] = Counter()
        if new_score != response.score:
            deltas[rollup_key(response, workspace)] -= 1
            response.score = new_score
            response.category = category_of(new_score)
            deltas[rollup_key(response, workspace)] += 1
        if comment is not _UNSET:
            response.comment = str(comment)
        if answers is not _UNSET:
            response.answers = dict(answers)  # type: ignore[call-overload]
        response.updated_at = timezone.now()
        response.save(update_fields=["score", "category", "comment", "answers", "updated_at"])
        apply_deltas(workspace, deltas)
    return response


def check_response(workspace: Workspace, data: ResponseData) -> int:
    """The score, if record_response would accept the data; InvalidInput naming every bad
    field otherwise. Imports call it before storing a row's contact, so a refused row
    leaves nothing behind."""
    errors: dict[str, str] = {}
    score = 0
    try:
        score = parse_score(data.score)
    except ScoreError as error:
        errors["score"] = str(error)
    if data.survey.workspace_id != workspace.pk:
        errors["survey"] = "no such survey in this workspace"
    if data.contact is not None and data.contact.workspace_id != workspace.pk:
        errors["contact"] = "no such contact in this workspace"
    if problem := unknown_channel(data.channel):
        errors["channel"] = problem
    if data.wave is not None and (
        isinstance(data.wave, bool)
        or not isinstance(data.wave, int)
        or not 1 <= data.wave <= MAX_WAVE
    ):
        errors["wave"] = f"must be a whole number from 1 to {MAX_WAVE}, got {data.wave!r}"
    check_comment(data.comment, errors)
    check_answers(data.answers, errors)
    if data.created_at is not None:
        try:
            if checked_moment(data.created_at) > timezone.now() + CLOCK_SKEW:
                errors["created_at"] = "must not be in the future"
        except BadMoment as error:
            errors["created_at"] = str(error)
    if data.key is not None and not 0 < len(data.key) <= MAX_KEY:
        errors["key"] = f"must be 1 to {MAX_KEY} characters, got {len(data.key)}"
    if errors:
        raise InvalidInput(errors)
    return score


def check_comment(comment: object, errors: dict[str, str]) -> None:
    if not isinstance(comment, str):
        errors["comment"] = f"must be text, got {type(comment).__name__}"
    elif len(comment) > MAX_COMMENT:
        errors["comment"] = f"must be at most {MAX_COMMENT} characters, got {len(comment)}"


def check_answers(answers: object, errors: dict[str, str]) -> None:
    if not isinstance(answers, dict):
        errors["answers"] = f"must be an object of question → answer, got {type(answers).__name__}"
        return
    for question, answer in answers.items():
        if not isinstance(question, str) or not question:
            errors["answers"] = "question names must be non-empty text"
        elif not _is_answer(answer):
            errors[f"answers.{question}"] = (
                "must be text, a number, a boolean, or a list of text or whole numbers, "
                f"got {type(answer).__name__}"
            )


def _is_answer(value: object) -> bool:
    if isinstance(value, str | int | float | bool):
        return True
    # Lists hold the options picked in a multiple-choice question: their labels (imports,
    # the API) or their positions (the survey page).
    return isinstance(value, list) and all(
        isinstance(item, str) or (isinstance(item, int) and not isinstance(item, bool))
        for item in value
    )


def _same_or_conflict(existing: Response, data: ResponseData, score: int) -> Response:
    same = (
        existing.survey_id == data.survey.pk
        and existing.score == score
        and existing.comment == data.comment
        and existing.channel == data.channel
        and (data.contact is None or existing.contact_id == data.contact.pk)
    )
    if not same:
        raise InvalidInput(
            {"key": f"was already used for a different response ({existing.pk}); use a new key"}
        )
    return existing
