"""What an email service provider's refusal means, as django-anymail reports it: the same
outcomes as a mail server's SMTP replies."""

from __future__ import annotations

import sys

from npsloop.mail.outcome import Outcome, broken_handover, unreachable

PROVIDER = "email provider"
# Every email would be refused alike until an operator fixes the setting, so none is given
# up for it: the batch stops and waits.
REFUSED_CREDENTIALS = (401, 403)
BUSY = (408, 429)
LONGEST_DETAIL = 300


def provider_outcome(error: BaseException) -> Outcome | None:
    """The outcome of an error django-anymail raised; None for any other error."""
    # Not loaded means anymail sent nothing, so the error can't be one of its own.
    anymail = sys.modules.get("anymail.exceptions")
    if anymail is None:
        return None
    if isinstance(error, anymail.AnymailConfigurationError):
        return Outcome(
            "temporary", f"{PROVIDER} is not set up right: {_one_line(error)}", connection_lost=True
        )
    if not isinstance(error, anymail.AnymailError):
        return None
    if isinstance(error, anymail.AnymailRecipientsRefused):
        return _recipients_refused(error)
    if isinstance(
        error,
        anymail.AnymailInvalidAddress
        | anymail.AnymailUnsupportedFeature
        | anymail.AnymailSerializationError,
    ):
        return Outcome("permanent", f"{PROVIDER} can't take this message: {_one_line(error)}")
    status = getattr(error, "status_code", None)
    if status is not None:
        return _by_status(int(status), error)
    if _never_connected(error):
        return unreachable(error.__cause__ or error, PROVIDER)
    return broken_handover(error.__cause__ or error, PROVIDER)


def _by_status(status: int, error: BaseException) -> Outcome:
    detail = _response_text(error)
    reason = f"{PROVIDER} refused the message: HTTP {status}" + (f": {detail}" if detail else "")
    if status in REFUSED_CREDENTIALS:
        return Outcome("temporary", reason, connection_lost=True)
    if status in BUSY or status >= 500:
        return Outcome("temporary", reason)
    if 400 <= status < 500:
        return Outcome("permanent", reason)
    # A success status whose answer made no sense: the provider may well have taken it.
    return broken_handover(error, PROVIDER)


def _recipients_refused(error: BaseException) -> Outcome:
    message = getattr(error, "email_message", None)
    status = getattr(message, "anymail_status", None)
    recipients = getattr(status, "recipients", None) or {}
    refused = {address: str(each.status) for address, each in recipients.items()}
    named = ", ".join(f"{address} ({state})" for address, state in refused.items())
    return Outcome(
        "permanent",
        f"{PROVIDER} refused the recipient: {named or _one_line(error)}",
        # "rejected": the provider's suppression list (an earlier hard bounce or complaint);
        # "invalid": an address it can't deliver to at all.
        bounced=any(state in ("rejected", "invalid") for state in refused.values()),
    )


def _never_connected(error: BaseException) -> bool:
    """requests says the connection was never made (refused, unresolvable, timed out while
    connecting), so the request was never sent."""
    import requests
    import urllib3

    if isinstance(error, requests.exceptions.ConnectTimeout):
        return True
    cause = error.__cause__
    first = cause.args[0] if cause is not None and cause.args else None
    return isinstance(getattr(first, "reason", None), urllib3.exceptions.NewConnectionError)


def _response_text(error: BaseException) -> str:
    response = getattr(error, "response", None)
    text = getattr(response, "text", "") or ""
    return _shorten(" ".join(str(text).split()))


def _one_line(error: BaseException) -> str:
    return _shorten(" ".join(str(error).split()) or type(error).__name__)


def _shorten(text: str) -> str:
    return text if len(text) <= LONGEST_DETAIL else text[: LONGEST_DETAIL - 1] + "…"
