from __future__ import annotations

import logging
from datetime import datetime

import pytest
from django.db.models import F
from huey.contrib.djhuey import HUEY

from npsloop.jobs import check_rollups
from npsloop.surveys.models import ScoreDay, Survey
from npsloop.surveys.responses import ResponseData, record_response
from npsloop.surveys.rollups import count_responses, stored_rollups
from npsloop.workspaces.models import Workspace


@pytest.fixture
def answered(workspace: Workspace, survey: Survey) -> Workspace:
    for number, score in enumerate([10, 9, 7, 3, 0]):
        record_response(workspace, ResponseData(survey=survey, score=score, key=f"r{number}"))
    return workspace


def test_it_leaves_correct_rollups_alone(
    answered: Workspace, caplog: pytest.LogCaptureFixture
) -> None:
    ids = set(ScoreDay.objects.values_list("pk", flat=True))
    assert check_rollups.call_local() == []
    check_rollups()
    assert set(ScoreDay.objects.values_list("pk", flat=True)) == ids
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_it_rebuilds_rollups_changed_outside_the_services(
    answered: Workspace, other_workspace: Workspace, caplog: pytest.LogCaptureFixture
) -> None:
    ScoreDay.objects.filter(workspace=answered, score=10).update(count=F("count") + 4)
    ScoreDay.objects.filter(workspace=answered, score=0).delete()
    with caplog.at_level(logging.WARNING, logger="npsloop.surveys.rollups"):
        check_rollups()  # through the queue, which runs it inline in the tests
    assert stored_rollups(answered) == count_responses(answered)
    assert sum(stored_rollups(answered).values()) == 5
    [warning] = [r for r in caplog.records if r.name == "npsloop.surveys.rollups"]
    assert "rollups of workspace acme-cloud disagreed" in warning.getMessage()
    assert "on 2 (survey, day, channel, wave, score) counts" in warning.getMessage()


def test_it_reports_the_workspaces_it_repaired(answered: Workspace) -> None:
    ScoreDay.objects.filter(workspace=answered).delete()
    assert check_rollups.call_local() == ["acme-cloud"]
    assert check_rollups.call_local() == []


def test_it_runs_nightly() -> None:
    def due(hour: int, minute: int) -> list[str]:
        return [t.name for t in HUEY.read_periodic(datetime(2026, 3, 2, hour, minute))]

    assert "check_rollups" in due(3, 17)
    assert "check_rollups" not in due(3, 18)
    assert "check_rollups" not in due(15, 17)
