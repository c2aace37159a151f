"""record_response on PostgreSQL for the answer every integration sends most: a contact
named by its external id alone (nothing of it to change), in one prepared statement.

Only surveys.responses.record_response calls this: it has checked every value already,
and it takes the general path (upsert_contact, then the ORM) whenever this returns None.
"""

from __future__ import annotations

import json
import secrets
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import Model
from django.utils import timezone

from npsloop.contacts.models import Account, Contact
from npsloop.events.log import moment
from npsloop.events.models import Event, EventType
from npsloop.statements import fetch
from npsloop.stats import category_of
from npsloop.surveys.models import Response, ScoreDay, Survey
from npsloop.surveys.rollups import day_in
from npsloop.workspaces.models import Workspace

M = TypeVar("M", bound=Model)
_CONTACT_FIELDS = Contact._meta.concrete_fields
_ACCOUNT_FIELDS = Account._meta.concrete_fields
_NAMES: dict[type[Model], list[str]] = {
    model: [field.attname for field in model._meta.concrete_fields] for model in (Contact, Account)
}
_CONTACT_COLUMNS = ", ".join(field.column for field in _CONTACT_FIELDS)
_ACCOUNT_COLUMNS = ", ".join(f"a.{field.column}" for field in _ACCOUNT_FIELDS)

# One transaction: the contact is found by its external id or, unless the client sent an
# Idempotency-Key, created with that id and nothing else; the response is inserted with a
# snapshot of the contact's properties; the day's rollup counts it; the event log gets its
# response.created, shaped as surveys.payload shapes it. No row comes back when any of
# that did not happen (a key used before, a client's key with a new contact, a contact
# created by another request at the same moment).
#
# The statement is planned once per connection, often while the tables are still small,
# so each look-up leaves the planner one index: the contact by the unique (workspace_id,
# external_id), the account by its primary key. A contact is created only with a key of
# our own, which cannot have been used: a key the client chose may have been, which only
# the general path can tell.
STATEMENT = f"""
WITH known AS (
    SELECT {_CONTACT_COLUMNS} FROM {Contact._meta.db_table}
    WHERE workspace_id = %(workspace)s AND external_id = %(external_id)s
), created AS (
    INSERT INTO {Contact._meta.db_table} (workspace_id, external_id, email, name, locale,
        signed_up_at, account_id, properties, unsubscribed_at, bounced_at, created_at,
        updated_at)
    SELECT %(workspace)s, %(external_id)s, NULL, '', '', NULL, NULL, '{{}}'::jsonb, NULL,
        NULL, %(now)s, %(now)s
    WHERE %(may_create)s AND NOT EXISTS (SELECT FROM known)
    ON CONFLICT (workspace_id, external_id) WHERE external_id IS NOT NULL DO NOTHING
    RETURNING {_CONTACT_COLUMNS}
), c AS (
    SELECT * FROM known UNION ALL SELECT * FROM created
), r AS (
    INSERT INTO {Response._meta.db_table} (workspace_id, survey_id, contact_id, account_id,
        score, category, comment, answers, channel, wave, properties, key, created_at,
        updated_at, erased_at)
    SELECT %(workspace)s, %(survey)s, c.id, c.account_id, %(score)s, %(category)s,
        %(comment)s, %(answers)s::jsonb, %(channel)s, NULL, c.properties, %(key)s,
        %(created)s, %(now)s, NULL
    FROM c
    ON CONFLICT (workspace_id, key) DO NOTHING
    RETURNING id
), d AS (
    INSERT INTO {ScoreDay._meta.db_table} (workspace_id, survey_id, day, channel, wave,
        score, count)
    SELECT %(workspace)s, %(survey)s, %(day)s, %(channel)s, 0, %(score)s, 1 FROM r
    ON CONFLICT (survey_id, day, channel, wave, score)
    DO UPDATE SET count = {ScoreDay._meta.db_table}.count + excluded.count
), e AS (
    INSERT INTO {Event._meta.db_table} (workspace_id, type, response_id, contact_id, ask_id,
        data, created_at)
    SELECT %(workspace)s, '{EventType.RESPONSE_CREATED.value}', r.id, c.id, NULL,
        jsonb_build_object('response', jsonb_build_object(
            'id', r.id, 'survey', %(survey)s::bigint,
            'contact', jsonb_build_object('external_id', c.external_id, 'email', c.email),
            'account', a.external_id,
            'score', %(score)s::integer, 'category', %(category)s::text,
            'comment', %(comment)s::text, 'answers', %(answers)s::jsonb,
            'channel', %(channel)s::text, 'properties', c.properties,
            'created_at', %(created_moment)s::text, 'updated_at', %(now_moment)s::text,
            'erased', false
        )),
        %(now)s
    FROM r CROSS JOIN c LEFT JOIN {Account._meta.db_table} a ON a.id = c.account_id
)
SELECT r.id, c.*, {_ACCOUNT_COLUMNS}
FROM r CROSS JOIN c LEFT JOIN {Account._meta.db_table} a ON a.id = c.account_id
"""


def record_by_external_id(
    workspace: Workspace,
    survey: Survey,
    external_id: str,
    values: dict[str, Any],
) -> Response | None:
    """The stored response, with its contact and account, or None for the general path.

    ``values``: score, comment, answers, channel, created_at (or None for now) and key
    (or None), all as record_response checked them.
    """
    now = timezone.now()
    created = values["created_at"] or now
    score: int = values["score"]
    given: str | None = values["key"]
    key = given or secrets.token_hex(16)
    rows = fetch(
        STATEMENT,
        {
            "workspace": workspace.pk,
            "survey": survey.pk,
            "external_id": external_id,
            "score": score,
            "category": category_of(score),
            "comment": values["comment"],
            "answers": json.dumps(values["answers"]),
            "channel": str(values["channel"]),
            "key": key,
            "may_create": given is None,
            "now": now,
            "created": created,
            "now_moment": moment(now),
            "created_moment": moment(created),
            "day": day_in(created, workspace.time_zone),
        },
    )
    if not rows:
        return None
    row = rows[0]
    response_id = row[0]
    contact = _instance(Contact, _CONTACT_FIELDS, row[1 : 1 + len(_CONTACT_FIELDS)])
    account_row = row[1 + len(_CONTACT_FIELDS) :]
    account = None if account_row[0] is None else _instance(Account, _ACCOUNT_FIELDS, account_row)
    contact.account = account
    response = Response(
        id=response_id,
        workspace=workspace,
        survey=survey,
        contact=contact,
        account=account,
        score=score,
        category=category_of(score),
        comment=values["comment"],
        answers=values["answers"],
        channel=values["channel"],
        wave=None,
        properties=dict(contact.properties),
        key=key,
        created_at=created,
        updated_at=now,
    )
    response._state.adding, response._state.db = False, DEFAULT_DB_ALIAS
    return response


def _instance(model: type[M], fields: Any, values: tuple[Any, ...]) -> M:
    """A model instance from its columns as the statement returned them, converted as
    Django's own queries convert them (JSON text to objects)."""
    converted = [
        field.from_db_value(value, None, connection) if hasattr(field, "from_db_value") else value
        for field, value in zip(fields, values, strict=True)
    ]
    return model.from_db(DEFAULT_DB_ALIAS, _NAMES[model], converted)
