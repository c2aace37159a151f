"""/api/v1/contacts: upsert by external id, read, list with filters."""

from __future__ import annotations

import pytest
import time_machine
from api_client import ApiClient

from npsloop.contacts.models import Account, Contact
from npsloop.workspaces.models import Workspace


def test_it_creates_a_contact_with_201_and_updates_it_with_200(
    api: ApiClient, workspace: Workspace
) -> None:
    created = api.put(
        "/api/v1/contacts/u1",
        {
            "email": "Ann@Example.com",
            "name": "Ann",
            "locale": "de-CH",
            "signed_up_at": "2024-01-02T03:04:05Z",
            "account": {"external_id": "acme", "name": "Acme Corp"},
            "properties": {"plan": "pro", "seats": 12},
        },
    )
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["external_id"] == "u1"
    assert data["email"] == "ann@example.com"
    assert data["locale"] == "de-CH"
    assert data["signed_up_at"].startswith("2024-01-02T03:04:05")
    assert data["account"] == {"external_id": "acme", "name": "Acme Corp"}
    assert data["properties"] == {"plan": "pro", "seats": 12}
    updated = api.put("/api/v1/contacts/u1", {"name": "Ann B.", "properties": {"seats": None}})
    assert updated.status_code == 200
    assert updated.json()["name"] == "Ann B."
    assert updated.json()["email"] == "ann@example.com", "omitted fields stay as they are"
    assert updated.json()["properties"] == {"plan": "pro"}, "a null property is removed"
    assert Contact.objects.filter(workspace=workspace).count() == 1
    assert Account.objects.get(workspace=workspace).name == "Acme Corp"


def test_it_reads_a_contact_by_external_id(api: ApiClient) -> None:
    api.put("/api/v1/contacts/u1", {"email": "ann@example.com"})
    r = api.get("/api/v1/contacts/u1")
    assert r.status_code == 200
    assert r.json()["email"] == "ann@example.com"
    assert r.json()["account"] is None


def test_it_handles_external_ids_with_slashes_and_spaces(api: ApiClient) -> None:
    assert api.put("/api/v1/contacts/crm/42%20a", {"name": "X"}).status_code == 201
    assert api.get("/api/v1/contacts/crm/42%20a").json()["external_id"] == "crm/42 a"


def test_it_answers_404_for_an_unknown_contact(api: ApiClient) -> None:
    r = api.get("/api/v1/contacts/nobody")
    assert r.status_code == 404
    assert r.json() == {"detail": "no contact with external_id 'nobody' in this workspace"}


@pytest.mark.parametrize(
    ("body", "loc", "fragment"),
    [
        ({"email": "not-an-email"}, ["body", "email"], "must be an email address"),
        ({"locale": "english please"}, ["body", "locale"], "language tag"),
        ({"signed_up_at": "2024-01-02"}, ["body", "signed_up_at"], "with a time zone"),
        ({"signed_up_at": "soon"}, ["body", "signed_up_at"], "with a time zone"),
        ({"properties": {"tags": ["a"]}}, ["body", "properties", "tags"], "must be a string"),
        ({"account": {"external_id": " "}}, ["body", "account", "external_id"], "empty"),
        ({"name": 5}, ["body", "name"], "valid string"),
    ],
)
def test_it_rejects_bad_fields_and_stores_nothing(
    api: ApiClient, body: dict[str, object], loc: list[str], fragment: str
) -> None:
    r = api.put("/api/v1/contacts/u1", body)
    assert r.status_code == 422
    [error] = r.json()["detail"]
    assert error["loc"] == loc
    assert fragment in error["msg"]
    assert not Contact.objects.exists()


def test_it_refuses_an_email_that_belongs_to_another_contact(api: ApiClient) -> None:
    api.put("/api/v1/contacts/u1", {"email": "ann@example.com"})
    r = api.put("/api/v1/contacts/u2", {"email": "ann@example.com"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "email"]
    assert "u1" in r.json()["detail"][0]["msg"]


def test_it_filters_the_list_by_email(api: ApiClient) -> None:
    api.put("/api/v1/contacts/u1", {"email": "ann@example.com"})
    api.put("/api/v1/contacts/u2", {"email": "bob@example.com"})
    items = api.get("/api/v1/contacts?email=BOB@example.com").json()["items"]
    assert [c["external_id"] for c in items] == ["u2"]


def test_it_filters_the_list_by_updated_since(api: ApiClient) -> None:
    with time_machine.travel("2024-03-01T12:00:00Z", tick=False):
        api.put("/api/v1/contacts/old", {"name": "Old"})
    with time_machine.travel("2024-03-05T12:00:00Z", tick=False):
        api.put("/api/v1/contacts/new", {"name": "New"})
    with time_machine.travel("2024-03-06T12:00:00Z", tick=False):
        by_date = api.get("/api/v1/contacts?updated_since=2024-03-02").json()["items"]
        by_moment = api.get("/api/v1/contacts?updated_since=2024-03-05T12:00:00%2B00:00").json()[
            "items"
        ]
        everything = api.get("/api/v1/contacts").json()["items"]
    assert [c["external_id"] for c in by_date] == ["new"]
    assert [c["external_id"] for c in by_moment] == ["new"]
    assert len(everything) == 2


def test_it_rejects_a_malformed_updated_since(api: ApiClient) -> None:
    r = api.get("/api/v1/contacts?updated_since=last-week")
    assert r.status_code == 422
    [error] = r.json()["detail"]
    assert error["loc"] == ["query", "updated_since"]
    assert error["msg"].startswith("must be a date like 2024-05-01 or a date and time from 1970")
