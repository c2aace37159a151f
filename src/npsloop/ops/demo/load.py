"""Loading the demo workspace through the same services the API and imports use.

Everything is derived from the seed and the workspace's creation day (the anchor), and
every response carries a fixed key, so loading it again changes nothing.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from npsloop.contacts.fields import ContactData
from npsloop.contacts.models import Contact
from npsloop.contacts.services import upsert_contacts
from npsloop.errors import InvalidInput
from npsloop.ops.demo.answers import RELEASES, answer
from npsloop.ops.demo.asks import load_asks
from npsloop.ops.demo.cases import LOOP_DAYS, name_csms, staff, work_cases
from npsloop.ops.demo.people import make_accounts, make_contacts
from npsloop.ops.demo.second_answers import how_many, second_answers
from npsloop.program.models import Release
from npsloop.program.releases import create_release
from npsloop.surveys.configure import create_survey
from npsloop.surveys.models import Survey
from npsloop.surveys.responses import ResponseData, record_response
from npsloop.workspaces.configure import create_workspace
from npsloop.workspaces.membership import add_member
from npsloop.workspaces.models import Role, Workspace

NAME, SLUG, PRODUCT, SURVEY = "Acme Cloud", "acme-cloud", "Acme Cloud", "Relationship NPS"
CONTACTS_PER_ACCOUNT = 15
CONTACT_BATCH = 1000
RESPONSE_BATCH = 500


@dataclass
class DemoLoaded:
    workspace: Workspace
    accounts: int = 0
    contacts: Counter[str] = field(default_factory=Counter)
    responses: Counter[str] = field(default_factory=Counter)
    releases_created: int = 0
    asks_created: int = 0
    cases_opened: int = 0


def load_demo(
    *,
    contacts: int = 5000,
    responses: int = 3000,
    seed: int = 1,
    owners: Iterable[AbstractBaseUser] = (),
) -> DemoLoaded:
    """Create or complete the "Acme Cloud" workspace; the owners become its owner members."""
    if contacts < 1 or responses < 0:
        raise InvalidInput({"contacts": "must be at least 1; responses at least 0"})
    workspace = Workspace.objects.filter(slug=SLUG).first() or create_workspace(NAME)
    anchor = workspace.created_at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    loaded = DemoLoaded(workspace)
    for user in owners:
        add_member(workspace, user, Role.OWNER)
    survey = Survey.objects.filter(workspace=workspace, name=SURVEY).first() or create_survey(
        workspace, name=SURVEY, product_name=PRODUCT
    )
    loaded.releases_created = _releases(workspace, anchor)
    people_rng = random.Random(f"{seed}:people")
    accounts = make_accounts(people_rng, math.ceil(contacts / CONTACTS_PER_ACCOUNT))
    loaded.accounts = len(accounts)
    people = make_contacts(people_rng, accounts, contacts, anchor)
    stored = _upsert(workspace, people, loaded.contacts)
    answers_rng = random.Random(f"{seed}:answers")
    # The regular answers, then detractors answering again (second_answers.py), then
    # regular ones again if fewer detractors could: `responses` in all.
    regular = responses - how_many(responses)
    planned = [answer(answers_rng, number, people, anchor) for number in range(1, regular + 1)]
    planned += second_answers(seed, planned, people, anchor, how_many(responses), regular + 1)
    planned += [
        answer(answers_rng, number, people, anchor)
        for number in range(len(planned) + 1, responses + 1)
    ]
    for start in range(0, responses, RESPONSE_BATCH):
        # One transaction per batch: SQLite then syncs to disk once per batch, not per row.
        with transaction.atomic():
            for demo in planned[start : start + RESPONSE_BATCH]:
                data = ResponseData(
                    survey=survey,
                    score=demo.score,
                    contact=stored[demo.contact_external_id],
                    comment=demo.comment,
                    channel=demo.channel,
                    wave=demo.wave,
                    created_at=demo.created_at,
                    key=demo.key,
                )
                recorded = record_response(workspace, data)
                loaded.responses["created" if recorded.created else "unchanged"] += 1
    team = staff(workspace)
    name_csms(workspace, [(a.external_id, a.plan) for a in accounts], team.csm_emails)
    loaded.cases_opened = work_cases(workspace, seed, team, anchor - timedelta(days=LOOP_DAYS))
    loaded.asks_created = load_asks(
        workspace, survey, list(stored.values()), random.Random(f"{seed}:asks")
    )
    return loaded


def _upsert(
    workspace: Workspace, people: list[ContactData], outcomes: Counter[str]
) -> dict[str, Contact]:
    stored: dict[str, Contact] = {}
    for start in range(0, len(people), CONTACT_BATCH):
        for result in upsert_contacts(workspace, people[start : start + CONTACT_BATCH]):
            if isinstance(result, InvalidInput):
                raise result
            outcomes[result.outcome] += 1
            stored[str(result.contact.external_id)] = result.contact
    return stored


def _releases(workspace: Workspace, anchor: datetime) -> int:
    """The demo's releases that aren't there yet (by name), so re-runs add nothing."""
    known = set(Release.objects.filter(workspace=workspace).values_list("name", flat=True))
    created = 0
    for name, days_ago, major in RELEASES:
        if name not in known:
            released_at = anchor - timedelta(days=days_ago) + timedelta(hours=14)
            create_release(workspace, name=name, released_at=released_at, major=major)
            created += 1
    return created
