"""GET /api/v1/metrics: honest NPS per group, in the calculator's JSON shape."""

from __future__ import annotations

import pytest
from api_client import ApiClient

from npsloop.contacts.fields import ContactData
from npsloop.contacts.services import upsert_contact
from npsloop.stats import Histogram, summarize
from npsloop.surveys.models import Survey
from npsloop.surveys.responses import ResponseData, record_response
from npsloop.workspaces.models import Workspace

URL = "/api/v1/metrics"
SUMMARY_KEYS = list(summarize(Histogram.empty()).as_dict())
FUNNEL_KEYS = ["asked", "delivered", "responded", "commented", "response_rate"]


def post_scores(api: ApiClient, survey: Survey, scores: list[int], **extra: object) -> None:
    for i, score in enumerate(scores):
        body = {"survey": survey.pk, "contact": {"external_id": f"p{i}"}, "score": score, **extra}
        assert api.post("/api/v1/responses", body).status_code == 201


def test_it_matches_the_statistics_test_vector(api: ApiClient, survey: Survey) -> None:
    post_scores(api, survey, [10] * 60 + [8] * 30 + [3] * 10)
    r = api.get(URL)
    assert r.status_code == 200
    [row] = r.json()
    assert list(row) == ["group", *SUMMARY_KEYS, *FUNNEL_KEYS]
    assert row["group"] == {}
    assert (row["n"], row["promoters"], row["passives"], row["detractors"]) == (100, 60, 30, 10)
    assert row["nps"] == 50
    assert row["nps_exact"] == pytest.approx(50.0)
    assert round(row["ci_low"], 2) == 35.47
    assert round(row["ci_high"], 2) == 61.62
    assert row["confidence"] == 0.95


def test_it_has_a_null_score_without_responses(api: ApiClient) -> None:
    [row] = api.get(URL).json()
    assert (row["n"], row["nps"], row["ci_low"]) == (0, None, None)


def test_it_groups_by_channel_and_month(api: ApiClient, survey: Survey) -> None:
    post_scores(api, survey, [10, 10], channel="email", created_at="2024-01-15T10:00:00Z")
    post_scores(api, survey, [0], channel="in-app", created_at="2024-02-15T10:00:00Z")
    rows = api.get(f"{URL}?group_by=channel,month").json()
    assert [(r["group"], r["n"], r["nps"]) for r in rows] == [
        ({"channel": "email", "month": "2024-01"}, 2, 100),
        ({"channel": "in-app", "month": "2024-02"}, 1, -100),
    ]
    repeated = api.get(f"{URL}?group_by=channel&group_by=month").json()
    assert repeated == rows


def test_it_groups_by_quarter_and_filters_by_period(api: ApiClient, survey: Survey) -> None:
    post_scores(api, survey, [9], created_at="2024-03-31T10:00:00Z")
    post_scores(api, survey, [2, 3], created_at="2024-04-01T10:00:00Z")
    rows = api.get(f"{URL}?group_by=quarter").json()
    assert [(r["group"]["quarter"], r["n"]) for r in rows] == [("2024-Q1", 1), ("2024-Q2", 2)]
    [april] = api.get(f"{URL}?since=2024-04-01&until=2024-05-01").json()
    assert april["n"] == 2
    [moment] = api.get(f"{URL}?since=2024-03-31T12:00:00Z").json()
    assert moment["n"] == 2


def test_it_groups_by_account_and_by_a_contact_property(
    api: ApiClient, survey: Survey, workspace: Workspace
) -> None:
    for external_id, plan, account, score in [
        ("a", "pro", "acme", 10),
        ("b", "free", "acme", 0),
        ("c", "pro", "initech", 9),
    ]:
        contact = {
            "external_id": external_id,
            "properties": {"plan": plan},
            "account": {"external_id": account},
        }
        api.post("/api/v1/responses", {"survey": survey.pk, "contact": contact, "score": score})
    by_plan = api.get(f"{URL}?group_by=plan").json()
    assert [(r["group"], r["n"], r["nps"]) for r in by_plan] == [
        ({"plan": "free"}, 1, -100),
        ({"plan": "pro"}, 2, 100),
    ]
    by_account = api.get(f"{URL}?group_by=account").json()
    assert [(r["group"]["account"], r["n"]) for r in by_account] == [("acme", 2), ("initech", 1)]


def test_it_filters_by_survey_and_channel(
    api: ApiClient, survey: Survey, workspace: Workspace
) -> None:
    contact = upsert_contact(workspace, ContactData(external_id="x")).contact
    record_response(
        workspace, ResponseData(survey=survey, contact=contact, score=0, channel="link")
    )
    post_scores(api, survey, [10], channel="email")
    [row] = api.get(f"{URL}?survey={survey.pk}&channel=link").json()
    assert (row["n"], row["detractors"]) == (1, 1)


def test_it_computes_the_interval_at_the_asked_confidence(api: ApiClient, survey: Survey) -> None:
    post_scores(api, survey, [10] * 6 + [8] * 3 + [3])
    [at_95] = api.get(URL).json()
    [at_99] = api.get(f"{URL}?confidence=0.99").json()
    assert at_99["confidence"] == 0.99
    assert at_99["ci_low"] < at_95["ci_low"] < at_95["ci_high"] < at_99["ci_high"]


@pytest.mark.parametrize(
    ("query", "loc", "fragment"),
    [
        ("confidence=95", "confidence", "between 0 and 1"),
        ("confidence=abc", "confidence", "valid number"),
        ("channel=fax", "channel", "must be one of email, in-app, link, other"),
        ("group_by=channel,month,day,week", "group_by", "at most 3 dimensions"),
        ("group_by=channel,channel", "group_by", "each dimension at most once"),
        ("since=2024-05-01&until=2024-04-01", "until", "must be after since"),
        ("since=someday", "since", "must be a date like 2024-05-01"),
        ("until=2024-05-01T10:00:00", "until", "with a time zone"),
        ("survey=999999", "survey", "no survey with id 999999 in this workspace"),
    ],
)
def test_it_rejects_bad_queries(
    api: ApiClient, survey: Survey, query: str, loc: str, fragment: str
) -> None:
    r = api.get(f"{URL}?{query}")
    assert r.status_code == 422
    [error] = r.json()["detail"]
    assert error["loc"] == ["query", loc]
    assert fragment in error["msg"]
