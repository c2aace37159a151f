"""Notes and tags of a response through the API: written, read, filtered by, refused."""

from __future__ import annotations

from typing import Any

import pytest
from api_client import ApiClient

from npsloop.events.models import Event
from npsloop.surveys.annotations import create_tag
from npsloop.surveys.models import Note, Survey
from npsloop.workspaces.models import Workspace

pytestmark = pytest.mark.django_db
URL = "/api/v1/responses"


def answer(api: ApiClient, survey: Survey, who: str = "u1", score: int = 3) -> int:
    r = api.post(URL, {"survey": survey.pk, "contact": {"external_id": who}, "score": score})
    assert r.status_code == 201, r.json()
    return int(r.json()["id"])


def message(r: Any) -> str:
    assert r.status_code == 422, r.json()
    [problem] = r.json()["detail"]
    return str(problem["msg"])


def test_notes_are_written_and_read_back_oldest_first(api: ApiClient, survey: Survey) -> None:
    response_id = answer(api, survey)
    first = api.post(f"{URL}/{response_id}/notes", {"body": "Called, **angry** about price"})
    assert first.status_code == 201, first.json()
    assert first.json()["author"] == "tests"  # the API key's name
    api.post(f"{URL}/{response_id}/notes", {"body": "Sent a discount"})
    notes = api.get(f"{URL}/{response_id}/notes").json()
    assert [n["body"] for n in notes] == ["Called, **angry** about price", "Sent a discount"]
    assert api.get(f"{URL}/{response_id}").json()["notes"] == 2
    assert Event.objects.filter(type="response.noted", response_id=response_id).count() == 2


def test_a_note_too_long_or_empty_is_422(api: ApiClient, survey: Survey) -> None:
    response_id = answer(api, survey)
    assert api.post(f"{URL}/{response_id}/notes", {"body": "x" * 10_000}).status_code == 201
    too_long = api.post(f"{URL}/{response_id}/notes", {"body": "x" * 10_001})
    assert message(too_long) == "must be at most 10,000 characters, got 10,001"
    assert "not empty" in message(api.post(f"{URL}/{response_id}/notes", {"body": "  "}))
    assert message(api.post(f"{URL}/{response_id}/notes", {"body": 5}))
    assert Note.objects.count() == 1


def test_tags_are_set_as_a_whole_list(api: ApiClient, survey: Survey, workspace: Workspace) -> None:
    for name in ("Pricing", "Onboarding", "bug"):
        create_tag(workspace, name)
    response_id = answer(api, survey)
    r = api.put(f"{URL}/{response_id}/tags", {"tags": ["pricing", "BUG"]})
    assert r.json() == {"tags": ["bug", "Pricing"]}
    r = api.put(f"{URL}/{response_id}/tags", {"tags": ["onboarding"]})
    assert r.json() == {"tags": ["Onboarding"]}
    assert api.get(f"{URL}/{response_id}").json()["tags"] == ["Onboarding"]
    assert api.put(f"{URL}/{response_id}/tags", {"tags": []}).json() == {"tags": []}
    tagged = Event.objects.filter(type="response.tagged").order_by("id")
    assert [e.data["added"] for e in tagged] == [["Pricing", "bug"], ["Onboarding"], []]


def test_an_unknown_tag_is_422_naming_the_known(
    api: ApiClient, survey: Survey, workspace: Workspace
) -> None:
    create_tag(workspace, "Pricing")
    response_id = answer(api, survey)
    r = api.put(f"{URL}/{response_id}/tags", {"tags": ["pricing", "nope"]})
    assert "unknown tag 'nope'" in message(r)
    assert "Pricing" in message(r)
    assert api.get(f"{URL}/{response_id}").json()["tags"] == []
    assert api.put(f"{URL}/{response_id}/tags", {"tags": "pricing"}).status_code == 422
    assert api.put(f"{URL}/{response_id}/tags", {"tags": ["x"] * 101}).status_code == 422


def test_the_list_filters_by_tag(api: ApiClient, survey: Survey, workspace: Workspace) -> None:
    create_tag(workspace, "Pricing")
    tagged = answer(api, survey, "u1")
    answer(api, survey, "u2")
    api.put(f"{URL}/{tagged}/tags", {"tags": ["Pricing"]})
    items = api.get(f"{URL}?tag=pricing").json()["items"]
    assert [(item["id"], item["tags"], item["notes"]) for item in items] == [
        (tagged, ["Pricing"], 0)
    ]
    r = api.get(f"{URL}?tag=nope")
    assert r.json()["detail"][0]["loc"] == ["query", "tag"]
    assert "Pricing" in message(r)


def test_another_workspaces_response_is_404(
    api: ApiClient, other_api: ApiClient, survey: Survey, other_workspace: Workspace
) -> None:
    create_tag(other_workspace, "Pricing")
    response_id = answer(api, survey)
    assert other_api.get(f"{URL}/{response_id}/notes").status_code == 404
    assert other_api.post(f"{URL}/{response_id}/notes", {"body": "hi"}).status_code == 404
    assert other_api.put(f"{URL}/{response_id}/tags", {"tags": ["Pricing"]}).status_code == 404
    assert Note.objects.count() == 0
    assert ApiClient(None).get(f"{URL}/{response_id}/notes").status_code == 401
    # A tag of another workspace is no tag of this one.
    assert "none yet" in message(api.put(f"{URL}/{response_id}/tags", {"tags": ["Pricing"]}))
