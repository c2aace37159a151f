"""Recording and changing responses: the one door every channel, the API and imports use."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from npsloop.contacts.fields import ContactData, clean_contact_data
from npsloop.contacts.models import Contact
from npsloop.contacts.services import upsert_contact
from npsloop.errors import InvalidInput
from npsloop.events.log import Change, insert_statement, record
from npsloop.events.models import EventType
from npsloop.moments import BadMoment, checked_moment
from npsloop.statements import execute_together
from npsloop.stats import ScoreError, category_of, parse_score
from npsloop.surveys.by_external_id import record_by_external_id
from npsloop.surveys.models import Channel, Response, Survey, unknown_channel
from npsloop.surveys.payload import response_data
from npsloop.surveys.rollups import RollupKey, apply_deltas, delta_statements, rollup_key
from npsloop.workspaces.models import Workspace

MAX_COMMENT = 10_000
MAX_KEY = 200
MAX_WAVE = 1000
# Clocks disagree a little; a created_at this far ahead is still "now", beyond it a mistake.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass
class ResponseData:
    """``contact``: the contact who answered, or a ContactData describing them (found by
    external id or email, created if new, else updated: upsert_contact's rules), or None
    for an anonymous answer."""

    survey: Survey
    score: object
    contact: Contact | ContactData | None = None
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
    A contact given as ContactData is upserted in the same transaction, so a response
    refused leaves no new contact behind.

    Raises InvalidInput for anything that can't be stored, naming every bad field at once
    (the contact's as ``contact.<field>``), including a key that was already used for a
    different answer.

    On PostgreSQL, an answer whose contact is named by external id alone, with nothing
    else to change, is stored by one prepared statement (surveys.by_external_id): the
    API's busiest request. Everything else, and everything on SQLite, takes the ORM.
    """
    score, named = _checked(workspace, data)
    if named is None:
        return _record(workspace, data, score)
    if connection.vendor == "postgresql" and data.wave is None and _by_external_id(named):
        assert named.external_id is not None
        stored = record_by_external_id(
            workspace,
            data.survey,
            named.external_id,
            {
                "score": score,
                "comment": data.comment,
                "answers": data.answers,
                "channel": data.channel,
                "created_at": data.created_at,
                "key": data.key,
            },
        )
        if stored is not None:
            return Recorded(stored, created=True)
    with transaction.atomic():
        try:
            contact = upsert_contact(workspace, named).contact
        except InvalidInput as error:
            raise InvalidInput(_of_the_contact(error.errors)) from error
        return _record(workspace, replace(data, contact=contact), score)


def _by_external_id(contact: ContactData) -> bool:
    """Whether the contact is named by its external id and nothing of it is to change."""
    return contact.external_id is not None and contact == ContactData(
        external_id=contact.external_id
    )


def _of_the_contact(errors: dict[str, str]) -> dict[str, str]:
    return {f"contact.{name}": message for name, message in errors.items()}


def _record(workspace: Workspace, data: ResponseData, score: int) -> Recorded:
    """record_response's general path, for a contact already stored (or none)."""
    assert not isinstance(data.contact, ContactData)
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
    if contact is not None and Contact.account.is_cached(contact):
        response.account = contact.account
    if data.key is None:
        # A fresh random key can't collide, so there is nothing to recover from and no need
        # for a savepoint: two statements less.
        with transaction.atomic(savepoint=False):
            _store(workspace, response, now)
        return Recorded(response, created=True)
    try:
        with transaction.atomic():
            _store(workspace, response, now)
    except IntegrityError:
        # A concurrent retry with the same key got there first.
        existing = Response.objects.filter(workspace=workspace, key=key).first()
        if existing is None:
            raise
        return Recorded(_same_or_conflict(existing, data, score), created=False)
    return Recorded(response, created=True)


def _store(workspace: Workspace, response: Response, now: datetime) -> None:
    """Insert the response, count it in its day's rollup, log response.created."""
    response.save(force_insert=True)
    created = Change(
        workspace.pk,
        EventType.RESPONSE_CREATED,
        {"response": response_data(response)},
        response_id=response.pk,
        contact_id=response.contact_id,
    )
    execute_together(
        [
            *delta_statements(workspace, Counter({rollup_key(response, workspace): 1})),
            insert_statement([created], at=now),
        ]
    )


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
    if "score" not in errors and new_score != response.score:
        check_edit_window(response)
    if response.erased_at is not None:
        # Personal data must not creep back into a response whose person was erased.
        for name, value in (("comment", comment), ("answers", answers)):
            if value is not _UNSET:
                errors[name] = "can't be set: the person who gave this response was erased"
    if errors:
        raise InvalidInput(errors)
    workspace = response.workspace
    before = {name: getattr(response, name) for name in _CHANGEABLE}
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
        previous = {
            name: value for name, value in before.items() if getattr(response, name) != value
        }
        if previous:
            record(
                Change(
                    workspace.pk,
                    EventType.RESPONSE_UPDATED,
                    {"response": response_data(response), "previous": previous},
                    response_id=response.pk,
                    contact_id=response.contact_id,
                ),
                at=response.updated_at,
            )
    return response


# What an edit may change; response.updated names the old value of each that did.
_CHANGEABLE = ("score", "category", "comment", "answers")


def check_response(workspace: Workspace, data: ResponseData) -> int:
    """The score, if record_response would accept the data; InvalidInput naming every bad
    field otherwise. Imports call it before storing a row's contact, so a refused row
    leaves nothing behind."""
    return _checked(workspace, data)[0]


def _checked(workspace: Workspace, data: ResponseData) -> tuple[int, ContactData | None]:
    """The score and, for a contact given as ContactData, that data cleaned; InvalidInput
    naming every bad field of both otherwise."""
    errors: dict[str, str] = {}
    named = None
    if isinstance(data.contact, ContactData):
        try:
            named = clean_contact_data(data.contact)
        except InvalidInput as error:
            errors.update(_of_the_contact(error.errors))
    elif data.contact is not None and data.contact.workspace_id != workspace.pk:
        errors["contact"] = "no such contact in this workspace"
    score = 0
    try:
        score = parse_score(data.score)
    except ScoreError as error:
        errors["score"] = str(error)
    if data.survey.workspace_id != workspace.pk:
        errors["survey"] = "no such survey in this workspace"
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
    return score, named


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
        and (not isinstance(data.contact, Contact) or existing.contact_id == data.contact.pk)
    )
    if not same:
        raise InvalidInput(
            {"key": f"was already used for a different response ({existing.pk}); use a new key"}
        )
    return existing


class EditWindowClosed(InvalidInput):
    """A score changed after its survey's edit window: past NPS stays as it was given."""


def editable_until(survey: Survey, response: Response) -> datetime:
    return response.created_at + timedelta(days=survey.edit_days)


def check_edit_window(response: Response, now: datetime | None = None) -> None:
    """Raise EditWindowClosed once the response's survey lets its score change no more."""
    survey = response.survey
    if (now or timezone.now()) >= editable_until(survey, response):
        days = "1 day" if survey.edit_days == 1 else f"{survey.edit_days} days"
        raise EditWindowClosed(
            {"score": f"this answer can no longer be changed: answers can be edited for {days}"}
        )
