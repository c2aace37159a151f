"""The one way email leaves npsloop: every kind of email npsloop sends gets the same outcome
for the same answer of a real SMTP server on loopback."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from pytest_django.fixtures import Settings

from bench.smtp_sink import SmtpSink
from npsloop.channels.email.message import compose as compose_survey_email
from npsloop.contacts.fields import ContactData
from npsloop.contacts.services import upsert_contact
from npsloop.insights.digest import compose as compose_digest
from npsloop.insights.digest import week_digest
from npsloop.mail import transport
from npsloop.program.asks import ask_contacts
from npsloop.surveys.models import Survey
from npsloop.workspaces.membership import add_member
from npsloop.workspaces.models import Workspace

ANN = "ann@example.com"
Compose = Callable[[str], EmailMessage]


@pytest.fixture(autouse=True)
def _links(settings: Settings) -> None:
    settings.BASE_URL = "http://testserver"


@pytest.fixture(params=["survey email", "digest", "invitation"])
def compose(request: pytest.FixtureRequest, workspace: Workspace, survey: Survey) -> Compose:
    """Builds the kind of email under test for an address, the way its sender does."""
    kind = request.param

    def survey_email(address: str) -> EmailMessage:
        upsert_contact(workspace, ContactData(external_id=address, email=address))
        (ask,) = ask_contacts(survey, [address]).scheduled
        return compose_survey_email(ask)

    def digest(address: str) -> EmailMessage:
        user = get_user_model().objects.create_user(address, email=address)
        member = add_member(workspace, user, "viewer")
        return compose_digest(week_digest(workspace, date(2026, 11, 16)), member)

    def invitation(address: str) -> EmailMessage:
        return EmailMessage(
            "You have been added to Acme Cloud on npsloop",
            "Choose your password here: http://testserver/reset/x/y/",
            None,
            [address],
        )

    return {"survey email": survey_email, "digest": digest, "invitation": invitation}[kind]


def test_a_message_the_server_takes_is_sent(smtp_sink: SmtpSink, compose: Compose) -> None:
    message = compose(ANN)
    outcome = transport.send(message)
    assert (outcome.kind, outcome.reason, outcome.connection_lost) == ("sent", "", False)
    (received,) = smtp_sink.wait_for(1)
    assert received.rcpt_tos == [ANN]
    assert received.message["Subject"] == message.subject


def test_a_refused_address_is_permanent_and_bounced(smtp_sink: SmtpSink, compose: Compose) -> None:
    smtp_sink.fail_recipients = {ANN: "550 5.1.1 No such user"}
    outcome = transport.send(compose(ANN))
    assert (outcome.kind, outcome.bounced, outcome.connection_lost) == ("permanent", True, False)
    assert outcome.reason == "recipient refused: 550 5.1.1 No such user"


def test_a_full_mailbox_is_temporary(smtp_sink: SmtpSink, compose: Compose) -> None:
    smtp_sink.fail_recipients = {ANN: "452 4.2.2 Mailbox full"}
    outcome = transport.send(compose(ANN))
    assert (outcome.kind, outcome.bounced, outcome.connection_lost) == ("temporary", False, False)
    assert outcome.reason == "recipient refused: 452 4.2.2 Mailbox full"


def test_try_again_later_is_temporary(smtp_sink: SmtpSink, compose: Compose) -> None:
    smtp_sink.mode = "tempfail"
    outcome = transport.send(compose(ANN))
    assert (outcome.kind, outcome.bounced, outcome.connection_lost) == ("temporary", False, False)
    assert outcome.reason == "mail server refused the message: 451 4.3.0 Try again later"


def test_a_connection_broken_during_the_handover_is_unknown(
    smtp_sink: SmtpSink, compose: Compose
) -> None:
    smtp_sink.mode = "drop"
    outcome = transport.send(compose(ANN))
    assert (outcome.kind, outcome.connection_lost) == ("unknown", True)
    assert "may or may not have been delivered" in outcome.reason


def test_a_stopped_server_is_temporary_and_unreachable(
    smtp_sink: SmtpSink, compose: Compose
) -> None:
    message = compose(ANN)
    smtp_sink.stop()
    outcome = transport.send(message)
    assert (outcome.kind, outcome.connection_lost) == ("temporary", True)
    assert outcome.reason.startswith("mail server unreachable: ")


def test_a_batch_goes_over_one_connection(smtp_sink: SmtpSink, compose: Compose) -> None:
    messages = [compose(f"p{n}@example.com") for n in range(20)]
    with transport.session() as mail:
        outcomes = [mail.send(message) for message in messages]
    assert {outcome.kind for outcome in outcomes} == {"sent"}
    assert smtp_sink.count == 20
    assert smtp_sink.connections == 1


def test_a_refusal_leaves_the_connection_to_the_rest_of_the_batch(
    smtp_sink: SmtpSink, compose: Compose
) -> None:
    smtp_sink.fail_recipients = {ANN: "550 5.1.1 No such user"}
    with transport.session() as mail:
        kinds = [mail.send(compose(address)).kind for address in (ANN, "bo@example.com")]
    assert kinds == ["permanent", "sent"]
    assert [received.rcpt_tos for received in smtp_sink.messages] == [["bo@example.com"]]
    assert smtp_sink.connections == 1


def test_it_reconnects_once_when_the_server_hung_up_on_an_idle_connection(
    smtp_sink: SmtpSink, compose: Compose
) -> None:
    first, second = compose(ANN), compose("bo@example.com")
    with transport.session() as mail:
        assert mail.send(first).kind == "sent"
        smtp_sink.stop()  # hangs up on the open session, as a relay's idle timeout does
        smtp_sink.start()
        outcome = mail.send(second)
    assert (outcome.kind, outcome.connection_lost) == ("sent", False)
    assert [received.rcpt_tos for received in smtp_sink.messages] == [[ANN], ["bo@example.com"]]
    assert smtp_sink.connections == 1  # counted since the restart: the one reconnection


def test_a_server_that_hung_up_and_is_gone_is_unreachable(
    smtp_sink: SmtpSink, compose: Compose
) -> None:
    first, second = compose(ANN), compose("bo@example.com")
    with transport.session() as mail:
        assert mail.send(first).kind == "sent"
        smtp_sink.stop()
        outcome = mail.send(second)
    assert (outcome.kind, outcome.connection_lost) == ("temporary", True)
    assert outcome.reason.startswith("mail server unreachable: ")


def test_it_reconnects_after_the_server_closed_with_421(
    smtp_sink: SmtpSink, compose: Compose
) -> None:
    """A 421 ends the SMTP session (smtplib closes it); the next message needs a new one."""
    smtp_sink.fail_recipients = {ANN: "421 4.3.2 Shutting down"}
    first, second = compose(ANN), compose("bo@example.com")
    with transport.session() as mail:
        refused = mail.send(first)
        outcome = mail.send(second)
    assert (refused.kind, refused.connection_lost) == ("temporary", False)
    assert outcome.kind == "sent"
    assert [received.rcpt_tos for received in smtp_sink.messages] == [["bo@example.com"]]


def test_after_a_broken_handover_the_next_message_gets_a_new_connection(
    smtp_sink: SmtpSink, compose: Compose
) -> None:
    first, second = compose(ANN), compose("bo@example.com")
    with transport.session() as mail:
        smtp_sink.mode = "drop"
        assert mail.send(first).kind == "unknown"
        smtp_sink.mode = "accept"
        assert mail.send(second).kind == "sent"
    assert smtp_sink.connections == 2


def test_connect_says_why_the_server_cannot_be_reached(smtp_sink: SmtpSink) -> None:
    smtp_sink.stop()
    with transport.session() as mail:
        failure = mail.connect()
    assert failure is not None
    assert (failure.kind, failure.connection_lost) == ("temporary", True)
    assert failure.reason.startswith("mail server unreachable: ")
