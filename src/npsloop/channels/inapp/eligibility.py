"""Whether the widget shows a survey now: one decision on the server, from the same contact
rules as email (cooldown across channels and devices, unsubscribed, pending asks), the
survey's targeting, dismissals, and sampling of anonymous visitors.

Every page view of every signed-in user asks, and nearly every answer is "no": a known
contact's decision is made from two reads (the contact with when it last answered, and its
open or recent asks), in plain SQL, and only showing a survey writes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils.dateparse import parse_datetime
from django.utils.timezone import is_naive, make_aware

from npsloop.channels.inapp.identity import Visitor
from npsloop.contacts.fields import ContactData
from npsloop.contacts.models import Account, Contact
from npsloop.contacts.services import apply_changes
from npsloop.memory import Memory
from npsloop.program.asks import expire, open_in_app_ask, show_again, show_in_app
from npsloop.program.models import AskStatus, SurveyRequest
from npsloop.program.rules import (
    ANSWERED_AT,
    Skip,
    asks_read,
    cooldown_start,
    device_skip_reason,
    skip_reason_of,
)
from npsloop.program.targeting import targets
from npsloop.statements import read
from npsloop.surveys.models import Channel, Response, Survey
from npsloop.workspaces.models import Workspace

SURVEY_MEMORY = 5.0


@dataclass(frozen=True)
class Decision:
    show: bool
    reason: str = ""
    survey: Survey | None = None
    token: str = ""
    # A "no" that holds until then (the cooldown's or a dismissal's end); None: no known end.
    until: datetime | None = None


@dataclass(frozen=True)
class AskRow:
    """What the decision reads of one of the contact's asks."""

    id: int
    survey_id: int
    channel: str
    status: str
    token: str
    sent_at: datetime | None
    due_at: datetime
    dismissed_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class History:
    """A contact's asks that are pending, open in the widget, or sent since the earliest
    cooldown start of the surveys being decided; and when it last answered anything."""

    asks: list[AskRow]
    last_answer: datetime | None


SURVEYS = Memory(size=1_000)


def widget_surveys(workspace: Workspace) -> list[Survey]:
    """The workspace's surveys the widget may show, remembered for a few seconds: every
    page view of every signed-in user asks for them."""
    surveys: list[Survey] | None = SURVEYS.get(str(workspace.pk))
    if surveys is None:
        surveys = list(
            Survey.objects.filter(workspace=workspace, is_active=True, in_app=True).order_by("pk")
        )
        for survey in surveys:
            survey.workspace = workspace
        SURVEYS.set(str(workspace.pk), surveys, SURVEY_MEMORY)
    return surveys


def candidates_for(workspace: Workspace, event: str) -> list[Survey]:
    return [s for s in widget_surveys(workspace) if s.widget_event == event]


def no_candidate_reason(event: str) -> str:
    return f"no survey for event {event!r}" if event else "no widget survey"


def history_start(candidates: list[Survey], now: datetime) -> datetime:
    """How far back a decision between these surveys looks: the longest cooldown."""
    return min((cooldown_start(survey, now) for survey in candidates), default=now)


def decide(
    workspace: Workspace,
    visitor: Visitor,
    contact: Contact | None,
    event: str,
    now: datetime,
    *,
    history: History | None = None,
) -> Decision:
    """Show a survey or not. A contact's history may come with it (``known_contact``),
    read since ``history_start`` of the event's surveys; else it is read here."""
    candidates = candidates_for(workspace, event)
    if not candidates:
        return Decision(False, no_candidate_reason(event))
    reason = "not targeted"
    ends: list[datetime | None] = []
    for survey in candidates:
        if contact is not None:
            if not targets(survey, contact, now):
                ends.append(None)
                continue
            if history is None:
                found = _read(workspace, "c.id", contact.pk, history_start(candidates, now))
                assert found is not None, "the contact was just stored"
                history = found[2]
            decision = _decide_for_contact(survey, contact, history, now)
        else:
            if not _sampled(workspace, survey, visitor.device):
                reason = "anonymous visitor not sampled"
                ends.append(None)
                continue
            decision = _decide_for_device(survey, visitor.device, now)
        if decision.show:
            return decision
        reason = decision.reason
        ends.append(decision.until)
    # The "no" holds until the first survey could show; not known if any has no known end.
    known = [end for end in ends if end is not None]
    until = min(known) if known and len(known) == len(ends) else None
    return Decision(False, reason, until=until)


