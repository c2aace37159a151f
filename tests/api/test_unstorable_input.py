"""Input the API can't store answers 4xx with the reason, never 500: a NUL character in any
text (PostgreSQL's text and jsonb can't hold one), JSON nested thousands deep, a delay
beyond what a timedelta holds."""

from __future__ import annotations

from typing import Any

import pytest
from api_client import ApiClient

from npsloop.contacts.models import Account, Contact
from npsloop.program.models import Release, SurveyRequest
from npsloop.surveys.models import Response, Survey
from npsloop.workspaces.keys import create_api_key
from npsloop.workspaces.models import Workspace

NUL = "a\u0000b"
REASON = "contains a NUL character, which can't be stored"


def respond(survey: Survey, **fields: Any) -> dict[str, Any]:
    return {"survey": survey.pk, "contact": {"external_id": "u-1"}, "score": 9, **fields}


@pytest.mark.parametrize(
    ("method", "path", "body", "loc"),
    [
        ("put", "/api/v1/contacts/u-1", {"name": NUL}, ["name"]),
        ("put", "/api/v1/contacts/u-1", {"properties": {"plan": NUL}}, ["properties", "plan"]),
        ("put", "/api/v1/contacts/u-1", {"properties": {NUL: "pro"}}, ["properties"]),
        (
            "put",
            "/api/v1/contacts/u-1",
            {"account": {"external_id": "acme", "name": NUL}},
            ["account", "name"],
        ),
        ("put", "/api/v1/accounts/acme", {"name": NUL}, ["name"]),
        ("post", "/api/v1/responses", "comment", ["comment"]),
        ("post", "/api/v1/responses", "answers", ["answers", "why"]),
        ("post", "/api/v1/surveys", {"name": NUL, "product_name": "Acme"}, ["name"]),
        ("patch", "/api/v1/surveys/{survey}", {"product_name": NUL}, ["product_name"]),
        (
            "post",
            "/api/v1/releases",
            {"name": NUL, "released_at": "2024-05-01T00:00:00Z"},
            ["name"],
        ),
        ("post", "/api/v1/surveys/{survey}/asks", {"contacts": ["u-1", NUL]}, ["contacts", 1]),
        (
            "post",
            "/api/v1/surveys/{survey}/asks",
            {"filter": {"properties": {"plan": NUL}}},
            ["filter", "properties", "plan"],
        ),
    ],
)
def test_a_nul_in_any_text_of_a_body_is_a_422_naming_the_field(
    api: ApiClient,
    survey: Survey,
    workspace: Workspace,
    method: str,
    path: str,
    body: Any,
    loc: list[object],
) -> None:
    if body == "comment":
        body = respond(survey, comment=NUL)
    elif body == "answers":
        body = respond(survey, answers={"why": NUL})
    names = set(Survey.objects.values_list("name", flat=True))
    reply = getattr(api, method)(path.format(survey=survey.pk), body)
    assert reply.status_code == 422, reply.content[:300]
    assert reply.json()["detail"] == [{"type": "invalid", "loc": ["body", *loc], "msg": REASON}]
    assert not Contact.objects.exists()
    assert not Account.objects.exists()
    assert not Response.objects.exists()
    assert not Release.objects.exists()
    assert not SurveyRequest.objects.exists()
    assert set(Survey.objects.values_list("name", flat=True)) == names


@pytest.mark.parametrize("transport", ["django", "wsgi"])
def test_a_nul_in_a_plain_response_is_refused_by_both_doors(
    workspace: Workspace, survey: Survey, transport: str
) -> None:
    """The production server answers the plain POST /api/v1/responses beside Django on
    PostgreSQL; what it can't settle, Django answers."""
    api = ApiClient(create_api_key(workspace, "t")[1], wsgi=transport == "wsgi")
    reply = api.post("/api/v1/responses", respond(survey, comment=NUL))
    assert reply.status_code == 422
    assert reply.json()["detail"][0]["loc"] == ["body", "comment"]
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/contacts?email=a%00b@example.com",
        "/api/v1/contacts/a%00b",
        "/api/v1/accounts/a%00b",
        "/api/v1/surveys/{survey}/link?contact=a%00b",
    ],
)
def test_a_nul_in_the_address_is_a_400(api: ApiClient, survey: Survey, path: str) -> None:
    reply = api.get(path.format(survey=survey.pk))
    assert reply.status_code == 400
    assert REASON in reply.content.decode()


def test_json_nested_thousands_deep_is_a_400(api: ApiClient) -> None:
    deep = '{"properties": ' + "[" * 5000 + "]" * 5000 + "}"
    reply = api.client.put(
        "/api/v1/contacts/u-1", deep, content_type="application/json", headers=api.headers
    )
    assert reply.status_code == 400
    assert reply.json() == {"detail": "the body must be JSON nested at most 32 levels deep"}


@pytest.mark.parametrize("minutes", [55424833673969, 525_601, -5])
def test_a_delay_beyond_a_year_is_a_422(api: ApiClient, survey: Survey, minutes: int) -> None:
    Contact.objects.create(workspace=survey.workspace, external_id="u-1", email="u@x.io")
    reply = api.post(
        f"/api/v1/surveys/{survey.pk}/asks", {"contacts": ["u-1"], "delay_minutes": minutes}
    )
    assert reply.status_code == 422
    assert reply.json()["detail"] == [
        {
            "type": "invalid",
            "loc": ["body", "delay_minutes"],
            "msg": f"must be from 0 to 365 days (525,600 minutes), got {minutes:,} minutes",
        }
    ]
    assert not SurveyRequest.objects.exists()
