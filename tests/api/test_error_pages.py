"""Under /api/ every error is JSON: the ones Django and ninja make on their own too."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

import npsloop.api.surveys as surveys
from tests.api_client import ApiClient


def test_a_method_an_endpoint_does_not_take_is_a_json_405_naming_the_allowed(
    api: ApiClient,
) -> None:
    reply = api.delete("/api/v1/surveys")
    assert reply.status_code == 405
    assert reply["Content-Type"] == "application/json"
    assert reply["Allow"] == "GET, POST"
    assert reply.json() == {
        "detail": "DELETE is not allowed at /api/v1/surveys; allowed methods: GET, POST"
    }


def test_a_405_is_json_without_a_key_too(db: None) -> None:
    reply = Client().post("/api/v1/metrics", {}, content_type="application/json")
    assert reply.status_code == 405
    assert reply["Allow"] == "GET"
    assert reply.json()["detail"].startswith("POST is not allowed at /api/v1/metrics")


def test_a_nul_in_a_query_parameter_is_a_json_400(api: ApiClient) -> None:
    reply = api.get("/api/v1/contacts?email=a%00b")
    assert reply.status_code == 400
    assert reply["Content-Type"] == "application/json"
    assert reply.json() == {
        "detail": "the query parameter email contains a NUL character, which can't be stored"
    }


def test_a_nul_elsewhere_is_still_plain_text(db: None) -> None:
    reply = Client().get("/login/?next=a%00b")
    assert reply.status_code == 400
    assert reply["Content-Type"].startswith("text/plain")


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_body_too_large_is_a_json_413(api: ApiClient) -> None:
    reply = api.put("/api/v1/contacts/u-1", {"name": "x" * 2000})
    assert reply.status_code == 413
    assert reply.json()["detail"].endswith("at most 1,000 bytes are accepted")


def test_a_body_that_is_not_an_object_is_a_422_and_stores_nothing(api: ApiClient) -> None:
    for body in ("[null, null]", "7", '"ann"', "null"):
        reply = api.put("/api/v1/contacts/u-1", body)
        assert reply.status_code == 422, body
        assert reply.json()["detail"][0]["loc"] == ["body"]
        assert reply.json()["detail"][0]["msg"].startswith("must be a JSON object, got ")
    assert api.get("/api/v1/contacts/u-1").status_code == 404


def test_a_server_error_under_api_is_json(api: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(surveys, "paginate", broken)
    api.client.raise_request_exception = False
    reply = api.get("/api/v1/surveys")
    assert reply.status_code == 500
    assert reply.json() == {"detail": "internal server error"}
