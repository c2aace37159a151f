"""The tag filter: /api/v1/metrics and every dashboard page count only the tagged responses,
from the responses themselves (the rollups know nothing of tags)."""

from __future__ import annotations

import pytest
from api_client import ApiClient

from npsloop.contacts.fields import ContactData
from npsloop.insights.filters import resolve_filters, today_in
from npsloop.insights.metrics import compute_metrics
from npsloop.surveys.annotations import change_tags, create_tag
from npsloop.surveys.models import Response, Survey
from npsloop.surveys.responses import ResponseData, record_response
from npsloop.workspaces.models import Workspace

pytestmark = pytest.mark.django_db


def tag_some(workspace: Workspace, survey: Survey) -> list[Response]:
    """Scores 10, 9, 2 tagged Pricing (NPS +33); 0, 0, 0 untagged."""
    made = []
    for i, score in enumerate([10, 9, 2, 0, 0, 0]):
        made.append(
            record_response(
                workspace,
                ResponseData(survey=survey, score=score, contact=ContactData(external_id=f"p{i}")),
            ).response
        )
    change_tags(made[:3], add=[create_tag(workspace, "Pricing")])
    return made


@pytest.fixture
def tagged(workspace: Workspace, survey: Survey) -> list[Response]:
    return tag_some(workspace, survey)


def test_the_api_counts_only_the_tagged(api: ApiClient, tagged: list[Response]) -> None:
    [everyone] = api.get("/api/v1/metrics").json()
    assert (everyone["n"], everyone["nps"]) == (6, -33)
    [row] = api.get("/api/v1/metrics?tag=pricing").json()
    assert (row["n"], row["promoters"], row["detractors"], row["nps"]) == (3, 2, 1, 33)
    assert (row["asked"], row["response_rate"]) == (0, None)
    [by_day] = api.get("/api/v1/metrics?tag=Pricing&group_by=survey").json()
    assert by_day["n"] == 3


def test_an_unknown_tag_is_422_naming_the_known(api: ApiClient, tagged: list[Response]) -> None:
    r = api.get("/api/v1/metrics?tag=nope")
    assert r.status_code == 422
    [problem] = r.json()["detail"]
    assert problem["loc"] == ["query", "tag"]
    assert "Pricing" in problem["msg"]


def test_another_workspaces_tag_is_unknown(
    other_api: ApiClient, tagged: list[Response], other_survey: Survey
) -> None:
    assert other_api.get("/api/v1/metrics?tag=Pricing").status_code == 422


def test_the_dashboard_filter_reads_the_tag_from_the_url(
    workspace: Workspace, tagged: list[Response]
) -> None:
    filters = resolve_filters(workspace, {"tag": "PRICING"}, today_in(workspace))
    assert filters.params()["tag"] == "Pricing"
    [(_, histogram)] = compute_metrics(workspace, filters.query())
    assert histogram.n == 3
