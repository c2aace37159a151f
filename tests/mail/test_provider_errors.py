"""An email service provider's answers (through django-anymail's Postmark client, against a
server on loopback) get the same outcomes as a mail server's."""

from __future__ import annotations

from django.core.mail import EmailMessage
from provider_fixtures import Provider

from npsloop.mail import transport

ANN = "ann@example.com"
INACTIVE = (
    "You tried to send to recipient(s) that have been marked as inactive.\n"
    f"Found inactive addresses: {ANN}.\n"
    "Inactive recipients are ones that have generated a hard bounce or a spam complaint. "
)


def message(to: str = ANN) -> EmailMessage:
    return EmailMessage("Hello", "Body", "npsloop@example.com", [to])


def test_an_accepted_message_is_sent_with_the_providers_id(provider: Provider) -> None:
    outcome = transport.send(message())
    assert (outcome.kind, outcome.provider_message_id) == ("sent", "pm-1")
    assert provider.received[0]["To"] == ANN


def test_an_address_the_provider_refuses_is_permanent_and_bounced(provider: Provider) -> None:
    provider.reply = (422, {"ErrorCode": 406, "Message": INACTIVE})
    outcome = transport.send(message())
    assert (outcome.kind, outcome.bounced, outcome.connection_lost) == ("permanent", True, False)
    assert outcome.reason == f"email provider refused the recipient: {ANN} (rejected)"


def test_a_message_the_provider_refuses_is_permanent(provider: Provider) -> None:
    provider.reply = (422, {"ErrorCode": 300, "Message": "Invalid 'From' address: 'x'."})
    outcome = transport.send(message())
    assert (outcome.kind, outcome.bounced, outcome.connection_lost) == ("permanent", False, False)
    assert outcome.reason.startswith("email provider refused the message: HTTP 422")
    assert "Invalid 'From' address" in outcome.reason


def test_a_busy_or_failing_provider_is_temporary(provider: Provider) -> None:
    for status in (429, 500, 503):
        provider.reply = (status, {"ErrorCode": 0, "Message": "try later"})
        outcome = transport.send(message())
        assert (outcome.kind, outcome.bounced, outcome.connection_lost) == (
            "temporary",
            False,
            False,
        ), status
        assert outcome.reason.startswith(f"email provider refused the message: HTTP {status}")


def test_refused_credentials_are_temporary_and_stop_the_batch(provider: Provider) -> None:
    """Every email would be refused the same way until the setting is fixed: none is given
    up for it."""
    provider.reply = (401, {"ErrorCode": 10, "Message": "Bad or missing API token"})
    outcome = transport.send(message())
    assert (outcome.kind, outcome.connection_lost) == ("temporary", True)
    assert "HTTP 401" in outcome.reason


def test_a_provider_that_hangs_up_after_the_request_is_unknown(provider: Provider) -> None:
    provider.hang_up = True
    outcome = transport.send(message())
    assert (outcome.kind, outcome.connection_lost) == ("unknown", True)
    assert "may or may not have been delivered" in outcome.reason


def test_a_provider_that_cannot_be_reached_is_temporary(provider: Provider) -> None:
    provider.stop()
    outcome = transport.send(message())
    assert (outcome.kind, outcome.connection_lost) == ("temporary", True)
    assert outcome.reason.startswith("email provider unreachable: ")


def test_a_batch_reports_each_message(provider: Provider) -> None:
    with transport.session() as mail:
        outcomes = [mail.send(message(f"p{n}@example.com")) for n in range(3)]
    assert [outcome.provider_message_id for outcome in outcomes] == ["pm-1", "pm-2", "pm-3"]
