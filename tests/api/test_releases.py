"""/api/v1/releases: what shipped when."""

from __future__ import annotations

import pytest
from api_client import ApiClient

from npsloop.program.models import Release


def test_it_records_and_lists_releases(api: ApiClient) -> None:
    r = api.post(
        "/api/v1/releases",
        {"name": "v2.0 new editor", "released_at": "2024-04-01T08:00:00Z", "major": True},
    )
    assert r.status_code == 201, r.json()
    assert r.json()["major"] is True
    api.post("/api/v1/releases", {"name": "v2.0.1", "released_at": "2024-04-03T08:00:00Z"})
    items = api.get("/api/v1/releases").json()["items"]
    assert [(i["name"], i["major"]) for i in items] == [
        ("v2.0 new editor", True),
        ("v2.0.1", False),
    ]


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"name": "", "released_at": "2024-04-01T08:00:00Z"}, "name"),
        ({"name": "x" * 201, "released_at": "2024-04-01T08:00:00Z"}, "name"),
        ({"name": "v1", "released_at": "2024-04-01"}, "released_at"),
        ({"name": "v1", "released_at": "April"}, "released_at"),
        ({"name": "v1"}, "released_at"),
        ({"name": "v1", "released_at": "2024-04-01T08:00:00Z", "major": "yes"}, "major"),
    ],
)
def test_it_rejects_bad_releases(api: ApiClient, body: dict[str, object], loc: str) -> None:
    r = api.post("/api/v1/releases", body)
    assert r.status_code == 422
    assert [e["loc"] for e in r.json()["detail"]] == [["body", loc]]
    assert not Release.objects.exists()
