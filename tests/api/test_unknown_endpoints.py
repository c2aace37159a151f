"""An address under /api/ that is no endpoint answers a JSON 404, whatever the method."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.api_client import ApiClient


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
@pytest.mark.parametrize(
    "path", ["/api/v1/nothing", "/api/v1/reports/weekly", "/api/v2/responses", "/api/"]
)
def test_an_unknown_endpoint_is_a_json_404(path: str, method: str, db: None) -> None:
    reply = getattr(Client(), method)(path)
    assert reply.status_code == 404
    assert reply["Content-Type"] == "application/json"
    assert reply.json() == {
        "detail": f"no API endpoint at {path}; the endpoints are listed at /api/v1/docs "
        "(OpenAPI: /api/v1/openapi.json)"
    }


def test_the_endpoints_still_answer(api: ApiClient) -> None:
    assert api.get("/api/v1/contacts").status_code == 200
    assert api.get("/api/v1/events").status_code == 200
    assert Client().get("/api/v1/openapi.json").status_code == 200
    assert api.get("/api/v1/contacts/nobody").json()["detail"].startswith("no contact")
