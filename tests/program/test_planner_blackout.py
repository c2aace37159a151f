"""The planner in a blackout: nobody may be asked, and it counts who is kept out and why
without reading every contact. Those counts must equal what `select` finds over the whole
population, on both databases, whatever the histories and the programme."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from npsloop.contacts.fields import ContactData
from npsloop.contacts.models import Contact
from npsloop.contacts.services import upsert_contacts
from npsloop.program import planner
from npsloop.program.models import AskStatus, Programme, SurveyRequest
from npsloop.program.population import epoch_days, load_population
from npsloop.program.releases import create_release
from npsloop.program.schedule import select
from npsloop.surveys.configure import create_survey
from npsloop.surveys.models import Survey
from npsloop.surveys.responses import ResponseData, record_response
from npsloop.workspaces.models import Workspace

CONTACTS = 150
STATUSES = [AskStatus.SENT] * 6 + [AskStatus.FAILED, AskStatus.CANCELLED, AskStatus.RESPONDED]


def _history(workspace: Workspace, survey: Survey, now: datetime, seed: int) -> None:
    """Contacts who signed up over three years (a few in the last weeks, some with no date),
    some unsubscribed, bounced or without email, in a few accounts; about half asked this
    survey before in one to five waves (some cancelled, failed, or still waiting, a few
    without a wave), some asked by another survey, and some who answered."""
    rng = random.Random(seed)
    other = create_survey(workspace, name=f"Other {seed}", product_name="Acme")

    def ago(days: float) -> datetime:
        return now - timedelta(days=days)

    data = []
    for n in range(CONTACTS):
        recent = rng.random() < 0.1
        data.append(
            ContactData(
                external_id=f"c{n}",
                email=None if rng.random() < 0.05 else f"c{n}@example.com",
                signed_up_at=None
                if rng.random() < 0.05
                else ago(rng.uniform(0, 20) if recent else rng.uniform(0, 1100)),
                account_external_id=f"acct{n % 7}" if n % 5 else None,
                properties={"role": rng.choice(["admin", "user"])},
            )
        )
    upsert_contacts(workspace, data)
    contacts = list(Contact.objects.filter(workspace=workspace).order_by("pk"))
    for contact in contacts:
        if rng.random() < 0.05:
            contact.unsubscribed_at = ago(rng.uniform(1, 300))
        if rng.random() < 0.05:
            contact.bounced_at = ago(rng.uniform(1, 300))
        contact.save()
    asks = []
    waiting: set[int] = set()
    for i, contact in enumerate(contacts):
        if rng.random() < 0.5:
            when = ago(rng.uniform(0, 700))
            for wave in range(1, rng.randint(1, 5) + 1):
                status = rng.choice(STATUSES)
                if when > ago(10) and contact.pk not in waiting and rng.random() < 0.4:
                    status = AskStatus.SCHEDULED
                    waiting.add(contact.pk)
                # A failed ask never went out: its due date is its time.
                sent = status in (AskStatus.SENT, AskStatus.RESPONDED)
                asks.append(
                    SurveyRequest(
                        workspace=workspace,
                        survey=survey,
                        contact=contact,
                        channel="email",
                        wave=None if rng.random() < 0.05 else wave,
                        token=f"s{seed}-{i}-{wave}",
                        status=status,
                        due_at=when,
                        sent_at=when + timedelta(minutes=5) if sent else None,
                    )
                )
                when += timedelta(days=rng.uniform(20, 120))
                if when > now:
                    break
        if rng.random() < 0.15:
            asks.append(
                SurveyRequest(
                    workspace=workspace,
                    survey=other,
                    contact=contact,
                    channel="email",
                    token=f"o{seed}-{i}",
                    status=AskStatus.SENT,
                    due_at=ago(rng.uniform(0, 200)),
                    sent_at=ago(rng.uniform(0, 200)),
                )
            )
    SurveyRequest.objects.bulk_create(asks)
    for contact in contacts:
        if rng.random() < 0.2:
            record_response(
                workspace,
                ResponseData(
                    survey=rng.choice([survey, other]),
                    score=rng.randint(0, 10),
                    contact=contact,
                    created_at=ago(rng.uniform(0, 400)),
                ),
            )


def _both_ways(survey: Survey, now: datetime) -> tuple[dict[str, int] | None, dict[str, int]]:
    """What the blackout path counts, and what `select` finds reading everyone."""
    programme = Programme.objects.get(survey=survey)
    rules = planner.rules_for(programme, survey)
    releases = planner.major_releases(survey)
    fast = planner._held_back(survey, rules, now, releases, 0)
    everyone = select(
        load_population(survey, now),
        rules,
        epoch_days(now),
        major_releases=releases,
        asked_today=0,
        asked_this_week_by_account={},
    )
    assert not len(everyone.chosen)
    return fast, everyone.excluded


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_counts_in_a_blackout_are_those_of_reading_everyone(
    workspace: Workspace, survey: Survey, seed: int
) -> None:
    now = timezone.now()
    _history(workspace, survey, now, seed)
    create_release(workspace, name="Big one", released_at=now - timedelta(days=1), major=True)
    settings: list[dict[str, object]] = [
        {},
        {"sample_percent": 40},
        {"channels": ["in-app"]},  # no email needed
        {"kind": "recurring", "every_days": 60, "min_tenure_days": 30},
        {"initial_min_days": 14, "initial_max_days": 7, "second_max_days": 20},  # odd ranges
        {"second_min_days": 0, "second_max_days": 0, "third_days": 0, "every_days": 0},
    ]
    for changes, cooldown in [(c, None) for c in settings] + [({}, 10), ({}, 0)]:
        survey.cooldown_days = cooldown  # None: the workspace's 90 days
        survey.save()
        Programme.objects.filter(survey=survey).delete()
        Programme.objects.create(survey=survey, enabled=True, **changes)
        for moment in (now, now + timedelta(days=3, hours=5)):
            fast, full = _both_ways(survey, moment)
            assert fast is not None, changes
            assert fast == full, (changes, cooldown)
            assert full["blackout"] > 0
            # Through plan(): the same counts, nothing asked.
            report = planner.plan(survey, now=moment, dry_run=True)
            assert report.excluded == full and report.waves == {}
    # Targeting, with sampling: the contact rules counted by the database agree too.
    survey.targeting = {"properties": {"role": "admin"}}
    survey.save()
    Programme.objects.filter(survey=survey).update(sample_percent=40)
    fast, full = _both_ways(survey, now)
    assert fast == full and full["not targeted"] > 0 and full["sampling"] > 0


def test_a_one_off_programme_in_a_blackout_reads_everyone(
    workspace: Workspace, survey: Survey
) -> None:
    now = timezone.now()
    _history(workspace, survey, now, 4)
    Programme.objects.create(survey=survey, enabled=True, kind="one_off", one_off_at=now)
    create_release(workspace, name="Big one", released_at=now - timedelta(hours=1), major=True)
    fast, full = _both_ways(survey, now)
    assert fast is None
    report = planner.plan(survey, now=now)
    assert report.created == 0 and report.excluded == full and full["blackout"] > 0
    assert not SurveyRequest.objects.filter(created_at=now).exists()


def test_when_most_contacts_are_undecided_it_reads_everyone(
    workspace: Workspace, survey: Survey
) -> None:
    """Everyone signed up last week: every contact's first wave may still be ahead."""
    now = timezone.now()
    upsert_contacts(
        workspace,
        [
            ContactData(
                external_id=f"c{n}",
                email=f"c{n}@example.com",
                signed_up_at=now - timedelta(days=n % 12, hours=n),
            )
            for n in range(30)
        ],
    )
    Programme.objects.create(survey=survey, enabled=True)
    create_release(workspace, name="Big one", released_at=now - timedelta(hours=1), major=True)
    fast, full = _both_ways(survey, now)
    assert fast is None
    assert planner.plan(survey, now=now).excluded == full
    assert full["blackout"] > 0 and full["not yet in a wave"] > 0
