"""What a failed send means: try later, give up, or nobody knows whether it left."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    """kind: sent, temporary (4xx: try again later), permanent (5xx: give up), unknown
    (the connection broke while the message was being handed over), skipped."""

    kind: str
    reason: str
    bounced: bool = False

    @property
    def connection_lost(self) -> bool:
        return self.kind == "unknown"


def classify(error: BaseException) -> Outcome:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()), (0, b""))
        return _by_code(code, text, "recipient refused", recipient=True)
    if isinstance(error, smtplib.SMTPResponseException):
        # SMTPSenderRefused, SMTPDataError and the rest: the server answered, so we know the
        # message was not accepted.
        return _by_code(error.smtp_code, error.smtp_error, "mail server refused the message")
    # The server stopped answering (disconnect, timeout, reset) somewhere in the exchange:
    # perhaps after it had taken the message. Sending again could deliver it twice.
    return Outcome(
        "unknown",
        f"the connection to the mail server broke while sending ({type(error).__name__}: "
        f"{error}); it may or may not have been delivered, so it is not sent again",
    )


def _by_code(code: int, text: bytes | str, what: str, *, recipient: bool = False) -> Outcome:
    message = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    reason = f"{what}: {code} {message}".strip()
    if 400 <= code < 500:
        return Outcome("temporary", reason)
    # 5.1.x: the address does not exist; mail to it would bounce again and again.
    bounced = recipient and (code in (550, 551, 553) or message.startswith("5.1."))
    return Outcome("permanent", reason, bounced=bounced)
