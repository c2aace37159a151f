"""Asking contacts: who is scheduled, who is skipped and why."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from npsloop.contacts.fields import ContactData
from npsloop.contacts.models import Contact
from npsloop.contacts.services import upsert_contact
from npsloop.errors import InvalidInput
from npsloop.program.answers import unsubscribe
from npsloop.program.asks import ContactFilter, ask_contacts, ask_matching
from npsloop.program.models import AskStatus, SurveyRequest
from npsloop.surveys.configure import create_survey
from npsloop.surveys.models import Channel, Survey
from npsloop.surveys.responses import ResponseData, record_response
from npsloop.workspaces.models import Workspace


def contact(workspace: Workspace, external_id: str, **fields: object) -> Contact:
    email = fields.pop("email", f"{external_id}@example.com")
    data = ContactData(external_id=external_id, email=email, **fields)  # type: ignore[arg-type]
    return upsert_contact(workspace, data).contact


def reasons(report: object) -> dict[str, str]:
    return {s.contact: s.reason for s in report.skipped}  # type: ignore[attr-defined]


def test_it_schedules_contacts_named_by_external_id_or_email(
    workspace: Workspace, survey: Survey
) -> None:
    ann, bob = contact(workspace, "u-1"), contact(workspace, "u-2", email="Bob@Example.com")
    report = ask_contacts(survey, ["u-1", "BOB@example.com"])
    assert [ask.contact_id for ask in report.scheduled] == [ann.pk, bob.pk]
    assert report.skipped == []
    ask = SurveyRequest.objects.get(contact=ann)
    assert ask.status == AskStatus.SCHEDULED
    assert ask.channel == Channel.EMAIL
    assert len(ask.token) >= 20
    assert ask.due_at <= timezone.now()


def test_it_delays_the_ask(workspace: Workspace, survey: Survey) -> None:
    contact(workspace, "u-1")
    report = ask_contacts(survey, ["u-1"], delay=timedelta(hours=2))
    assert report.scheduled[0].due_at > timezone.now() + timedelta(minutes=119)


def test_it_skips_each_contact_with_its_reason(
    workspace: Workspace, survey: Survey, other_workspace: Workspace
) -> None:
    gone = contact(workspace, "gone")
    unsubscribe(gone, via="link")
    bounced = contact(workspace, "bounced")
    Contact.objects.filter(pk=bounced.pk).update(bounced_at=timezone.now())
    contact(workspace, "no-email", email=None)
    answered = contact(workspace, "answered")
    record_response(workspace, ResponseData(survey=survey, score=9, contact=answered))
    contact(workspace, "pending")
    ask_contacts(survey, ["pending"])
    contact(other_workspace, "theirs")
    contact(workspace, "fine")
    report = ask_contacts(
        survey,
        [
            "gone",
            "bounced",
            "no-email",
            "answered",
            "pending",
            "theirs",
            "nobody",
            "fine",
            "fine@example.com",
        ],
    )
    assert reasons(report) == {
        "gone": "unsubscribed",
        "bounced": "bounced",
        "no-email": "no email address",
        "answered": "cooldown",
        "pending": "already pending",
        "theirs": "unknown contact",
        "nobody": "unknown contact",
        "fine@example.com": "listed twice",
    }
    assert [ask.contact.external_id for ask in report.scheduled] == ["fine"]


def test_it_keeps_the_cooldown_across_surveys_and_lets_it_end(
    workspace: Workspace, survey: Survey
) -> None:
    other = create_survey(workspace, name="Onboarding", product_name="Acme")
    ann = contact(workspace, "u-1")
    ask = ask_contacts(survey, ["u-1"]).scheduled[0]
    SurveyRequest.objects.filter(pk=ask.pk).update(
        status=AskStatus.SENT, sent_at=timezone.now(), last_sent_at=timezone.now()
    )
    assert reasons(ask_contacts(other, ["u-1"])) == {"u-1": "cooldown"}
    with time_machine.travel(timezone.now() + timedelta(days=91)):
        assert [a.contact_id for a in ask_contacts(other, ["u-1"]).scheduled] == [ann.pk]


def test_a_survey_may_shorten_the_cooldown(workspace: Workspace, survey: Survey) -> None:
    ann = contact(workspace, "u-1")
    record_response(workspace, ResponseData(survey=survey, score=3, contact=ann))
    survey.cooldown_days = 10
    survey.save()
    assert reasons(ask_contacts(survey, ["u-1"])) == {"u-1": "cooldown"}
    with time_machine.travel(timezone.now() + timedelta(days=11)):
        assert len(ask_contacts(survey, ["u-1"]).scheduled) == 1


def test_the_database_refuses_a_second_scheduled_ask_for_a_contact(
    workspace: Workspace, survey: Survey, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two schedulers that both checked before either wrote: only one ask is stored."""
    ann = contact(workspace, "u-1")
    ask_contacts(survey, ["u-1"])
    # The rule check of a racing scheduler saw nothing pending yet.
    monkeypatch.setattr("npsloop.program.asks.skip_reasons", lambda *args, **kwargs: {})
    report = ask_contacts(survey, ["u-1"])
    assert report.scheduled == []
    assert reasons(report) == {"u-1": "already pending"}
    assert SurveyRequest.objects.filter(contact=ann).count() == 1


