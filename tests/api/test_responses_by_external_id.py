"""POST /api/v1/responses from a contact named by external id alone, the answer every
integration sends most: on PostgreSQL record_response stores it with one statement
(surveys/by_external_id.py), on SQLite through the ORM, and either way it is the response,
the contact, the rollup and the event that the general path stores. Through Django's test
client and through the production WSGI application."""

from __future__ import annotations

import json
from typing import Any

import pytest
from api_client import ApiClient

from npsloop.contacts.fields import ContactData
from npsloop.contacts.models import Contact
from npsloop.contacts.services import upsert_contact
from npsloop.surveys.models import Response, Survey
from npsloop.surveys.rollups import count_responses, day_of, stored_rollups
from npsloop.workspaces.keys import create_api_key, revoke_api_key
from npsloop.workspaces.models import Workspace

URL = "/api/v1/responses"


@pytest.fixture(params=["django", "wsgi"])
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def api(workspace: Workspace, transport: str) -> ApiClient:
    _, secret = create_api_key(workspace, "tests")
    return ApiClient(secret, wsgi=transport == "wsgi")


def body(of: Survey, **overrides: Any) -> dict[str, Any]:
    return {"survey": of.pk, "contact": {"external_id": "u-1"}, "score": 9, **overrides}


def without_id_and_times(reply: Any) -> str:
    """The answer's JSON in its order, but for what differs between two responses."""
    data = json.loads(reply.content)
    for name in ("id", "created_at", "updated_at"):
        del data[name]
    return json.dumps(data)


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"comment": 'Fast, "reliable" <b>and</b> friendly ✓', "channel": "in-app"},
        {"answers": {"reason": "speed", "seats": 3, "areas": ["api", "ui"], "ok": True}},
        {"score": 0, "channel": "email", "comment": ""},
        {"score": 7, "channel": "link"},
    ],
)
def test_a_known_contacts_answer_is_stored_as_the_general_path_stores_it(
    api: ApiClient,
    survey: Survey,
    workspace: Workspace,
    ann: Contact,
    extra: dict[str, Any],
) -> None:
    r = api.post(URL, body(survey, **extra))
    assert r.status_code == 201, r.json()
    assert r.json() == api.get(f"{URL}/{r.json()['id']}").json()
    # The general path (the contact named by email: upsert_contact, then the ORM) answers
    # the same, key for key and in the same order.
    general = api.post(URL, body(survey, contact={"email": "ann@example.com"}, **extra))
    assert general.status_code == 201
    assert without_id_and_times(r) == without_id_and_times(general)
    assert r.json()["created_at"] == r.json()["updated_at"]
    assert len(r.json()["created_at"]) == len(general.json()["created_at"])
    data = r.json()
    assert data["contact"] == {"external_id": "u-1", "email": "ann@example.com"}
    assert data["account"] == "acme"
    assert data["properties"] == {"plan": "pro"}
    stored = Response.objects.get(pk=data["id"])
    assert stored.contact == ann
    assert stored.account_id == ann.account_id
    assert stored.properties == {"plan": "pro"}
    assert stored.category == {0: "detractor", 7: "passive"}.get(stored.score, "promoter")
    assert stored.answers == extra.get("answers", {})
    assert stored.comment == extra.get("comment", "")
    assert stored.wave is None and stored.erased_at is None
    assert len(stored.key) == 32
    assert stored.created_at == stored.updated_at
    assert stored_rollups(workspace) == count_responses(workspace)
    for header in ("Content-Type", "X-Content-Type-Options", "X-Frame-Options"):
        assert r[header] == general[header]
    assert r["Content-Type"] == "application/json; charset=utf-8"
    assert r["X-Content-Type-Options"] == "nosniff"


def test_a_new_contact_is_created_with_its_external_id_only(
    api: ApiClient, survey: Survey, workspace: Workspace
) -> None:
    r = api.post(URL, body(survey, contact={"external_id": "new-1"}))
    assert r.status_code == 201, r.json()
    contact = Contact.objects.get(workspace=workspace, external_id="new-1")
    assert (contact.email, contact.name, contact.locale, contact.properties) == (None, "", "", {})
    assert contact.account_id is None and contact.signed_up_at is None
    assert r.json()["contact"] == {"external_id": "new-1", "email": None}
    assert r.json()["account"] is None
    # The second answer finds the contact.
    assert api.post(URL, body(survey, contact={"external_id": "new-1"})).status_code == 201
    assert Contact.objects.filter(workspace=workspace).count() == 1
    assert Response.objects.filter(contact=contact).count() == 2
    assert stored_rollups(workspace) == count_responses(workspace)


def test_an_idempotency_key_is_kept_and_a_retry_gets_the_first_response(
    api: ApiClient, survey: Survey, ann: Contact
) -> None:
    first = api.post(URL, body(survey), **{"Idempotency-Key": "order-77"})
    assert first.status_code == 201
    assert Response.objects.get().key == "order-77"
    again = api.post(URL, body(survey), **{"Idempotency-Key": "order-77"})
    assert again.status_code == 200
    assert again.json() == first.json()
    other = api.post(URL, body(survey, score=3), **{"Idempotency-Key": "order-77"})
    assert other.status_code == 422
    assert other.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    assert Response.objects.count() == 1


