"""What became of one email: sent, try later, give up, or nobody knows whether it left."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from typing import Literal

Kind = Literal["sent", "temporary", "permanent", "unknown"]


@dataclass(frozen=True)
class Outcome:
    """kind: sent (the server or provider took it), temporary (try again later), permanent
    (it would be refused again: give up), unknown (the connection broke while the message was
    being handed over, so it may have been delivered: never send it again).

    bounced: the address itself was refused, so mail to it will bounce again.
    connection_lost: the rest of a batch can't go now (the connection broke, or the server
    can't be reached); the caller stops and leaves them for a later run.
    """

    kind: Kind
    reason: str = ""
    bounced: bool = False
    connection_lost: bool = False
    provider_message_id: str = ""


SENT = Outcome("sent")


def unreachable(error: BaseException, what: str = "mail server") -> Outcome:
    """No connection could be made: nothing was handed over, so it is safe to try later."""
    return Outcome("temporary", f"{what} unreachable: {_describe(error)}", connection_lost=True)


def broken_handover(error: BaseException, what: str = "mail server") -> Outcome:
    # The server stopped answering (disconnect, timeout, reset) somewhere in the exchange:
    # perhaps after it had taken the message. Sending again could deliver it twice.
    return Outcome(
        "unknown",
        f"the connection to the {what} broke while sending ({_describe(error)}); "
        "it may or may not have been delivered, so it is not sent again",
        connection_lost=True,
    )


def classify(error: BaseException) -> Outcome:
    """The outcome of a send that raised `error`: SMTP replies by their code, an email
    provider's errors by what django-anymail says, anything else as a broken handover."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()), (0, b""))
        return by_code(code, text, "recipient refused", recipient=True)
    if isinstance(error, smtplib.SMTPResponseException):
        # SMTPSenderRefused, SMTPDataError and the rest: the server answered, so we know the
        # message was not accepted.
        return by_code(error.smtp_code, error.smtp_error, "mail server refused the message")
    # Imported here: providers.py builds its outcomes with this module's helpers.
    from npsloop.mail.providers import provider_outcome

    return provider_outcome(error) or broken_handover(error)


def by_code(code: int, text: bytes | str, what: str, *, recipient: bool = False) -> Outcome:
    """An SMTP reply code: 4xx is temporary, 5xx permanent; a refused address bounced."""
    message = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    reason = f"{what}: {code} {message}".strip()
    if 400 <= code < 500:
        return Outcome("temporary", reason)
    # 5.1.x: the address does not exist; mail to it would bounce again and again.
    bounced = recipient and (code in (550, 551, 553) or message.startswith("5.1."))
    return Outcome("permanent", reason, bounced=bounced)


def _describe(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
