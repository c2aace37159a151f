"""The cases bench's generator writes cases the owners could have written, at a tiny size,
on the test database, and the follow-up numbers read them: a bench over impossible cases
would measure nothing real."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.db.models import F, Q
from django.utils import timezone

from bench.cases_fixture import MEMBERS, seed_cases
from bench.dashboard_fixture import generate
from npsloop.insights.case_scope import CaseScope
from npsloop.insights.filters import resolve_filters, today_in
from npsloop.insights.followup import follow_up
from npsloop.insights.recovery import recovery
from npsloop.loop.models import Case, Team
from npsloop.workspaces.models import Member, Workspace

CASES, OPEN = 400, 100


@pytest.fixture
def made(db: None) -> dict[str, Any]:
    made = generate(3_000, 300, seed=5)
    made.update(seed_cases(made["workspace_id"], CASES, OPEN, seed=5))
    return made


def test_it_writes_the_cases_asked_for(made: dict[str, Any]) -> None:
    cases = Case.objects.filter(workspace_id=made["workspace_id"])
    assert cases.count() == CASES
    statuses = Counter(cases.values_list("status", flat=True))
    assert statuses["open"] + statuses["contacted"] == OPEN
    assert statuses["resolved"] and statuses["closed"] and statuses["contacted"]
    assert Member.objects.filter(workspace_id=made["workspace_id"]).count() == MEMBERS
    assert Team.objects.filter(workspace_id=made["workspace_id"]).count() == 3
    assert cases.filter(owner__isnull=True).exists()


def test_every_case_is_one_the_owners_could_have_written(made: dict[str, Any]) -> None:
    cases = Case.objects.filter(workspace_id=made["workspace_id"])
    assert not cases.exclude(opened_at=F("response__created_at")).exists()
    assert not cases.exclude(category=F("response__category")).exists()
    assert not cases.exclude(due_at__gt=F("opened_at")).exists()
    now = timezone.now() + timedelta(seconds=5)
    assert not cases.filter(Q(first_contacted_at__gt=now) | Q(closed_at__gt=now)).exists()
    working = cases.filter(status__in=("open", "contacted"))
    assert not working.filter(closed_at__isnull=False).exists()
    assert not cases.filter(status="contacted", first_contacted_at__isnull=True).exists()
    resolved = cases.filter(status="resolved")
    assert not resolved.filter(first_contacted_at__isnull=True).exists()
    assert not resolved.filter(closed_at__lt=F("first_contacted_at")).exists()
    assert not cases.filter(status="closed", first_contacted_at__isnull=False).exists()
    assert not cases.exclude(status="resolved").filter(outcome__isnull=False).exists()
    overdue = cases.filter(overdue_at__isnull=False)
    assert not overdue.exclude(status="open").exists()


def test_the_follow_up_numbers_read_them(made: dict[str, Any]) -> None:
    workspace = Workspace.objects.get(pk=made["workspace_id"])
    params = {"period": "custom", "since": "2022-01-01", "until": "2031-12-31"}
    scope = CaseScope(resolve_filters(workspace, params, today_in(workspace)))
    data = follow_up(workspace, scope)
    assert data.total.opened == CASES
    assert data.total.open_now == OPEN
    assert data.backlog[-1].backlog == OPEN
    assert data.backlog[-1].overdue == data.total.overdue_now
    assert sum(n for _, n in data.outcomes) == data.total.resolved
    assert data.median_first_contact is not None and data.median_resolution is not None
    found = recovery(workspace, scope)
    assert found.contacted.n + found.not_contacted.n + found.waiting > 0