def test_a_key_for_a_new_contact_creates_it_on_the_general_path(
    api: ApiClient, survey: Survey, workspace: Workspace
) -> None:
    r = api.post(URL, body(survey, contact={"external_id": "n2"}), **{"Idempotency-Key": "k-1"})
    assert r.status_code == 201
    assert Response.objects.get().key == "k-1"
    assert Contact.objects.filter(workspace=workspace, external_id="n2").exists()


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"score": "7"}, 201),  # digits as text: the view's parse_score accepts them
        ({"created_at": "2024-02-01T10:00:00Z"}, 201),
        ({"contact": {"external_id": "u-1", "name": "Ann"}}, 201),
        ({"contact": {"email": "ann@example.com"}}, 201),
        ({"contact": {"external_id": " u-1 "}}, 201),
        ({"score": 11}, 422),
        ({"score": 7.0}, 422),
        ({"score": True}, 422),
        ({"score": None}, 422),
        ({"channel": "sms"}, 422),
        ({"comment": "x" * 10_001}, 422),
        ({"comment": None}, 422),
        ({"answers": {"": "no name"}}, 422),
        ({"answers": {"q": {"nested": 1}}}, 422),
        ({"contact": {"external_id": ""}}, 422),
        ({"contact": {"external_id": "x" * 201}}, 422),
        ({"contact": {}}, 422),
        ({"survey": "first"}, 422),
    ],
)
def test_anything_else_takes_the_general_path_or_is_refused(
    api: ApiClient,
    survey: Survey,
    ann: Contact,
    change: dict[str, Any],
    status: int,
) -> None:
    r = api.post(URL, body(survey, **change))
    assert r.status_code == status, r.json()
    assert Response.objects.count() == (1 if status == 201 else 0)


def test_another_workspaces_survey_is_refused_on_the_survey_field(
    api: ApiClient, ann: Contact, other_workspace: Workspace
) -> None:
    theirs = Survey.objects.create(workspace=other_workspace, name="Theirs", product_name="X")
    r = api.post(URL, {"survey": theirs.pk, "contact": {"external_id": "u-1"}, "score": 9})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "survey"]
    assert not Response.objects.exists()
    assert not Contact.objects.filter(workspace=other_workspace).exists()


def test_no_contact_is_created_for_a_survey_that_is_not_the_workspaces(
    api: ApiClient, survey: Survey, workspace: Workspace
) -> None:
    r = api.post(URL, body(survey, survey=survey.pk + 1000, contact={"external_id": "n3"}))
    assert r.status_code == 422
    assert not Contact.objects.filter(workspace=workspace, external_id="n3").exists()


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer npk_wrong"},
        {"Authorization": "Token something"},
    ],
)
def test_a_missing_or_wrong_key_is_refused(
    survey: Survey, ann: Contact, transport: str, headers: dict[str, str]
) -> None:
    client = ApiClient(None, wsgi=transport == "wsgi")
    r = client.client.post(URL, json.dumps(body(survey)), "application/json", headers=headers)
    assert r.status_code == 401
    assert not Response.objects.exists()


def test_http_basic_is_accepted_and_a_body_that_is_not_json_refused(
    workspace: Workspace, survey: Survey, ann: Contact, transport: str
) -> None:
    _, secret = create_api_key(workspace, "basic")
    wsgi = transport == "wsgi"
    assert ApiClient(secret, basic=True, wsgi=wsgi).post(URL, body(survey)).status_code == 201
    api = ApiClient(secret, wsgi=wsgi)
    r = api.client.post(URL, data="score=9", content_type="application/json", headers=api.headers)
    assert r.status_code == 400
    assert r.json()["detail"].startswith("the body must be JSON: Expecting value")


def test_a_revoked_key_stops_working_at_once_in_the_process_that_revoked_it(
    workspace: Workspace, survey: Survey, ann: Contact, transport: str
) -> None:
    key, secret = create_api_key(workspace, "soon revoked")
    api = ApiClient(secret, wsgi=transport == "wsgi")
    assert api.post(URL, body(survey)).status_code == 201  # remembered from here on
    revoke_api_key(key)
    assert api.post(URL, body(survey)).status_code == 401
    assert Response.objects.count() == 1


def test_the_rollup_day_is_the_workspaces(
    api: ApiClient, survey: Survey, workspace: Workspace, ann: Contact
) -> None:
    workspace.time_zone = "Pacific/Kiritimati"  # UTC+14: its day is mostly not UTC's
    workspace.save()
    assert api.post(URL, body(survey)).status_code == 201
    response = Response.objects.get()
    [(key, count)] = stored_rollups(workspace).items()
    assert count == 1
    assert key[1] == day_of(response.created_at, workspace)


def test_the_properties_snapshot_keeps_numbers_and_booleans(
    api: ApiClient, survey: Survey, workspace: Workspace
) -> None:
    properties = {"seats": 12, "trial": False, "mrr": 99.5, "plan": "pro", "note": None}
    upsert_contact(workspace, ContactData(external_id="u-9", properties=properties))
    r = api.post(URL, body(survey, contact={"external_id": "u-9"}))
    assert r.status_code == 201
    kept = {"seats": 12, "trial": False, "mrr": 99.5, "plan": "pro"}  # a null removes a key
    assert r.json()["properties"] == kept
    assert Response.objects.get().properties == kept
