"""The one way email leaves npsloop: `send(message)` for one email, `session()` for many over
one connection. Each send answers with an Outcome (outcome.py); what to do with it (retry,
give up, tell someone) is the caller's policy.

    with transport.session() as mail:
        for message in messages:
            outcome = mail.send(message)
            if outcome.connection_lost:
                break  # the rest wait for the next run

It sends through Django's configured email backend (SMTP, or a provider through
django-anymail), so tests and the console backend work alike.
"""

from __future__ import annotations

import contextlib
import select
import smtplib
from collections.abc import Iterator

from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend

from npsloop.mail.outcome import SENT, Outcome, classify, unreachable

__all__ = ["Outcome", "Session", "send", "session"]


class Session:
    """One mail connection used for many messages: opened at the first send (or `connect`),
    opened again once when the server hung up on it while it was idle."""

    def __init__(self) -> None:
        self._backend: BaseEmailBackend = get_connection(fail_silently=False)
        self._open = False

    def connect(self) -> Outcome | None:
        """Make sure there is a live connection; None when there is, else the outcome saying
        why the server can't be reached (nothing was sent)."""
        if self._open and not _hung_up(self._backend):
            return None
        self.close()
        try:
            self._backend.open()
        except (OSError, smtplib.SMTPException) as error:
            self.close()  # a login or TLS refusal leaves a half-open connection behind
            return unreachable(error)
        self._open = True
        return None

    def send(self, message: EmailMessage) -> Outcome:
        """Hand one message over; never raises for a failure of the mail server or provider."""
        if (failure := self.connect()) is not None:
            return failure
        try:
            sent = self._backend.send_messages([message])
        except Exception as error:  # every failure is classified, none escapes
            outcome = classify(error)
        else:
            outcome = _sent(message) if sent else _not_sent(message)
        if outcome.connection_lost:
            self.close()
        return outcome

    def close(self) -> None:
        self._open = False
        # A connection the server already dropped can fail to say goodbye; that's fine.
        with contextlib.suppress(OSError, smtplib.SMTPException):
            self._backend.close()


@contextlib.contextmanager
def session() -> Iterator[Session]:
    mail = Session()
    try:
        yield mail
    finally:
        mail.close()


def send(message: EmailMessage) -> Outcome:
    """Send one email on a connection of its own."""
    with session() as mail:
        return mail.send(message)


def _hung_up(backend: BaseEmailBackend) -> bool:
    """Whether the SMTP server closed this idle connection (a relay's idle timeout, a restart,
    or a 421 after which smtplib closed it). Asked before each message without a round trip:
    an idle SMTP connection has nothing to read unless the server said goodbye or hung up.
    Sending on it would fail in a way that can't be told from a connection broken while the
    message was being handed over. Other backends (providers' HTTP clients) reconnect by
    themselves."""
    smtp = getattr(backend, "connection", None)
    if not isinstance(smtp, smtplib.SMTP):
        return False
    if smtp.sock is None:
        return True
    readable, _, _ = select.select([smtp.sock], [], [], 0)
    return bool(readable)


def _sent(message: EmailMessage) -> Outcome:
    status = getattr(message, "anymail_status", None)
    provider_id = getattr(status, "message_id", None)
    if provider_id is None:
        return SENT
    return Outcome("sent", provider_message_id=str(provider_id))


def _not_sent(message: EmailMessage) -> Outcome:
    # Django's backends skip a message without recipients; anymail also one its pre_send
    # signal cancelled.
    if not message.recipients():
        return Outcome("permanent", "the email has no recipients")
    return Outcome("permanent", "the email backend did not send it (cancelled before sending)")
