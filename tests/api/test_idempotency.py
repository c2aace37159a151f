"""The Idempotency-Key header makes retries of POST /api/v1/responses safe."""

from __future__ import annotations

import pytest
from api_client import ApiClient

from npsloop.surveys.models import Response, Survey
from npsloop.surveys.rollups import stored_rollups
from npsloop.workspaces.keys import create_api_key
from npsloop.workspaces.models import Workspace

URL = "/api/v1/responses"


@pytest.fixture(params=["django", "wsgi"])
def api(request: pytest.FixtureRequest, workspace: Workspace) -> ApiClient:
    """Through Django's test client, and through the production WSGI application."""
    _, secret = create_api_key(workspace, "tests")
    return ApiClient(secret, wsgi=request.param == "wsgi")


def test_it_returns_the_original_response_for_a_retry(
    api: ApiClient, survey: Survey, workspace: Workspace
) -> None:
    answer = {"survey": survey.pk, "contact": {"external_id": "u1"}, "score": 3}
    first = api.post(URL, answer, **{"Idempotency-Key": "req-1"})
    again = api.post(URL, answer, **{"Idempotency-Key": "req-1"})
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == first.json()
    assert Response.objects.count() == 1
    assert sum(stored_rollups(workspace).values()) == 1


def test_it_refuses_a_key_reused_for_a_different_answer(api: ApiClient, survey: Survey) -> None:
    answer = {"survey": survey.pk, "contact": {"external_id": "u1"}, "score": 3}
    first = api.post(URL, answer, **{"Idempotency-Key": "req-1"})
    other = api.post(URL, {**answer, "score": 10}, **{"Idempotency-Key": "req-1"})
    assert other.status_code == 422
    [error] = other.json()["detail"]
    assert error["loc"] == ["header", "Idempotency-Key"]
    assert f"already used for a different response ({first.json()['id']})" in error["msg"]
    assert Response.objects.get().score == 3


def test_it_records_each_post_without_a_key(api: ApiClient, survey: Survey) -> None:
    answer = {"survey": survey.pk, "contact": {"external_id": "u1"}, "score": 3}
    assert api.post(URL, answer).status_code == 201
    assert api.post(URL, answer).status_code == 201
    assert Response.objects.count() == 2


def test_it_scopes_keys_to_the_workspace(
    api: ApiClient, other_api: ApiClient, survey: Survey, other_survey: Survey
) -> None:
    mine = {"survey": survey.pk, "contact": {"external_id": "u1"}, "score": 3}
    theirs = {"survey": other_survey.pk, "contact": {"external_id": "u1"}, "score": 9}
    assert api.post(URL, mine, **{"Idempotency-Key": "k"}).status_code == 201
    assert other_api.post(URL, theirs, **{"Idempotency-Key": "k"}).status_code == 201
