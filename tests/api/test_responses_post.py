"""POST /api/v1/responses: one answer stored once, or a 422 naming what was wrong."""

from __future__ import annotations

from typing import Any

import pytest
from api_client import ApiClient

from npsloop.contacts.models import Contact
from npsloop.surveys.models import Response, Survey
from npsloop.surveys.rollups import count_responses, stored_rollups
from npsloop.workspaces.keys import create_api_key
from npsloop.workspaces.models import Workspace

URL = "/api/v1/responses"


@pytest.fixture(params=["django", "wsgi"])
def api(request: pytest.FixtureRequest, workspace: Workspace) -> ApiClient:
    """Through Django's test client, and through the production WSGI application."""
    _, secret = create_api_key(workspace, "tests")
    return ApiClient(secret, wsgi=request.param == "wsgi")


def body(of: Survey, **overrides: Any) -> dict[str, Any]:
    return {"survey": of.pk, "contact": {"external_id": "u1"}, "score": 9, **overrides}


def test_it_records_a_response_and_creates_the_contact(
    api: ApiClient, survey: Survey, workspace: Workspace
) -> None:
    r = api.post(
        URL,
        body(
            survey,
            contact={
                "external_id": "u1",
                "email": "Ann@Example.com",
                "account": {"external_id": "acme", "name": "Acme"},
                "properties": {"plan": "pro"},
            },
            comment="Fast and simple",
            answers={"reason": "speed"},
            channel="in-app",
        ),
    )
    assert r.status_code == 201, r.json()
    data = r.json()
    assert data["score"] == 9
    assert data["category"] == "promoter"
    assert data["contact"] == {"external_id": "u1", "email": "ann@example.com"}
    assert data["account"] == "acme"
    assert data["properties"] == {"plan": "pro"}
    assert data["comment"] == "Fast and simple"
    assert data["answers"] == {"reason": "speed"}
    assert data["channel"] == "in-app"
    assert data["erased"] is False
    assert Contact.objects.get(workspace=workspace, external_id="u1").email == "ann@example.com"
    assert stored_rollups(workspace) == count_responses(workspace)


def test_it_finds_an_existing_contact_by_email(
    api: ApiClient, survey: Survey, workspace: Workspace
) -> None:
    api.put("/api/v1/contacts/u7", {"email": "eve@example.com"})
    r = api.post(URL, body(survey, contact={"email": "eve@example.com"}))
    assert r.status_code == 201
    assert r.json()["contact"] == {"external_id": "u7", "email": "eve@example.com"}
    assert Contact.objects.filter(workspace=workspace).count() == 1


def test_it_defaults_the_channel_to_other_and_created_at_to_now(
    api: ApiClient, survey: Survey
) -> None:
    r = api.post(URL, body(survey))
    assert r.json()["channel"] == "other"
    assert r.json()["created_at"] == r.json()["updated_at"]


def test_it_keeps_the_created_at_of_a_historical_import(api: ApiClient, survey: Survey) -> None:
    r = api.post(URL, body(survey, created_at="2023-02-01T10:00:00+02:00"))
    assert r.status_code == 201
    assert Response.objects.get().created_at.isoformat() == "2023-02-01T08:00:00+00:00"


def test_it_accepts_a_score_sent_as_a_string_of_digits(api: ApiClient, survey: Survey) -> None:
    r = api.post(URL, body(survey, score="7"))
    assert r.status_code == 201
    assert r.json()["score"] == 7
    assert r.json()["category"] == "passive"


@pytest.mark.parametrize(
    ("score", "shown"),
    [
        (11, "11"),
        (-1, "-1"),
        (7.5, "7.5"),
        (7.0, "7.0"),
        ("abc", "'abc'"),
        (None, "None"),
        (True, "True"),
        ("7.5", "'7.5'"),
    ],
)
def test_it_rejects_scores_that_are_not_integers_from_0_to_10(
    api: ApiClient, survey: Survey, workspace: Workspace, score: object, shown: str
) -> None:
    r = api.post(URL, body(survey, score=score))
    assert r.status_code == 422
    assert r.json() == {
        "detail": [
            {
                "type": "invalid",
                "loc": ["body", "score"],
                "msg": f"score must be an integer from 0 to 10, got {shown}",
            }
        ]
    }
    assert not Response.objects.exists()
    assert not Contact.objects.exists(), "a rejected response leaves no new contact behind"
    assert sum(stored_rollups(workspace).values()) == 0


