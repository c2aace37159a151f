"""GET /api/v1/responses and /responses/{id}: answers back, with the filters people use."""

from __future__ import annotations

from typing import Any

import pytest
from api_client import ApiClient

from npsloop.surveys.configure import create_survey
from npsloop.surveys.models import Survey
from npsloop.workspaces.models import Workspace

URL = "/api/v1/responses"


def post(api: ApiClient, survey: Survey, score: int, **extra: Any) -> dict[str, Any]:
    contact = extra.pop("contact", {"external_id": f"u{score}"})
    r = api.post(URL, {"survey": survey.pk, "contact": contact, "score": score, **extra})
    assert r.status_code == 201, r.json()
    return dict(r.json())


def scores(api: ApiClient, query: str) -> list[int]:
    r = api.get(f"{URL}?{query}")
    assert r.status_code == 200, r.json()
    return [item["score"] for item in r.json()["items"]]


def test_it_reads_one_response_with_its_contact_and_account(api: ApiClient, survey: Survey) -> None:
    posted = post(
        api,
        survey,
        8,
        contact={"email": "ann@example.com", "account": {"external_id": "acme"}},
        comment="ok",
        answers={"why": ["price", "speed"]},
        channel="email",
    )
    r = api.get(f"{URL}/{posted['id']}")
    assert r.status_code == 200
    data = r.json()
    assert data == posted
    assert set(data) == {
        "id", "survey", "contact", "account", "score", "category", "comment", "answers",
        "channel", "properties", "created_at", "updated_at", "erased", "tags", "notes",
    }  # fmt: skip
    assert (data["tags"], data["notes"]) == ([], 0)
    assert data["survey"] == survey.pk
    assert data["contact"] == {"external_id": None, "email": "ann@example.com"}
    assert data["account"] == "acme"
    assert data["answers"] == {"why": ["price", "speed"]}


def test_it_answers_404_for_an_unknown_response(api: ApiClient) -> None:
    r = api.get(f"{URL}/987654")
    assert r.status_code == 404
    assert r.json() == {"detail": "no response with id 987654 in this workspace"}


def test_it_filters_by_time(api: ApiClient, survey: Survey) -> None:
    post(api, survey, 1, created_at="2024-01-31T23:30:00Z")
    post(api, survey, 2, created_at="2024-02-01T00:00:00Z")
    post(api, survey, 3, created_at="2024-03-01T00:00:00Z")
    assert scores(api, "since=2024-02-01") == [2, 3]
    assert scores(api, "until=2024-02-01") == [1]
    assert scores(api, "since=2024-01-31T23:00:00Z&until=2024-03-01T00:00:00Z") == [1, 2]


def test_it_filters_by_survey_channel_category_and_comment(
    api: ApiClient, survey: Survey, workspace: Workspace
) -> None:
    second = create_survey(workspace, name="Support", product_name="Acme")
    post(api, survey, 10, channel="email", comment="love it")
    post(api, survey, 7, channel="in-app")
    post(api, second, 0, channel="email", comment="slow")
    assert scores(api, f"survey={second.pk}") == [0]
    assert scores(api, "channel=email") == [10, 0]
    assert scores(api, "category=detractor") == [0]
    assert scores(api, "has_comment=true") == [10, 0]
    assert scores(api, "has_comment=false") == [7]
    assert scores(api, f"channel=email&survey={survey.pk}") == [10]


@pytest.mark.parametrize(
    ("query", "loc", "fragment"),
    [
        ("channel=fax", "channel", "must be one of email, in-app, link, other, got 'fax'"),
        ("category=fan", "category", "must be one of promoter, passive, detractor, got 'fan'"),
        ("since=2024-02-30", "since", "must be a date like 2024-05-01"),
        ("until=tomorrow", "until", "must be a date like 2024-05-01"),
        ("survey=999999", "survey", "no survey with id 999999 in this workspace"),
        ("survey=abc", "survey", "valid integer"),
        ("has_comment=maybe", "has_comment", "valid boolean"),
    ],
)
def test_it_rejects_bad_filters(
    api: ApiClient, survey: Survey, query: str, loc: str, fragment: str
) -> None:
    r = api.get(f"{URL}?{query}")
    assert r.status_code == 422
    [error] = r.json()["detail"]
    assert error["loc"] == ["query", loc]
    assert fragment in error["msg"]
