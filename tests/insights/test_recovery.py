"""Recovery: the next answer of detractors contacted before it, against the others'."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from case_history import NOW, answer, scope

from npsloop.insights.recovery import recovery
from npsloop.loop.cases import Actor, move
from npsloop.surveys.models import Survey
from npsloop.workspaces.models import Workspace

pytestmark = pytest.mark.django_db
CORA = Actor("Cora")


def adjusted(promoters: int, passives: int, detractors: int) -> tuple[float, float, float]:
    """(P' - D', V', n') of STATISTICS.md, written out again so the test owes nothing to
    npsloop.stats."""
    n = promoters + passives + detractors + 3
    p, d = (promoters + 0.75) / n, (detractors + 0.75) / n
    return p - d, p + d - (p - d) ** 2, n


def two_sided_p(z: float) -> float:
    return math.erfc(abs(z) / math.sqrt(2))


def detractor(
    workspace: Workspace,
    survey: Survey,
    who: str,
    *,
    next_score: int | None,
    contacted_days_ago: float | None,
) -> None:
    """A detractor 20 days ago, perhaps contacted, perhaps answering again 10 days ago."""
    case = answer(workspace, survey, 2, who, NOW - timedelta(days=20))
    assert case is not None
    if contacted_days_ago is not None:
        move(case, "contacted", by=CORA, at=NOW - timedelta(days=contacted_days_ago))
    if next_score is not None:
        answer(workspace, survey, next_score, who, NOW - timedelta(days=10))


def test_the_groups_and_their_test_on_a_small_example(workspace: Workspace, survey: Survey) -> None:
    for who, score in (("a", 10), ("b", 9), ("c", 7)):
        detractor(workspace, survey, who, next_score=score, contacted_days_ago=19)
    detractor(workspace, survey, "d", next_score=3, contacted_days_ago=None)
    # Contacted only after answering again: counted with the not contacted.
    detractor(workspace, survey, "e", next_score=9, contacted_days_ago=5)
    detractor(workspace, survey, "f", next_score=None, contacted_days_ago=19)
    found = recovery(workspace, scope(workspace))
    assert (found.contacted.n, found.contacted.promoters, found.contacted.passives) == (3, 2, 1)
    assert (found.not_contacted.n, found.not_contacted.promoters) == (2, 1)
    assert found.not_contacted.detractors == 1
    assert found.contacted.nps_exact == pytest.approx(200 / 3)
    assert found.not_contacted.nps_exact == 0
    # f has not answered again; nor has d, whose 3 opened a detractor case of its own.
    assert found.waiting == 2
    net1, v1, n1 = adjusted(2, 1, 0)
    net2, v2, n2 = adjusted(1, 0, 1)
    z = (net1 - net2) / math.sqrt(v1 / n1 + v2 / n2)
    assert found.comparison.z == pytest.approx(z)
    assert found.comparison.p_value == pytest.approx(two_sided_p(z))
    assert found.comparison.p_value == pytest.approx(0.476, abs=0.001)
    assert not found.comparison.significant
    assert found.too_few  # the workspace's 30
    assert found.verdict.startswith("too few answers to tell (each group needs at least 30)")
    workspace.small_group_n = 2
    workspace.save(update_fields=["small_group_n"])
    assert recovery(workspace, scope(workspace)).verdict == "no clear difference"


def test_a_clear_difference_is_called_one(workspace: Workspace, survey: Survey) -> None:
    workspace.small_group_n = 10
    workspace.save(update_fields=["small_group_n"])
    for number in range(10):
        detractor(workspace, survey, f"c{number}", next_score=10, contacted_days_ago=19)
        detractor(workspace, survey, f"n{number}", next_score=1, contacted_days_ago=None)
    found = recovery(workspace, scope(workspace))
    assert (found.contacted.nps, found.not_contacted.nps) == (100, -100)
    net1, v1, n1 = adjusted(10, 0, 0)
    net2, v2, n2 = adjusted(0, 0, 10)
    z = (net1 - net2) / math.sqrt(v1 / n1 + v2 / n2)
    assert found.comparison.z == pytest.approx(z)
    assert found.comparison.significant
    assert found.verdict == "200 points higher when contacted \u2014 a clear difference (p = 0.000)"


def test_without_detractors_who_answered_again_nothing_is_claimed(
    workspace: Workspace, survey: Survey
) -> None:
    found = recovery(workspace, scope(workspace))
    assert found.contacted.n == found.not_contacted.n == found.waiting == 0
    assert found.comparison.difference is None
    assert found.verdict.startswith("not enough data")
    detractor(workspace, survey, "a", next_score=10, contacted_days_ago=19)
    assert recovery(workspace, scope(workspace)).verdict.startswith("not enough data")


def test_only_the_same_survey_and_this_workspace_count(
    workspace: Workspace,
    survey: Survey,
    other_workspace: Workspace,
    other_survey: Survey,
) -> None:
    from npsloop.surveys.configure import create_survey

    detractor(workspace, survey, "a", next_score=None, contacted_days_ago=19)
    onboarding = create_survey(workspace, name="Onboarding", product_name="Acme Cloud")
    answer(workspace, onboarding, 10, "a", NOW - timedelta(days=10))
    # Same external id in another workspace: another person.
    answer(other_workspace, other_survey, 10, "a", NOW - timedelta(days=10))
    found = recovery(workspace, scope(workspace, survey=str(survey.pk)))
    assert found.contacted.n == 0 and found.waiting == 1
