from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from npsloop.contacts.fields import ContactData
from npsloop.contacts.services import upsert_contact
from npsloop.errors import InvalidInput
from npsloop.surveys.erasure import erase_contact
from npsloop.surveys.models import Response, Survey
from npsloop.surveys.responses import ResponseData, record_response, update_response
from npsloop.surveys.rollups import count_responses, rebuild, stored_rollups
from npsloop.workspaces.models import Workspace


def test_it_records_a_response_and_counts_it_in_the_rollups(
    workspace: Workspace, survey: Survey
) -> None:
    contact = upsert_contact(workspace, ContactData(external_id="u1", properties={"plan": "pro"}))
    recorded = record_response(
        workspace, ResponseData(survey=survey, contact=contact.contact, score=9, comment="great")
    )
    assert recorded.created
    assert recorded.response.category == "promoter"
    assert recorded.response.properties == {"plan": "pro"}
    assert stored_rollups(workspace) == count_responses(workspace)
    assert sum(stored_rollups(workspace).values()) == 1


@pytest.mark.parametrize(
    ("score", "message"),
    [
        (11, "score must be an integer from 0 to 10, got 11"),
        (-1, "score must be an integer from 0 to 10, got -1"),
        (7.5, "score must be an integer from 0 to 10, got 7.5"),
        ("abc", "score must be an integer from 0 to 10, got 'abc'"),
        (None, "score must be an integer from 0 to 10, got None"),
    ],
)
def test_it_rejects_scores_that_are_not_integers_0_to_10(
    workspace: Workspace, survey: Survey, score: object, message: str
) -> None:
    with pytest.raises(InvalidInput) as error:
        record_response(workspace, ResponseData(survey=survey, score=score))
    assert error.value.errors == {"score": message}
    assert not Response.objects.exists()
    assert sum(stored_rollups(workspace).values()) == 0


def test_it_stores_a_response_once_per_key(workspace: Workspace, survey: Survey) -> None:
    first = record_response(workspace, ResponseData(survey=survey, score=3, key="k1"))
    again = record_response(workspace, ResponseData(survey=survey, score=3, key="k1"))
    assert not again.created
    assert again.response.pk == first.response.pk
    with pytest.raises(InvalidInput) as error:
        record_response(workspace, ResponseData(survey=survey, score=4, key="k1"))
    assert "already used for a different response" in error.value.errors["key"]
    assert Response.objects.count() == 1


def test_it_moves_the_rollup_when_a_score_changes(workspace: Workspace, survey: Survey) -> None:
    recorded = record_response(
        workspace,
        ResponseData(survey=survey, score=3, created_at=datetime(2026, 1, 5, 12, tzinfo=UTC)),
    )
    with time_machine.travel(datetime(2026, 1, 6, tzinfo=UTC)):  # within the edit window
        update_response(recorded.response, score=10)
    counts = stored_rollups(workspace)
    assert counts == count_responses(workspace)
    assert [key[4] for key in counts] == [10]


def test_it_erases_a_person_but_keeps_their_score(workspace: Workspace, survey: Survey) -> None:
    contact = upsert_contact(workspace, ContactData(email="ann@example.com")).contact
    record_response(workspace, ResponseData(survey=survey, contact=contact, score=2, comment="x"))
    assert erase_contact(contact) == 1
    response = Response.objects.get()
    assert (response.contact, response.comment, response.score) == (None, "", 2)
    assert response.erased_at is not None
    assert rebuild(workspace) == 1
