"""/api/v1/accounts: the customer companies, upserted by external id."""

from __future__ import annotations

from api_client import ApiClient

from npsloop.contacts.models import Account


def test_it_creates_an_account_with_201_and_updates_it_with_200(api: ApiClient) -> None:
    created = api.put("/api/v1/accounts/acme", {"name": "Acme", "properties": {"tier": "gold"}})
    assert created.status_code == 201
    assert created.json()["external_id"] == "acme"
    assert created.json()["properties"] == {"tier": "gold"}
    updated = api.put("/api/v1/accounts/acme", {"properties": {"region": "EU"}})
    assert updated.status_code == 200
    assert updated.json()["name"] == "Acme"
    assert updated.json()["properties"] == {"tier": "gold", "region": "EU"}
    assert api.get("/api/v1/accounts/acme").json() == updated.json()


def test_it_renames_an_account(api: ApiClient) -> None:
    api.put("/api/v1/accounts/acme", {"name": "Acme"})
    api.put("/api/v1/accounts/acme", {"name": "Acme Cloud"})
    assert api.get("/api/v1/accounts/acme").json()["name"] == "Acme Cloud"


def test_it_shows_the_account_a_contact_put_created(api: ApiClient) -> None:
    api.put("/api/v1/contacts/u1", {"account": {"external_id": "initech", "name": "Initech"}})
    assert api.get("/api/v1/accounts/initech").json()["name"] == "Initech"


def test_it_answers_404_for_an_unknown_account(api: ApiClient) -> None:
    r = api.get("/api/v1/accounts/nope")
    assert r.status_code == 404
    assert r.json() == {"detail": "no account with external_id 'nope' in this workspace"}


def test_it_rejects_bad_properties_and_a_long_name(api: ApiClient) -> None:
    r = api.put("/api/v1/accounts/acme", {"name": "x" * 201, "properties": {"a": {"b": 1}}})
    assert r.status_code == 422
    assert {tuple(e["loc"]) for e in r.json()["detail"]} == {
        ("body", "name"),
        ("body", "properties", "a"),
    }
    assert not Account.objects.exists()