def known_contact(
    workspace: Workspace, data: ContactData, since: datetime
) -> tuple[Contact, History] | None:
    """The stored contact the widget identified, with its history since ``since``, in one
    statement; None when it is not stored yet or the check brings changes to store
    (``upsert_contact`` does that), so that this read never decides for a contact other
    than the stored one. ``data`` is what ``clean_contact_data`` returned."""
    if not data.external_id:
        return None
    found = _read(workspace, "c.external_id", data.external_id, since)
    if found is None:
        return None
    contact, account, history = found
    accounts_named: dict[str, Account | int] = {}
    if data.account_external_id:
        if account is None or data.account_external_id != account.external_id:
            return None
        if data.account_name is not None and data.account_name != account.name:
            return None  # a rename, which ensure_accounts stores
        accounts_named[data.account_external_id] = account.pk
    if apply_changes(contact, data, accounts_named):
        return None
    return contact, history


def stored_contact(
    workspace: Workspace, external_id: str, since: datetime
) -> tuple[Contact, History] | None:
    """The contact stored under this external id, as stored, with its history since
    ``since``, in one statement; None when there is none."""
    found = _read(workspace, "c.external_id", external_id, since)
    return None if found is None else (found[0], found[2])


def _read(
    workspace: Workspace, column: str, value: int | str, since: datetime
) -> tuple[Contact, Account | None, History] | None:
    """One contact (by ``column``), its account, when it last answered, and its asks that
    are pending, open in the widget or sent since ``since``: a row per ask, or one row
    without an ask."""
    contacts, accounts = Contact._meta.db_table, Account._meta.db_table
    responses = Response._meta.db_table
    joined, joined_params, since_at = _asks_joined()
    params = list(joined_params)
    params[since_at] = connection.ops.adapt_datetimefield_value(since)
    # Usually the check's first statement: it stands in for the connection's health check.
    rows = read(
        "SELECT c.id, c.external_id, c.email, c.name, c.locale, c.signed_up_at, "
        "c.account_id, c.properties, c.unsubscribed_at, c.bounced_at, a.external_id, "
        f"a.name, (SELECT MAX(r.{ANSWERED_AT}) FROM {responses} r WHERE r.contact_id = c.id), "
        f"q.id, q.survey_id, q.channel, q.status, q.token, q.sent_at, q.due_at, "
        f"q.dismissed_at, q.created_at FROM {contacts} c "
        f"LEFT JOIN {accounts} a ON a.id = c.account_id "
        f"LEFT JOIN {_ASKS} q ON q.contact_id = c.id AND {joined} "
        f"WHERE c.workspace_id = %s AND {column} = %s",
        [*params, workspace.pk, value],
    )
    if not rows:
        return None
    first = rows[0]
    contact = Contact(
        id=first[0],
        workspace=workspace,
        external_id=first[1],
        email=first[2],
        name=first[3],
        locale=first[4],
        signed_up_at=_moment(first[5]),
        account_id=first[6],
        properties=_json(first[7]),
        unsubscribed_at=_moment(first[8]),
        bounced_at=_moment(first[9]),
    )
    account = None
    if first[6] is not None:
        account = Account(id=first[6], workspace=workspace, external_id=first[10], name=first[11])
        contact.account = account
    asks = [
        AskRow(
            id=row[13],
            survey_id=row[14],
            channel=row[15],
            status=row[16],
            token=row[17],
            sent_at=_moment(row[18]),
            due_at=_moment(row[19]) or datetime.max.replace(tzinfo=UTC),
            dismissed_at=_moment(row[20]),
            created_at=_moment(row[21]) or datetime.min.replace(tzinfo=UTC),
        )
        for row in rows
        if row[13] is not None
    ]
    return contact, account, History(asks, _moment(first[12]))


_ASKS = SurveyRequest._meta.db_table
_SINCE = datetime(2000, 1, 1, tzinfo=UTC)


