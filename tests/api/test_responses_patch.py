"""PATCH /api/v1/responses/{id}: correct a score, a comment or the answers."""

from __future__ import annotations

from typing import Any

import pytest
from api_client import ApiClient

from npsloop.surveys.models import Response, Survey
from npsloop.surveys.rollups import count_responses, stored_rollups
from npsloop.workspaces.models import Workspace


@pytest.fixture
def posted(api: ApiClient, survey: Survey) -> dict[str, Any]:
    body = {"survey": survey.pk, "contact": {"external_id": "u1"}, "score": 6, "comment": "meh"}
    return dict(api.post("/api/v1/responses", body).json())


def test_it_changes_the_score_and_keeps_the_metrics_exact(
    api: ApiClient, posted: dict[str, Any], workspace: Workspace
) -> None:
    r = api.patch(f"/api/v1/responses/{posted['id']}", {"score": 9})
    assert r.status_code == 200
    assert (r.json()["score"], r.json()["category"]) == (9, "promoter")
    assert r.json()["comment"] == "meh", "fields left out stay as they are"
    assert stored_rollups(workspace) == count_responses(workspace)
    [row] = api.get("/api/v1/metrics").json()
    assert (row["promoters"], row["detractors"]) == (1, 0)


def test_it_changes_the_comment_and_answers(api: ApiClient, posted: dict[str, Any]) -> None:
    r = api.patch(
        f"/api/v1/responses/{posted['id']}", {"comment": "better now", "answers": {"q": 1}}
    )
    assert r.status_code == 200
    assert (r.json()["comment"], r.json()["answers"], r.json()["score"]) == (
        "better now",
        {"q": 1},
        6,
    )


@pytest.mark.parametrize(
    ("body", "loc", "fragment"),
    [
        ({"score": 11}, "score", "got 11"),
        ({"score": 7.5}, "score", "got 7.5"),
        ({"score": None}, "score", "got None"),
        ({"score": "abc"}, "score", "got 'abc'"),
        ({"comment": 5}, "comment", "must be text"),
        ({"answers": ["a"]}, "answers", "must be an object"),
    ],
)
def test_it_rejects_bad_changes_and_keeps_the_response(
    api: ApiClient, posted: dict[str, Any], body: dict[str, object], loc: str, fragment: str
) -> None:
    r = api.patch(f"/api/v1/responses/{posted['id']}", body)
    assert r.status_code == 422
    [error] = r.json()["detail"]
    assert error["loc"] == ["body", loc]
    assert fragment in error["msg"]
    assert Response.objects.get().score == 6


def test_it_refuses_personal_data_on_an_erased_response(
    api: ApiClient, posted: dict[str, Any]
) -> None:
    api.delete("/api/v1/contacts/u1")
    r = api.patch(f"/api/v1/responses/{posted['id']}", {"comment": "Ann again"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "comment"]
    assert Response.objects.get().comment == ""
    assert api.patch(f"/api/v1/responses/{posted['id']}", {"score": 7}).status_code == 200


def test_it_answers_404_for_an_unknown_response(api: ApiClient) -> None:
    assert api.patch("/api/v1/responses/424242", {"score": 3}).status_code == 404
