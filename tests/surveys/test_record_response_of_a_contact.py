"""record_response with the contact described (ContactData): the one door that upserts the
person and records their answer together. On PostgreSQL a contact named by external id
alone is stored by one statement, otherwise through upsert_contact and the ORM; these
tests run on both databases and hold the two to the same results."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from npsloop.contacts.fields import ContactData
from npsloop.contacts.models import Contact
from npsloop.contacts.services import upsert_contact
from npsloop.errors import InvalidInput
from npsloop.events.models import Event, EventType
from npsloop.surveys.models import Response, Survey
from npsloop.surveys.payload import response_data
from npsloop.surveys.responses import ResponseData, record_response
from npsloop.surveys.rollups import count_responses, stored_rollups
from npsloop.workspaces.models import Workspace


def by_id(external_id: str) -> ContactData:
    return ContactData(external_id=external_id)


def test_a_new_contact_is_created_with_its_external_id_and_answers_once(
    workspace: Workspace, survey: Survey
) -> None:
    recorded = record_response(
        workspace, ResponseData(survey=survey, score=6, contact=by_id("new-1"), comment="slow")
    )
    assert recorded.created
    contact = Contact.objects.get(workspace=workspace, external_id="new-1")
    assert (contact.email, contact.name, contact.properties, contact.account_id) == (
        None,
        "",
        {},
        None,
    )
    stored = Response.objects.get()
    assert recorded.response.pk == stored.pk
    assert (stored.contact_id, stored.score, stored.category, stored.comment) == (
        contact.pk,
        6,
        "detractor",
        "slow",
    )
    assert recorded.response.contact is not None
    assert recorded.response.contact.pk == contact.pk
    assert stored_rollups(workspace) == count_responses(workspace)
    (event,) = Event.objects.all()
    assert event.type == EventType.RESPONSE_CREATED
    assert event.data == {"response": response_data(stored)}


def test_a_known_contacts_answer_carries_their_account_and_properties(
    workspace: Workspace, survey: Survey, ann: Contact
) -> None:
    recorded = record_response(
        workspace, ResponseData(survey=survey, score=9, contact=by_id("u-1"))
    )
    response = recorded.response
    assert response.contact == ann
    assert response.account is not None and response.account.external_id == "acme"
    assert response.properties == {"plan": "pro"}
    stored = Response.objects.get()
    assert (stored.contact_id, stored.account_id, stored.properties) == (
        ann.pk,
        ann.account_id,
        {"plan": "pro"},
    )
    assert Contact.objects.filter(workspace=workspace).count() == 1
    (event,) = Event.objects.all()
    assert event.data == {"response": response_data(stored)}
    assert event.data["response"]["account"] == "acme"


def test_a_historical_answer_keeps_its_time_and_day(workspace: Workspace, survey: Survey) -> None:
    answered = datetime(2024, 2, 1, 23, 30, tzinfo=UTC)
    workspace.time_zone = "Europe/Berlin"  # already 2 February there
    workspace.save()
    record_response(
        workspace,
        ResponseData(survey=survey, score=10, contact=by_id("old-1"), created_at=answered),
    )
    stored = Response.objects.get()
    assert stored.created_at == answered
    assert stored.updated_at > answered
    assert stored_rollups(workspace) == count_responses(workspace)
    [(key, _)] = stored_rollups(workspace).items()
    assert str(key[1]) == "2024-02-02"
    (event,) = Event.objects.all()
    assert event.data == {"response": response_data(stored)}


def test_a_key_is_kept_and_a_retry_returns_the_first_response(
    workspace: Workspace, survey: Survey, ann: Contact
) -> None:
    first = record_response(
        workspace, ResponseData(survey=survey, score=3, contact=by_id("u-1"), key="order-9")
    )
    again = record_response(
        workspace, ResponseData(survey=survey, score=3, contact=by_id("u-1"), key="order-9")
    )
    assert first.created and not again.created
    assert again.response.pk == first.response.pk
    assert Response.objects.get().key == "order-9"
    assert Event.objects.count() == 1


def test_a_key_used_for_another_answer_leaves_no_new_contact_behind(
    workspace: Workspace, survey: Survey, ann: Contact
) -> None:
    record_response(workspace, ResponseData(survey=survey, score=3, contact=by_id("u-1"), key="k"))
    with pytest.raises(InvalidInput) as error:
        record_response(
            workspace, ResponseData(survey=survey, score=3, contact=by_id("new-2"), key="k")
        )
    assert "already used for a different response" in error.value.errors["key"]
    assert not Contact.objects.filter(external_id="new-2").exists()
    assert Response.objects.count() == Event.objects.count() == 1


def test_every_bad_field_is_named_at_once_the_contacts_too(
    workspace: Workspace, survey: Survey
) -> None:
    with pytest.raises(InvalidInput) as error:
        record_response(
            workspace,
            ResponseData(
                survey=survey,
                score=11,
                contact=ContactData(external_id="u-5", email="not-an-email"),
                channel="fax",
            ),
        )
    assert set(error.value.errors) == {"score", "channel", "contact.email"}
    assert not Contact.objects.exists()
    assert not Response.objects.exists() and not Event.objects.exists()


def test_a_contact_with_fields_to_change_is_upserted(
    workspace: Workspace, survey: Survey, ann: Contact
) -> None:
    record_response(
        workspace,
        ResponseData(
            survey=survey,
            score=8,
            contact=ContactData(external_id="u-1", name="Ann Lee-Park", properties={"seats": 3}),
        ),
    )
    ann.refresh_from_db()
    assert ann.name == "Ann Lee-Park"
    assert Response.objects.get().properties == {"plan": "pro", "seats": 3}


def test_an_email_that_belongs_to_someone_else_is_named_on_the_contact(
    workspace: Workspace, survey: Survey, ann: Contact
) -> None:
    upsert_contact(workspace, ContactData(external_id="u-2"))
    with pytest.raises(InvalidInput) as error:
        record_response(
            workspace,
            ResponseData(
                survey=survey,
                score=8,
                contact=ContactData(external_id="u-2", email="ann@example.com"),
            ),
        )
    assert list(error.value.errors) == ["contact.email"]
    assert not Response.objects.exists()


def test_a_contact_of_another_workspace_is_never_found(
    workspace: Workspace, other_workspace: Workspace, survey: Survey, ann: Contact
) -> None:
    upsert_contact(other_workspace, ContactData(external_id="theirs", properties={"x": "y"}))
    record_response(workspace, ResponseData(survey=survey, score=5, contact=by_id("theirs")))
    mine = Contact.objects.get(workspace=workspace, external_id="theirs")
    assert Response.objects.get().contact_id == mine.pk
    assert Response.objects.get().properties == {}


def test_a_created_at_in_the_future_is_refused(workspace: Workspace, survey: Survey) -> None:
    later = timezone.now() + timedelta(hours=1)
    with pytest.raises(InvalidInput) as error:
        record_response(
            workspace, ResponseData(survey=survey, score=5, contact=by_id("x"), created_at=later)
        )
    assert list(error.value.errors) == ["created_at"]
    assert not Contact.objects.exists()
