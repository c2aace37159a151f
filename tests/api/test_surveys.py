"""/api/v1/surveys: create, list and read surveys."""

from __future__ import annotations

from api_client import ApiClient

from npsloop.surveys.models import Survey


def test_it_creates_a_survey(api: ApiClient) -> None:
    r = api.post("/api/v1/surveys", {"name": "Onboarding", "product_name": "Acme Cloud"})
    assert r.status_code == 201
    data = r.json()
    assert data["name"] == "Onboarding"
    assert data["question"] == ""
    assert data["question_text"] == (
        "How likely are you to recommend Acme Cloud to a friend or colleague?"
    )
    assert api.get(f"/api/v1/surveys/{data['id']}").json() == data


def test_it_keeps_a_custom_question(api: ApiClient) -> None:
    r = api.post(
        "/api/v1/surveys",
        {"name": "Support", "product_name": "Acme", "question": "Would you recommend our support?"},
    )
    assert r.json()["question_text"] == "Would you recommend our support?"


def test_it_lists_surveys(api: ApiClient, survey: Survey) -> None:
    items = api.get("/api/v1/surveys").json()["items"]
    assert [s["name"] for s in items] == ["Relationship NPS"]


def test_it_rejects_a_survey_without_a_name(api: ApiClient) -> None:
    r = api.post("/api/v1/surveys", {"name": "  ", "product_name": "Acme"})
    assert r.status_code == 422
    assert r.json()["detail"] == [
        {"type": "invalid", "loc": ["body", "name"], "msg": "must not be empty"}
    ]
    missing = api.post("/api/v1/surveys", {"name": "X"})
    assert missing.json()["detail"][0]["loc"] == ["body", "product_name"]
    assert not Survey.objects.exists()


def test_it_answers_404_for_an_unknown_survey(api: ApiClient) -> None:
    assert api.get("/api/v1/surveys/999999").status_code == 404
