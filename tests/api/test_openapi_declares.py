"""The OpenAPI document declares what every operation may answer and what it accepts."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

METHODS = ("get", "put", "post", "patch", "delete")


@pytest.fixture
def document(db: None) -> dict[str, Any]:
    return Client().get("/api/v1/openapi.json").json()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def test_every_operation_declares_401_and_400_with_the_error_body(document: dict) -> None:
    found = operations(document)
    assert len(found) >= 20
    for method, path, operation in found:
        for status in ("400", "401"):
            body = operation["responses"][status]["content"]["application/json"]["schema"]
            assert body == {"$ref": "#/components/schemas/Problem"}, (method, path, status)


def test_every_operation_that_takes_input_declares_422(document: dict) -> None:
    for method, path, operation in operations(document):
        takes_input = "requestBody" in operation or any(
            p["in"] in ("query", "header") for p in operation.get("parameters", [])
        )
        if takes_input:
            body = operation["responses"]["422"]["content"]["application/json"]["schema"]
            assert body == {"$ref": "#/components/schemas/InvalidBody"}, (method, path)
        if "requestBody" in operation:
            assert "413" in operation["responses"], (method, path)


def test_every_operation_that_takes_an_id_declares_404(document: dict) -> None:
    with_id = [(m, p, o) for m, p, o in operations(document) if "{" in p]
    assert len(with_id) >= 10
    for method, path, operation in with_id:
        assert "404" in operation["responses"], (method, path)


def test_the_error_bodies_are_described(document: dict) -> None:
    schemas = document["components"]["schemas"]
    assert schemas["Problem"]["required"] == ["detail"]
    problem = schemas["FieldProblem"]
    assert set(problem["required"]) == {"type", "loc", "msg"}


def test_every_limit_has_its_range(document: dict) -> None:
    limits = [
        parameter["schema"]
        for _, _, operation in operations(document)
        for parameter in operation.get("parameters", [])
        if parameter["name"] == "limit"
    ]
    assert len(limits) == 5  # contacts, surveys, responses, releases, events
    for limit in limits:
        assert (limit["minimum"], limit["maximum"]) == (1, 1000)


def test_it_declares_the_enums_the_server_checks(document: dict) -> None:
    schemas = document["components"]["schemas"]
    channels = ["email", "in-app", "link", "other"]
    assert schemas["ResponseIn"]["properties"]["channel"]["enum"] == channels
    assert schemas["ResponseOut"]["properties"]["category"]["enum"] == [
        "promoter",
        "passive",
        "detractor",
    ]
    events = document["paths"]["/api/v1/events"]["get"]["parameters"]
    kinds = next(p for p in events if p["name"] == "type")["schema"]["items"]["enum"]
    assert "response.created" in kinds
    survey = schemas["SurveyPatch"]["properties"]
    assert survey["reminders"]["minimum"] == 0 and survey["reminders"]["maximum"] == 2
    assert survey["name"]["maxLength"] == 200