def test_it_asks_contacts_matching_a_filter(workspace: Workspace, survey: Survey) -> None:
    contact(workspace, "pro-1", properties={"plan": "pro"})
    contact(workspace, "pro-2", properties={"plan": "pro"}, account_external_id="acme")
    contact(workspace, "free", properties={"plan": "free"})
    report = ask_matching(survey, ContactFilter(properties={"plan": "pro"}))
    assert sorted(a.contact.external_id for a in report.scheduled) == ["pro-1", "pro-2"]
    SurveyRequest.objects.all().delete()
    report = ask_matching(survey, ContactFilter(properties={"plan": "pro"}, account="acme"))
    assert [a.contact.external_id for a in report.scheduled] == ["pro-2"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"channel": "sms"}, "channel"),
        ({"channel": "in-app"}, "channel"),
        ({"delay": timedelta(days=400)}, "delay"),
        ({"delay": timedelta(minutes=-1)}, "delay"),
    ],
)
def test_it_refuses_bad_asks(
    workspace: Workspace, survey: Survey, kwargs: dict[str, object], field: str
) -> None:
    contact(workspace, "u-1")
    with pytest.raises(InvalidInput) as caught:
        ask_contacts(survey, ["u-1"], **kwargs)  # type: ignore[arg-type]
    assert field in caught.value.errors
    assert not SurveyRequest.objects.exists()


def test_it_refuses_a_paused_survey_and_odd_names(workspace: Workspace, survey: Survey) -> None:
    contact(workspace, "u-1")
    with pytest.raises(InvalidInput) as caught:
        ask_matching(survey, ContactFilter(properties={"plan__contains": "x"}))
    assert "filter.properties.plan__contains" in caught.value.errors
    with pytest.raises(InvalidInput) as caught:
        ask_contacts(survey, ["u-1", ""])
    assert "contacts" in caught.value.errors
    survey.is_active = False
    with pytest.raises(InvalidInput) as caught:
        ask_contacts(survey, ["u-1"])
    assert caught.value.errors["survey"].startswith("is paused")


def test_unsubscribing_cancels_what_is_scheduled(workspace: Workspace, survey: Survey) -> None:
    ann = contact(workspace, "u-1")
    ask = ask_contacts(survey, ["u-1"]).scheduled[0]
    assert unsubscribe(ann, via="link") is True
    assert unsubscribe(ann, via="link") is False
    ask.refresh_from_db()
    assert ask.status == AskStatus.CANCELLED
    assert ask.error == "unsubscribed"