@cache
def _asks_joined() -> tuple[str, tuple[Any, ...], int]:
    """The asks the decision reads, as SQL on the alias q: those the contact rules read
    (program.rules.asks_read, compiled by Django once) and those open in the widget. With
    its parameters, and the place among them of the `since` to put in each time."""
    query = SurveyRequest.objects.filter(
        asks_read(_SINCE) | Q(status=AskStatus.SENT, channel=Channel.IN_APP)
    ).query
    sql, params = query.get_compiler(connection=connection).compile(query.where)
    quoted = connection.ops.quote_name(_ASKS)
    assert f"{quoted}." in sql, sql
    since = connection.ops.adapt_datetimefield_value(_SINCE)
    # Plain strings, not the choices' enum members, for the driver.
    plain = tuple(str(param) if isinstance(param, str) else param for param in params)
    return f"({sql.replace(f'{quoted}.', 'q.')})", plain, plain.index(since)


def _moment(value: object) -> datetime | None:
    """A timestamp as the ORM would give it: SQLite hands plain SQL naive values or text."""
    if value is None:
        return None
    moment = parse_datetime(value) if isinstance(value, str) else value
    assert isinstance(moment, datetime), f"not a timestamp: {value!r}"
    return make_aware(moment, UTC) if is_naive(moment) else moment


def _json(value: object) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def _sampled(workspace: Workspace, survey: Survey, device: str) -> bool:
    """Sticky per device and survey: raising the percentage keeps everyone already in."""
    percent = workspace.anonymous_sample_percent
    if percent <= 0:
        return False
    digest = hashlib.sha256(f"{survey.pk}:{device}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < percent


def _decide_for_contact(
    survey: Survey, contact: Contact, history: History, now: datetime
) -> Decision:
    mine = [
        ask
        for ask in history.asks
        if ask.survey_id == survey.pk
        and ask.channel == Channel.IN_APP
        and ask.status in (AskStatus.SENT, AskStatus.SCHEDULED)
    ]
    # An open (sent) ask before a planned one; there is at most one of each.
    ask = max(mine, key=lambda row: (row.status == AskStatus.SENT, row.id), default=None)
    if ask is not None and ask.status == AskStatus.SENT:
        answered = history.last_answer is not None and history.last_answer >= (
            ask.sent_at or ask.created_at
        )
        return _again(ask.id, ask.token, ask.dismissed_at, survey, now, answered=answered)
    ignoring = [ask.id] if ask is not None else []
    since = cooldown_start(survey, now)
    reason = skip_reason_of(
        contact, history.asks, history.last_answer, Channel.IN_APP, since, ignoring=ignoring
    )
    if reason is not None:
        until = None
        if reason == Skip.COOLDOWN:
            until = _last_contact(history, ignoring) + timedelta(
                days=survey.effective_cooldown_days
            )
        return Decision(False, str(reason), until=until)
    if ask is not None and ask.due_at > now:
        return Decision(False, "planned for later")
    return _display(ask.id if ask else None, survey, now, contact=contact, device="")


def _last_contact(history: History, ignoring: list[int]) -> datetime:
    """When the contact was last asked or answered, from the history of a cooldown."""
    moments = [ask.sent_at for ask in history.asks if ask.sent_at and ask.id not in ignoring]
    if history.last_answer is not None:
        moments.append(history.last_answer)
    return max(moments)


def _decide_for_device(survey: Survey, device: str, now: datetime) -> Decision:
    ask = open_in_app_ask(survey, Q(contact__isnull=True, device=device))
    if ask is not None and ask.status == AskStatus.SENT:
        return _again(ask.pk, ask.token, ask.dismissed_at, survey, now, answered=False)
    if (reason := device_skip_reason(survey, device, now)) is not None:
        return Decision(False, str(reason))
    return _display(None, survey, now, contact=None, device=device)


def _again(
    ask_id: int,
    token: str,
    dismissed_at: datetime | None,
    survey: Survey,
    now: datetime,
    *,
    answered: bool,
) -> Decision:
    """An ask already shown: again, unless answered elsewhere or dismissed lately."""
    if answered:
        expire(ask_id, now)
        return Decision(False, "answered meanwhile")
    if dismissed_at is not None and now < dismissed_at + timedelta(days=survey.dismiss_days):
        return Decision(
            False, "dismissed", until=dismissed_at + timedelta(days=survey.dismiss_days)
        )
    show_again(ask_id, now)
    return Decision(True, survey=survey, token=token)


def _display(
    planned: int | None,
    survey: Survey,
    now: datetime,
    *,
    contact: Contact | None,
    device: str,
) -> Decision:
    token = show_in_app(survey, now, planned=planned, contact=contact, device=device)
    return Decision(True, survey=survey, token=token)
