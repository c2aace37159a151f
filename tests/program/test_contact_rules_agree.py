"""The contact rules are defined once (`program.rules`) and evaluated four ways: per contact
from a history already read (the widget), set-based (scheduling, sending), by the planner
over arrays loaded by the database, and counted by the database alone (the planner in a
blackout). Random workspaces of contacts with random histories go through all of them, which
must give every contact the same reason, to the microsecond at the cooldown's edge."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from django.db import transaction
from django.db.models import Max
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from npsloop.contacts.models import Contact
from npsloop.program.models import PENDING_STATUSES, AskStatus, SurveyRequest
from npsloop.program.population import CONTACT_REASONS, contact_rule_counts, load_population
from npsloop.program.population import epoch_days as days
from npsloop.program.rules import ROW_RULES, Skip, cooldown_start, skip_reason_of, skip_reasons
from npsloop.program.schedule import REASONS, Rules, select
from npsloop.surveys.configure import create_survey
from npsloop.surveys.models import Channel, Response, Survey
from npsloop.workspaces.models import Workspace

# Microseconds on purpose: the databases must keep them for the cooldown's edge to agree.
NOW = datetime(2026, 3, 14, 9, 26, 53, 589793, tzinfo=UTC)
COOLDOWNS = [90, 30, 0]
# Besides the edge of the cooldown in force: well inside it, and long past.
OTHER_DAYS_AGO = [12, 400]
# A microsecond or a millisecond either way of a moment, or the moment itself. (Hypothesis
# favours the first of a list: the cases that tell a rule's edge apart.)
NUDGES = [1, -1, 0, 1000, -1000]
STATUSES = [AskStatus.SENT, *(status for status in AskStatus if status != AskStatus.SENT)]


@dataclass(frozen=True)
class AskSpec:
    survey: int
    channel: str
    status: str
    sent: datetime | None


@dataclass(frozen=True)
class ContactSpec:
    email: str  # "address", "none" or "blank"
    unsubscribed: bool
    bounced: bool
    asks: list[AskSpec]
    answers: list[tuple[int, datetime]]


def histories(cooldown: int) -> st.SearchStrategy[list[ContactSpec]]:
    """Contacts whose asks and answers fall mostly at the edge of this cooldown."""
    moments = st.builds(
        lambda ago, nudge: NOW - timedelta(days=ago, microseconds=nudge),
        st.sampled_from([cooldown] * len(OTHER_DAYS_AGO) + OTHER_DAYS_AGO),
        st.sampled_from(NUDGES),
    )
    asks = st.builds(
        AskSpec,
        survey=st.integers(0, 2),
        channel=st.sampled_from([Channel.EMAIL, Channel.IN_APP, Channel.LINK]),
        status=st.sampled_from([status.value for status in STATUSES]),
        sent=st.none() | moments,
    )
    contacts = st.builds(
        ContactSpec,
        email=st.sampled_from(["address", "address", "none", "blank"]),
        unsubscribed=st.sampled_from([False, False, False, True]),
        bounced=st.sampled_from([False, False, False, True]),
        asks=st.lists(asks, max_size=3),
        answers=st.lists(st.tuples(st.integers(0, 2), moments), max_size=2),
    )
    return st.lists(contacts, min_size=1, max_size=8)


@st.composite
def workspaces(draw: st.DrawFn) -> tuple[int, list[ContactSpec]]:
    cooldown = draw(st.sampled_from(COOLDOWNS))
    return cooldown, draw(histories(cooldown))


def _store(workspace: Workspace, surveys: list[Survey], specs: list[ContactSpec]) -> None:
    blank_used = False
    rows = []
    for n, spec in enumerate(specs):
        email: str | None = f"c{n}@example.com" if spec.email == "address" else None
        if spec.email == "blank" and not blank_used:  # an email is unique in a workspace
            email, blank_used = "", True
        rows.append(
            Contact(
                workspace=workspace,
                external_id=f"c{n}",
                email=email,
                unsubscribed_at=NOW - timedelta(days=3) if spec.unsubscribed else None,
                bounced_at=NOW - timedelta(days=3) if spec.bounced else None,
            )
        )
    stored = Contact.objects.bulk_create(rows)
    ask_rows, answer_rows = [], []
    for n, (contact, spec) in enumerate(zip(stored, specs, strict=True)):
        scheduled, open_in_app = False, set()
        for a, ask in enumerate(spec.asks):
            channel = ask.channel
            if ask.status == AskStatus.SCHEDULED:
                if scheduled:
                    continue  # the database allows one scheduled ask per contact
                scheduled = True
            if ask.status == AskStatus.SENT and channel == Channel.IN_APP:
                if ask.survey in open_in_app:
                    channel = Channel.EMAIL  # and one open in-app ask per survey
                open_in_app.add(ask.survey)
            ask_rows.append(
                SurveyRequest(
                    workspace=workspace,
                    survey=surveys[ask.survey],
                    contact=contact,
                    channel=channel,
                    token=f"t{n}-{a}",
                    status=ask.status,
                    due_at=ask.sent or NOW,
                    sent_at=ask.sent,
                )
            )
        for r, (survey, at) in enumerate(spec.answers):
            answer_rows.append(
                Response(
                    workspace=workspace,
                    survey=surveys[survey],
                    contact=contact,
                    score=9,
                    category="promoter",
                    key=f"r{n}-{r}",
                    created_at=at,
                )
            )
    SurveyRequest.objects.bulk_create(ask_rows)
    Response.objects.bulk_create(answer_rows)


def _per_contact(
    contacts: list[Contact], channel: str, since: datetime
) -> dict[int, tuple[Skip | None, Skip | None]]:
    """The per-contact check of each contact from its whole history and from what the widget
    reads (asks waiting or sent since the cooldown's start): the same answer either way."""
    asks: dict[int, list[SurveyRequest]] = defaultdict(list)
    for ask in SurveyRequest.objects.filter(contact__in=contacts):
        asks[ask.contact_id].append(ask)
    last_answers = dict(
        Response.objects.filter(contact__in=contacts)
        .values("contact_id")
        .annotate(at=Max("created_at"))
        .values_list("contact_id", "at")
    )
    checked = {}
    for contact in contacts:
        every = asks[contact.pk]
        recent = [
            ask
            for ask in every
            if ask.status in PENDING_STATUSES or (ask.sent_at is not None and ask.sent_at >= since)
        ]
        last = last_answers.get(contact.pk)
        checked[contact.pk] = (
            skip_reason_of(contact, every, last, channel, since),
            skip_reason_of(contact, recent, last, channel, since),
        )
    return checked


@pytest.fixture
def surveys(workspace: Workspace, survey: Survey) -> list[Survey]:
    return [
        survey,
        create_survey(workspace, name="Onboarding", product_name="Acme"),
        create_survey(workspace, name="Support", product_name="Acme"),
    ]


@given(
    workspace_of=workspaces(),
    asked_by=st.integers(0, 2),
    channel=st.sampled_from([Channel.EMAIL, Channel.IN_APP]),
)
@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_evaluator_gives_each_contact_the_same_reason(
    workspace: Workspace,
    surveys: list[Survey],
    workspace_of: tuple[int, list[ContactSpec]],
    asked_by: int,
    channel: str,
) -> None:
    cooldown, specs = workspace_of
    with transaction.atomic():
        _store(workspace, surveys, specs)
        survey = surveys[asked_by]
        survey.cooldown_days = cooldown
        survey.save()
        stored = list(Contact.objects.filter(workspace=workspace).order_by("pk"))

        set_based = skip_reasons(survey, stored, channel, NOW)
        since = cooldown_start(survey, NOW)
        # The planner with a programme that asks everyone now, so only the contact rules
        # keep anyone out: due at once (one-off), no sampling, blackout or caps.
        rules = Rules(
            kind="one_off",
            one_off_at=days(NOW),
            cooldown_days=survey.effective_cooldown_days,
            channel=channel,
        )
        population = load_population(survey, NOW)
        selection = select(
            population,
            rules,
            days(NOW),
            major_releases=np.zeros(0),
            asked_today=0,
            asked_this_week_by_account={},
        )
        planned = {
            contact_id: REASONS[code] if code >= 0 else None
            for contact_id, code in zip(
                population.contact_id.tolist(), selection.reasons.tolist(), strict=True
            )
        }
        counts = contact_rule_counts(survey, rules, NOW)

        per_contact = _per_contact(stored, channel, since)
        for contact in stored:
            expected = set_based.get(contact.pk)
            assert per_contact[contact.pk] == (expected, expected), contact
            assert planned[contact.pk] == expected, contact
        assert counts is not None
        by_database = dict(zip(CONTACT_REASONS, counts.tolist(), strict=False))
        for rule in ROW_RULES:
            assert by_database[rule.reason] == list(set_based.values()).count(rule.reason)
        transaction.set_rollback(True)
