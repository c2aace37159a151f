"""Each case keeps the person's next answer to the same survey, for the follow-up tab."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from case_history import answer

from npsloop.loop.models import Case
from npsloop.loop.next_answers import fill_next_answers
from npsloop.loop.reactions import follow_answers
from npsloop.surveys.configure import create_survey
from npsloop.surveys.models import Survey
from npsloop.surveys.responses import update_response
from npsloop.workspaces.models import Workspace

pytestmark = pytest.mark.django_db
START = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def test_the_next_answer_of_the_same_survey_is_kept_and_follows_an_edit(
    workspace: Workspace, survey: Survey
) -> None:
    other = create_survey(workspace, name="Onboarding", product_name="Acme")
    case = answer(workspace, survey, 2, "ann", START)
    assert case is not None
    answer(workspace, other, 10, "ann", START + timedelta(days=3))  # another survey
    answer(workspace, survey, 3, "bob", START + timedelta(days=4))  # another person
    assert Case.objects.get(pk=case.pk).next_response_id is None
    answer(workspace, survey, 9, "ann", START + timedelta(days=10))
    answer(workspace, survey, 10, "ann", START + timedelta(days=20))  # not the next one
    kept = Case.objects.get(pk=case.pk)
    assert (kept.next_score, kept.next_answered_at) == (9, START + timedelta(days=10))
    assert kept.next_response is not None
    with time_machine.travel(START + timedelta(days=11), tick=False):
        update_response(kept.next_response, score=6)
        follow_answers(workspace.pk)
    assert Case.objects.get(pk=case.pk).next_score == 6


def test_filling_at_once_finds_what_the_worker_kept(workspace: Workspace, survey: Survey) -> None:
    for n, who in enumerate(("ann", "bob", "cid")):
        answer(workspace, survey, 1 + n, who, START + timedelta(days=n))
    answer(workspace, survey, 9, "ann", START + timedelta(days=5))
    answer(workspace, survey, 4, "cid", START + timedelta(days=6))
    kept = list(Case.objects.order_by("pk").values_list("next_response", "next_score"))
    Case.objects.update(next_response=None, next_score=None, next_answered_at=None)
    # ann's and cid's first cases; their second answers opened cases of their own.
    assert fill_next_answers(workspace.pk) == 2
    assert list(Case.objects.order_by("pk").values_list("next_response", "next_score")) == kept
