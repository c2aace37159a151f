"""Survey emails sent through an email service provider (django-anymail's Postmark client,
against a server on loopback): the provider's answers move the asks as a mail server's do."""

from __future__ import annotations

from provider_fixtures import Provider

from npsloop.channels.email.dispatch import send_due_asks
from npsloop.contacts.fields import ContactData
from npsloop.contacts.models import Contact
from npsloop.contacts.services import upsert_contacts
from npsloop.program.asks import ask_contacts
from npsloop.program.models import AskStatus, SurveyRequest
from npsloop.surveys.models import Survey
from npsloop.workspaces.models import Workspace

INACTIVE = (
    "You tried to send to recipient(s) that have been marked as inactive.\n"
    "Found inactive addresses: ann@example.com.\n"
    "Inactive recipients are ones that have generated a hard bounce or a spam complaint. "
)


def test_a_busy_provider_is_tried_again_later(provider: Provider, ask: SurveyRequest) -> None:
    provider.reply = (503, {"ErrorCode": 0, "Message": "Service unavailable"})
    assert send_due_asks().deferred == 1
    ask.refresh_from_db()
    assert (ask.status, ask.attempts) == (AskStatus.SCHEDULED, 1)
    assert "HTTP 503" in ask.error


def test_an_address_the_provider_refuses_fails_the_ask_and_bounces_the_contact(
    provider: Provider, ask: SurveyRequest, ann: Contact
) -> None:
    provider.reply = (422, {"ErrorCode": 406, "Message": INACTIVE})
    assert send_due_asks().failed == 1
    ask.refresh_from_db()
    assert ask.status == AskStatus.FAILED
    ann.refresh_from_db()
    assert ann.bounced_at is not None


def test_an_unreachable_provider_stops_the_batch_and_its_asks_wait(
    provider: Provider, workspace: Workspace, survey: Survey
) -> None:
    upsert_contacts(
        workspace, [ContactData(external_id=f"c{n}", email=f"c{n}@example.com") for n in range(2)]
    )
    ask_contacts(survey, ["c0", "c1"])
    provider.stop()
    report = send_due_asks()
    assert (report.deferred, report.unknown, report.sent) == (2, 0, 0)
    asks = SurveyRequest.objects.order_by("due_at", "pk")
    assert {ask.status for ask in asks} == {AskStatus.SCHEDULED}
    assert sorted(ask.attempts for ask in asks) == [0, 1]
