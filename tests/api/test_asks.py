"""POST /api/v1/surveys/{id}/asks."""

from __future__ import annotations

import pytest
from api_client import ApiClient

from npsloop.contacts.fields import ContactData
from npsloop.contacts.services import upsert_contact
from npsloop.program.models import SurveyRequest
from npsloop.surveys.models import Survey
from npsloop.workspaces.models import Workspace


@pytest.fixture
def people(workspace: Workspace) -> None:
    for n, plan in ((1, "pro"), (2, "pro"), (3, "free")):
        upsert_contact(
            workspace,
            ContactData(external_id=f"u-{n}", email=f"u{n}@example.com", properties={"plan": plan}),
        )


def test_it_schedules_and_reports_skips(api: ApiClient, survey: Survey, people: None) -> None:
    reply = api.post(
        f"/api/v1/surveys/{survey.pk}/asks",
        {"contacts": ["u-1", "u2@example.com", "ghost"], "delay_minutes": 30},
    )
    assert reply.status_code == 200, reply.json()
    body = reply.json()
    assert [s["contact"] for s in body["scheduled"]] == ["u-1", "u-2"]
    assert body["skipped"] == [{"contact": "ghost", "reason": "unknown contact"}]
    again = api.post(f"/api/v1/surveys/{survey.pk}/asks", {"contacts": ["u-1"]}).json()
    assert again == {"scheduled": [], "skipped": [{"contact": "u-1", "reason": "already pending"}]}


def test_it_asks_by_filter(api: ApiClient, survey: Survey, people: None) -> None:
    reply = api.post(
        f"/api/v1/surveys/{survey.pk}/asks", {"filter": {"properties": {"plan": "pro"}}}
    )
    assert sorted(s["contact"] for s in reply.json()["scheduled"]) == ["u-1", "u-2"]


@pytest.mark.parametrize(
    ("body", "loc", "words"),
    [
        ({}, ["body"], "either `contacts` or `filter`"),
        ({"contacts": ["u-1"], "filter": {}}, ["body"], "not both"),
        ({"contacts": ["u-1"], "channel": "sms"}, ["body", "channel"], "must be one of email"),
        ({"contacts": ["u-1"], "delay_minutes": -5}, ["body", "delay_minutes"], "0 to 365"),
        ({"contacts": "u-1"}, ["body", "contacts"], "list"),
        ({"contacts": [""]}, ["body", "contacts"], "non-empty"),
        ({"contacts": ["x"] * 10_001}, ["body", "contacts"], "at most 10,000"),
        (
            {"filter": {"properties": {"a__b": "c"}}},
            ["body", "filter", "properties", "a__b"],
            "no '__'",
        ),
    ],
)
def test_it_refuses_bad_requests(
    api: ApiClient,
    survey: Survey,
    people: None,
    body: dict[str, object],
    loc: list[str],
    words: str,
) -> None:
    reply = api.post(f"/api/v1/surveys/{survey.pk}/asks", body)
    assert reply.status_code == 422
    detail = reply.json()["detail"]
    assert any(d["loc"] == loc and words in d["msg"] for d in detail), detail
    assert not SurveyRequest.objects.exists()


def test_another_workspaces_survey_is_not_found(
    other_api: ApiClient, survey: Survey, people: None
) -> None:
    reply = other_api.post(f"/api/v1/surveys/{survey.pk}/asks", {"contacts": ["u-1"]})
    assert reply.status_code == 404
    assert not SurveyRequest.objects.exists()
