"""Every response recorded or changed leaves one event, in the same transaction."""

from __future__ import annotations

import json

import pytest
from django.db import DatabaseError, transaction
from django.test import Client

from npsloop.contacts.models import Contact
from npsloop.events import log
from npsloop.events.log import Change, OutsideTransaction, record
from npsloop.events.models import Event, EventType
from npsloop.surveys.models import Response, Survey
from npsloop.surveys.responses import ResponseData, record_response, update_response
from npsloop.workspaces.keys import create_api_key
from npsloop.workspaces.models import Workspace
from tests.api_client import ApiClient


def shown(api: ApiClient, response_id: int) -> dict[str, object]:
    """The response as the API shows it, less its tags and count of notes: those change
    with response.tagged and response.noted, not with the answer's own events."""
    data = dict(api.get(f"/api/v1/responses/{response_id}").json())
    assert (data.pop("tags"), data.pop("notes")) == ([], 0)
    return data


def events(type: str | None = None) -> list[Event]:
    rows = Event.objects.order_by("id")
    return list(rows.filter(type=type) if type else rows)


@pytest.fixture(params=["django", "wsgi"])
def door(request: pytest.FixtureRequest, workspace: Workspace) -> ApiClient:
    """Both ways a POST reaches the server: Django's test client and the production WSGI
    application (on PostgreSQL a plain answer is stored by one statement either way)."""
    _, secret = create_api_key(workspace, "events")
    return ApiClient(secret, wsgi=request.param == "wsgi")


def test_an_answer_by_api_leaves_one_response_created_shaped_like_the_api(
    door: ApiClient, api: ApiClient, survey: Survey, ann: Contact
) -> None:
    posted = door.post(
        "/api/v1/responses",
        {"survey": survey.pk, "contact": {"external_id": "u-1"}, "score": 3, "comment": "slow"},
    )
    assert posted.status_code == 201
    (event,) = events()
    assert event.type == EventType.RESPONSE_CREATED
    assert event.response_id == posted.json()["id"]
    assert event.contact_id == ann.pk
    answer = shown(api, posted.json()["id"])
    assert event.data == {"response": answer}
    assert answer["account"] == "acme" and answer["properties"] == {"plan": "pro"}


def test_a_new_contact_by_api_gets_its_event_through_either_door(
    door: ApiClient, api: ApiClient, survey: Survey
) -> None:
    posted = door.post(
        "/api/v1/responses", {"survey": survey.pk, "contact": {"external_id": "new"}, "score": 10}
    )
    assert posted.status_code == 201
    (event,) = events()
    contact = Contact.objects.get(external_id="new")
    assert event.contact_id == contact.pk
    assert event.data["response"] == shown(api, posted.json()["id"])


def test_a_retry_with_the_same_key_leaves_no_second_event(
    door: ApiClient, survey: Survey, ann: Contact
) -> None:
    body = {"survey": survey.pk, "contact": {"external_id": "u-1"}, "score": 8}
    assert door.post("/api/v1/responses", body, **{"Idempotency-Key": "k-1"}).status_code == 201
    assert door.post("/api/v1/responses", body, **{"Idempotency-Key": "k-1"}).status_code == 200
    assert len(events()) == 1


def test_a_refused_answer_leaves_no_event(door: ApiClient, survey: Survey) -> None:
    body = {"survey": survey.pk, "contact": {"external_id": "u-1"}, "score": 11}
    assert door.post("/api/v1/responses", body).status_code == 422
    assert events() == []


def test_an_edit_leaves_response_updated_with_what_it_was(
    api: ApiClient, workspace: Workspace, survey: Survey, ann: Contact
) -> None:
    response = record_response(
        workspace, ResponseData(survey=survey, score=2, contact=ann, comment="bad")
    ).response
    patched = api.patch(f"/api/v1/responses/{response.pk}", {"score": 9, "comment": "fixed!"})
    assert patched.status_code == 200
    created, updated = events()
    assert created.type == EventType.RESPONSE_CREATED
    assert updated.type == EventType.RESPONSE_UPDATED
    assert updated.data["previous"] == {"score": 2, "category": "detractor", "comment": "bad"}
    assert updated.data["response"] == shown(api, response.pk)
    assert updated.data["response"]["category"] == "promoter"


def test_an_edit_that_changes_nothing_leaves_no_event(
    workspace: Workspace, survey: Survey, ann: Contact
) -> None:
    response = record_response(workspace, ResponseData(survey=survey, score=7, contact=ann))
    update_response(response.response, score=7, comment="")
    assert [event.type for event in events()] == [EventType.RESPONSE_CREATED]


def test_a_change_rolled_back_leaves_no_event(
    workspace: Workspace, survey: Survey, ann: Contact
) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        record_response(workspace, ResponseData(survey=survey, score=1, contact=ann, key="x"))
        raise RuntimeError("the caller's transaction fails after the response was stored")
    assert not Response.objects.exists()
    assert events() == []


def test_a_change_is_never_committed_without_its_event(
    monkeypatch: pytest.MonkeyPatch, workspace: Workspace, survey: Survey, ann: Contact
) -> None:
    monkeypatch.setattr(log, "_INSERT", "INSERT INTO no_such_table VALUES")
    for key in (None, "with-a-key"):
        # The outer atomic stands for the request's transaction around the service.
        with pytest.raises(DatabaseError), transaction.atomic():
            record_response(workspace, ResponseData(survey=survey, score=1, contact=ann, key=key))
    assert not Response.objects.exists()


def test_an_edit_whose_event_fails_is_not_committed(
    monkeypatch: pytest.MonkeyPatch, workspace: Workspace, survey: Survey, ann: Contact
) -> None:
    response = record_response(workspace, ResponseData(survey=survey, score=1, contact=ann))

    monkeypatch.setattr(log, "_INSERT", "INSERT INTO no_such_table VALUES")
    with pytest.raises(DatabaseError), transaction.atomic():
        update_response(response.response, score=10)
    assert Response.objects.get().score == 1


@pytest.mark.django_db(transaction=True)
def test_an_event_outside_a_transaction_is_refused(workspace: Workspace) -> None:
    """Outside the test's own transaction, as a caller that forgot to open one would be."""
    with pytest.raises(OutsideTransaction, match="inside the transaction of its change"):
        record(Change(workspace.pk, EventType.RESPONSE_CREATED, {}))


def test_the_survey_page_answer_leaves_its_event(survey: Survey) -> None:
    """The public link: a browser's answer goes through the same door."""
    client = Client()
    page = client.get(f"/s/{survey.slug}")
    assert page.status_code == 200
    events_before = len(events())
    answered = client.post(f"/s/{survey.slug}", {"score": "6"})
    assert answered.status_code in (200, 302)
    new = events()[events_before:]
    assert [event.type for event in new] == [EventType.RESPONSE_CREATED]
    assert new[0].data["response"]["score"] == 6
    assert json.dumps(new[0].data)  # plain JSON, ready for the outside world
