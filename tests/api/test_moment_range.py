"""Dates and times in the API: from 1970-01-01 to 2100-01-01 with a time zone, or a 422.

A year-1 moment with a positive offset is a BC moment in UTC: PostgreSQL stored it and
then could not hand it back, so every list that held the row answered 500 for good.
"""

from __future__ import annotations

from typing import Any

import pytest
from api_client import ApiClient
from django.test import Client

from npsloop.contacts.models import Contact
from npsloop.program.models import Release
from npsloop.surveys.models import Response, Survey

YEAR_1 = "0001-01-01T00:00:00+01:00"
RULE = (
    "must be a date and time from 1970-01-01 to 2100-01-01 with a time zone offset, "
    "e.g. 2024-05-01T09:30:00Z"
)
OR_DATE = (
    "must be a date like 2024-05-01 or a date and time from 1970-01-01 to 2100-01-01 "
    "with a time zone offset, e.g. 2024-05-01T09:30:00Z"
)


def refusals(reply: Any) -> list[tuple[list[str], str]]:
    return [(error["loc"], error["msg"]) for error in reply.json()["detail"]]


def lists_still_answer(api: ApiClient) -> None:
    for path in ("/api/v1/contacts", "/api/v1/responses", "/api/v1/releases"):
        reply = api.get(path)
        assert reply.status_code == 200, (path, reply.content[:300])


def test_a_year_1_signup_is_refused_and_the_contacts_list_keeps_working(
    api: ApiClient,
) -> None:
    reply = api.put("/api/v1/contacts/u1", {"signed_up_at": YEAR_1})
    assert reply.status_code == 422
    assert refusals(reply) == [(["body", "signed_up_at"], f"{RULE}, got '{YEAR_1}'")]
    assert not Contact.objects.exists()
    lists_still_answer(api)


@pytest.mark.parametrize(
    ("given", "status"),
    [
        ("1969-12-31T23:59:59Z", 422),
        ("1970-01-01T00:00:00Z", 201),
        ("2100-01-01T00:00:00Z", 201),
        ("2100-01-01T00:00:00.000001Z", 422),
        ("2024-05-01T09:30:00", 422),
    ],
)
def test_the_boundaries_of_the_range(api: ApiClient, given: str, status: int) -> None:
    reply = api.put("/api/v1/contacts/u1", {"signed_up_at": given})
    assert reply.status_code == status, reply.json()
    if status == 422:
        assert reply.json()["detail"][0]["msg"] == f"{RULE}, got '{given}'"


def test_a_moment_is_stored_and_answered_in_utc(api: ApiClient) -> None:
    reply = api.put("/api/v1/contacts/u1", {"signed_up_at": "2024-05-01T20:00:00+18:07"})
    assert reply.status_code == 201, reply.json()
    assert reply.json()["signed_up_at"] == "2024-05-01T01:53:00Z"
    assert api.get("/api/v1/contacts/u1").json()["signed_up_at"] == "2024-05-01T01:53:00Z"


def _survey_body(survey: Survey, **fields: Any) -> dict[str, Any]:
    return {"survey": survey.pk, "contact": {"external_id": "u1"}, "score": 9, **fields}


@pytest.mark.parametrize(
    ("method", "path", "body", "loc"),
    [
        ("post", "/api/v1/releases", {"name": "v1", "released_at": YEAR_1}, ["released_at"]),
        ("post", "/api/v1/responses", {"created_at": YEAR_1}, ["created_at"]),
        (
            "post",
            "/api/v1/responses",
            {"contact": {"external_id": "u1", "signed_up_at": YEAR_1}},
            ["contact", "signed_up_at"],
        ),
        ("patch", "/api/v1/surveys/{survey}/programme", {"one_off_at": YEAR_1}, ["one_off_at"]),
        (
            "post",
            "/api/v1/surveys/{survey}/asks",
            {"filter": {"signed_up_after": YEAR_1}},
            ["filter", "signed_up_after"],
        ),
        (
            "post",
            "/api/v1/surveys/{survey}/asks",
            {"filter": {"signed_up_before": YEAR_1}},
            ["filter", "signed_up_before"],
        ),
    ],
)
def test_every_body_refuses_a_year_1_moment(
    api: ApiClient,
    survey: Survey,
    method: str,
    path: str,
    body: dict[str, Any],
    loc: list[str],
) -> None:
    if path == "/api/v1/responses":
        body = _survey_body(survey, **body)
    reply = getattr(api, method)(path.format(survey=survey.pk), body)
    assert reply.status_code == 422, reply.content[:300]
    assert refusals(reply) == [(["body", *loc], f"{RULE}, got '{YEAR_1}'")]
    assert not Release.objects.exists()
    assert not Response.objects.exists()
    lists_still_answer(api)


def test_a_naive_one_off_moment_is_refused_with_the_same_message(
    api: ApiClient, survey: Survey
) -> None:
    reply = api.patch(
        f"/api/v1/surveys/{survey.pk}/programme", {"one_off_at": "2027-01-10T09:00:00"}
    )
    assert reply.status_code == 422
    assert reply.json()["detail"][0]["msg"] == f"{RULE}, got '2027-01-10T09:00:00'"


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/v1/contacts", "updated_since"),
        ("/api/v1/responses", "since"),
        ("/api/v1/responses", "until"),
        ("/api/v1/metrics", "since"),
        ("/api/v1/metrics", "until"),
    ],
)
@pytest.mark.parametrize("given", ["0291-09-03T08:19:55+18:07", "0001-01-01"])
def test_query_filters_refuse_moments_outside_the_range_with_422(
    api: ApiClient, survey: Survey, path: str, parameter: str, given: str
) -> None:
    reply = Client().get(path, {parameter: given}, headers=api.headers)
    assert reply.status_code == 422, reply.content[:300]
    assert refusals(reply) == [(["query", parameter], f"{OR_DATE}, got '{given}'")]


def _undocumented_moments(node: object, doc: dict[str, Any], where: str, seen: set[str]) -> list:
    """Places under ``node`` that take a date-time without saying the accepted range."""
    if isinstance(node, list):
        return [
            place
            for n, item in enumerate(node)
            for place in _undocumented_moments(item, doc, f"{where}[{n}]", seen)
        ]
    if not isinstance(node, dict):
        return []
    if "1970-01-01" in str(node.get("description", "")):
        return []
    if node.get("format") == "date-time":
        return [where]
    if isinstance(ref := node.get("$ref"), str):
        if ref in seen:
            return []
        name = ref.rsplit("/", 1)[-1]
        target = doc["components"]["schemas"][name]
        return _undocumented_moments(target, doc, name, seen | {ref})
    return [
        place
        for key, value in node.items()
        for place in _undocumented_moments(value, doc, f"{where}.{key}", seen)
    ]


def test_every_input_that_takes_a_date_time_is_checked_and_documented(db: None) -> None:
    """A plain ``datetime`` in a schema or a query would let any year in again: each input
    must be one of npsloop.api.moments' types, whose description states the range."""
    doc = Client().get("/api/v1/openapi.json").json()
    places = []
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            inputs = {
                "parameters": operation.get("parameters", []),
                "body": operation.get("requestBody", {}),
            }
            places += _undocumented_moments(inputs, doc, f"{method} {path}", set())
    assert places == []
