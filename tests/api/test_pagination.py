"""Lists come in pages linked by an opaque cursor; walking them sees every row once."""

from __future__ import annotations

import pytest
from api_client import ApiClient

from npsloop.surveys.configure import create_survey
from npsloop.workspaces.models import Workspace


def make_surveys(workspace: Workspace, count: int) -> list[int]:
    return [create_survey(workspace, name=f"S{i}", product_name="P").pk for i in range(count)]


def test_it_walks_every_row_once_in_id_order(api: ApiClient, workspace: Workspace) -> None:
    ids = make_surveys(workspace, 5)
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        url = "/api/v1/surveys?limit=2" + (f"&cursor={cursor}" if cursor else "")
        data = api.get(url).json()
        seen += [item["id"] for item in data["items"]]
        pages += 1
        cursor = data["next_cursor"]
        if cursor is None:
            break
    assert seen == ids
    assert pages == 3


def test_it_has_no_next_cursor_when_the_page_holds_the_rest(
    api: ApiClient, workspace: Workspace
) -> None:
    make_surveys(workspace, 2)
    data = api.get("/api/v1/surveys?limit=2").json()
    assert len(data["items"]) == 2
    assert data["next_cursor"] is None


def test_it_returns_100_items_per_page_by_default(api: ApiClient, workspace: Workspace) -> None:
    make_surveys(workspace, 101)
    data = api.get("/api/v1/surveys").json()
    assert len(data["items"]) == 100
    assert data["next_cursor"] is not None


def test_it_answers_an_empty_list_with_no_cursor(api: ApiClient) -> None:
    assert api.get("/api/v1/releases").json() == {"items": [], "next_cursor": None}


@pytest.mark.parametrize("limit", [0, -1, 1001])
def test_it_rejects_a_limit_out_of_range(api: ApiClient, limit: int) -> None:
    r = api.get(f"/api/v1/surveys?limit={limit}")
    assert r.status_code == 422
    assert r.json()["detail"] == [
        {
            "type": "invalid",
            "loc": ["query", "limit"],
            "msg": f"must be from 1 to 1000, got {limit}",
        }
    ]


@pytest.mark.parametrize("cursor", ["garbage!", "MTIz", "aWQ6YWJj"])
def test_it_rejects_a_cursor_it_did_not_hand_out(api: ApiClient, cursor: str) -> None:
    r = api.get(f"/api/v1/contacts?cursor={cursor}")
    assert r.status_code == 422
    [error] = r.json()["detail"]
    assert error["loc"] == ["query", "cursor"]
    assert "next_cursor" in error["msg"]