@pytest.mark.parametrize("field", ["score", "survey", "contact"])
def test_it_rejects_a_response_without_a_required_field(
    api: ApiClient, survey: Survey, field: str
) -> None:
    data = body(survey)
    del data[field]
    r = api.post(URL, data)
    assert r.status_code == 422
    assert {"type": "missing", "loc": ["body", field], "msg": "Field required"} in r.json()[
        "detail"
    ]
    assert not Response.objects.exists()


def test_it_rejects_a_contact_without_external_id_or_email(api: ApiClient, survey: Survey) -> None:
    r = api.post(URL, body(survey, contact={"name": "Ann"}))
    assert r.status_code == 422
    assert r.json()["detail"] == [
        {
            "type": "invalid",
            "loc": ["body", "contact", "external_id"],
            "msg": "a contact needs an external_id or an email",
        }
    ]


def test_it_rejects_an_invalid_contact_email(api: ApiClient, survey: Survey) -> None:
    r = api.post(URL, body(survey, contact={"email": "not-an-email"}))
    assert r.status_code == 422
    [error] = r.json()["detail"]
    assert error["loc"] == ["body", "contact", "email"]
    assert "not-an-email" in error["msg"]


def test_it_rejects_an_unknown_survey_on_the_survey_field(api: ApiClient, survey: Survey) -> None:
    r = api.post(URL, body(survey, survey=survey.pk + 1000))
    assert r.status_code == 422
    assert r.json()["detail"] == [
        {
            "type": "invalid",
            "loc": ["body", "survey"],
            "msg": f"no survey with id {survey.pk + 1000} in this workspace",
        }
    ]


@pytest.mark.parametrize(
    "created_at",
    ["yesterday", "2024-13-01T00:00:00Z", "2024-05-01", "2024-05-01T09:30:00", 1714550400],
)
def test_it_rejects_malformed_or_zoneless_dates(
    api: ApiClient, survey: Survey, created_at: object
) -> None:
    r = api.post(URL, body(survey, created_at=created_at))
    assert r.status_code == 422
    [error] = r.json()["detail"]
    assert error["loc"] == ["body", "created_at"]
    assert error["msg"].startswith("must be a date and time from 1970-01-01 to 2100-01-01 with")
    assert not Response.objects.exists()


def test_it_rejects_a_created_at_in_the_future(api: ApiClient, survey: Survey) -> None:
    r = api.post(URL, body(survey, created_at="2099-01-01T00:00:00Z"))
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "created_at"]
    assert r.json()["detail"][0]["msg"] == "must not be in the future"


def test_it_rejects_an_unknown_channel(api: ApiClient, survey: Survey) -> None:
    r = api.post(URL, body(survey, channel="sms"))
    assert r.status_code == 422
    assert r.json()["detail"] == [
        {
            "type": "invalid",
            "loc": ["body", "channel"],
            "msg": "must be one of email, in-app, link, other, got 'sms'",
        }
    ]


def test_it_reports_every_bad_field_at_once(api: ApiClient, survey: Survey) -> None:
    r = api.post(URL, body(survey, score=11, channel="fax"))
    assert r.status_code == 422
    assert {tuple(e["loc"]) for e in r.json()["detail"]} == {
        ("body", "score"),
        ("body", "channel"),
    }


def test_it_names_the_contacts_bad_fields_with_the_others(api: ApiClient, survey: Survey) -> None:
    r = api.post(URL, body(survey, score=11, contact={"external_id": "u1", "email": "nope"}))
    assert r.status_code == 422
    assert {tuple(e["loc"]) for e in r.json()["detail"]} == {
        ("body", "score"),
        ("body", "contact", "email"),
    }
    assert not Contact.objects.exists()


def test_it_rejects_a_body_that_is_not_json(api: ApiClient, survey: Survey) -> None:
    r = api.client.post(URL, data="score=9", content_type="application/json", headers=api.headers)
    assert r.status_code == 400
    assert not Response.objects.exists()
