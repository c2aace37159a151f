"""The dashboard bench's generator writes what it claims, at a tiny size, on the test
database: the bench's figures mean nothing if its data is not what real use makes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count, F, Q, Sum

from bench.dashboard_fixture import CHANNELS, PLANS, REGIONS, ROLES, generate
from npsloop.contacts.models import Account, Contact
from npsloop.surveys.models import Response, ScoreDay, Survey
from npsloop.surveys.rollups import rebuild_now
from npsloop.workspaces.models import Workspace

RESPONSES, CONTACTS = 2_000, 200


@pytest.fixture(params=[False, True], ids=["plain", "fast-load"])
def made(request: pytest.FixtureRequest, db: None) -> dict[str, Any]:
    return generate(RESPONSES, CONTACTS, seed=3, fast_load=request.param)


def test_it_writes_the_sizes_asked_for(made: dict[str, Any]) -> None:
    workspace = Workspace.objects.get(pk=made["workspace_id"])
    assert workspace.slug == made["workspace"]
    assert list(Survey.objects.filter(workspace=workspace).values_list("pk", flat=True)) == [
        made["survey_id"]
    ]
    assert Account.objects.filter(workspace=workspace).count() == CONTACTS // 20
    assert Contact.objects.filter(workspace=workspace).count() == CONTACTS
    assert Response.objects.filter(workspace=workspace).count() == RESPONSES
    assert Response.objects.filter(survey_id=made["survey_id"]).count() == RESPONSES


def test_every_category_matches_its_score(made: dict[str, Any]) -> None:
    responses = Response.objects.filter(workspace_id=made["workspace_id"])
    wrong = responses.exclude(
        Q(score__gte=9, category="promoter")
        | Q(score__in=[7, 8], category="passive")
        | Q(score__lte=6, category="detractor")
    )
    assert not wrong.exists()
    stored = dict(responses.values_list("score").annotate(n=Count("pk")))
    assert [stored.get(score, 0) for score in range(11)] == made["scores"]
    # Skewed as real programmes are: more promoters than detractors, every score present.
    assert all(made["scores"])
    assert sum(made["scores"][9:]) > sum(made["scores"][:7])


def test_responses_look_like_real_answers(made: dict[str, Any]) -> None:
    now = datetime.now(UTC)
    responses = Response.objects.filter(workspace_id=made["workspace_id"])
    assert set(responses.values_list("channel", flat=True)) == set(CHANNELS)
    waves = dict(responses.values_list("wave").annotate(n=Count("pk")))
    assert set(waves) == {None, 1, 2, 3, 4, 5, 6}
    assert 0.05 < waves[None] / RESPONSES < 0.15
    commented = responses.exclude(comment="").count()
    assert 0.25 < commented / RESPONSES < 0.35
    assert responses.values("key").distinct().count() == RESPONSES
    first = responses.order_by("created_at").values_list("created_at", flat=True)[0]
    last = responses.order_by("-created_at").values_list("created_at", flat=True)[0]
    assert now - timedelta(days=2 * 365 + 1) < first < now - timedelta(days=300)
    assert now - timedelta(days=30) < last <= now
    # Answered by a contact who had signed up, of that contact's account.
    assert not responses.filter(contact__isnull=True).exists()
    assert not responses.filter(created_at__lt=F("contact__signed_up_at")).exists()
    assert not responses.exclude(account_id=F("contact__account_id")).exists()


def test_each_answer_carries_its_contacts_properties(made: dict[str, Any]) -> None:
    contacts = Contact.objects.filter(workspace_id=made["workspace_id"])
    assert not contacts.filter(account__isnull=True).exists()
    for properties in contacts.values_list("properties", flat=True):
        assert properties["plan"] in PLANS
        assert properties["region"] in REGIONS
        assert properties["role"] in ROLES
        assert int(properties["seats"]) >= 1
        assert json.loads(json.dumps(properties)) == properties
    known = dict(contacts.values_list("pk", "properties"))
    answers = Response.objects.filter(workspace_id=made["workspace_id"])
    for contact_id, properties in answers.values_list("contact_id", "properties"):
        assert properties == known[contact_id]


def test_rebuilt_rollups_count_every_response_once(made: dict[str, Any]) -> None:
    workspace = Workspace.objects.get(pk=made["workspace_id"])
    rows = rebuild_now(workspace)
    rollups = ScoreDay.objects.filter(workspace=workspace)
    assert rows == rollups.count() > 0
    assert rollups.aggregate(total=Sum("count"))["total"] == RESPONSES
    by_score = dict(rollups.values_list("score").annotate(n=Sum("count")))
    assert [by_score.get(score, 0) for score in range(11)] == made["scores"]
    unwaved = rollups.filter(wave=0).aggregate(n=Sum("count"))["n"]
    assert unwaved == Response.objects.filter(workspace=workspace, wave__isnull=True).count()


def test_it_refuses_empty_sizes(db: None) -> None:
    with pytest.raises(ValueError, match="at least 1, got 0 and 10"):
        generate(0, 10)


def test_a_fast_load_leaves_the_tables_as_the_migrations_made_them(db: None) -> None:
    tables = ["contacts_account", "contacts_contact", "surveys_response"]
    before = _constraints(tables)
    generate(RESPONSES, CONTACTS, fast_load=True)
    assert _constraints(tables) == before
    assert any(c["unique"] and c["columns"] == ["workspace_id", "key"] for c in before.values())


def _constraints(tables: list[str]) -> dict[str, dict[str, Any]]:
    with connection.cursor() as cursor:
        return {
            f"{table}.{name}": facts
            for table in tables
            for name, facts in connection.introspection.get_constraints(cursor, table).items()
        }
