"""Replying to the person behind a case by email: the owner of case.replied.

The reply goes through the one email transport from the replying member's name, with
Reply-To their own address (so the person's answer reaches them, not npsloop), and in the
thread of the survey email the answer came from. Only a reply the mail server took is
recorded, by loop/cases.py `replied`: it marks the case contacted (when its status allows),
writes a `replied` line of the history and a case.replied event. A reply that did not leave
changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import formataddr, make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage

from npsloop.contacts.consent import Via, mark_bounced
from npsloop.contacts.models import Contact
from npsloop.errors import InvalidInput
from npsloop.loop.cases import Actor, StaleCase, replied
from npsloop.loop.models import Case
from npsloop.mail import transport
from npsloop.mail.outcome import Outcome
from npsloop.program.models import SurveyRequest
from npsloop.workspaces.models import Member

MAX_SUBJECT = 200
MAX_BODY = 20_000


class ReplyNotSent(Exception):
    """The mail server or provider did not take the reply; nothing about the case changed.
    (An address the server refused is marked bounced on the contact, as a survey email's
    would be, so surveys stop going to it.)"""

    def __init__(self, outcome: Outcome, address: str) -> None:
        self.outcome = outcome
        if outcome.bounced:
            text = f"{address} bounced: {outcome.reason}. The reply was not sent."
        elif outcome.kind == "unknown":
            text = (
                f"{outcome.reason}. Check with the person before replying again; "
                "the case was not changed."
            )
        elif outcome.kind == "temporary":
            text = f"The reply was not sent ({outcome.reason}); try again in a few minutes."
        else:
            text = f"The reply was not sent: {outcome.reason}."
        super().__init__(text)


@dataclass(frozen=True)
class Reachable:
    """Whether the case's person can be written to, and what the replier should know."""

    address: str
    why_not: str = ""
    warning: str = ""


def reachable(case: Case) -> Reachable:
    contact: Contact | None = case.contact
    if contact is None:
        return Reachable("", why_not="nobody is known behind this answer (anonymous or erased)")
    if not contact.email:
        return Reachable("", why_not="this person has no email address")
    if case.response.erased_at is not None:
        return Reachable("", why_not="this person's data was erased")
    warning = ""
    if contact.bounced_at is not None:
        warning = f"mail to {contact.email} bounced on {contact.bounced_at:%d %b %Y}"
    elif contact.unsubscribed_at is not None:
        warning = (
            "this person unsubscribed from surveys; a personal reply to their own feedback "
            "is still allowed, but keep it to their feedback"
        )
    return Reachable(contact.email, warning=warning)


def draft(case: Case, member: Member) -> tuple[str, str]:
    """The subject and text a reply starts from: a greeting with the person's first name,
    their comment quoted, the member's name to sign with."""
    response = case.response
    product = response.survey.product_name or case.workspace.name
    contact = case.contact
    first_name = (contact.name or "").split(" ")[0] if contact else ""
    lines = [f"Hi {first_name}," if first_name else "Hello,", ""]
    comment = response.comment.strip()
    if comment:
        lines += ["Thank you for your feedback on " + product + ". You wrote:", ""]
        lines += ["> " + line if line else ">" for line in comment.splitlines()]
    else:
        lines.append(f"Thank you for your answer to our survey about {product}.")
    user = member.user
    lines += ["", "", "", "Best regards,", user.get_full_name() or user.get_username()]
    return f"Your feedback on {product}", "\n".join(lines)


def survey_ask(case: Case) -> SurveyRequest | None:
    """The ask whose email collected the answer, when it was an email with a Message-ID."""
    return (
        SurveyRequest.objects.filter(response_id=case.response_id)
        .exclude(message_id="")
        .select_related("survey")
        .first()
    )


def compose(case: Case, member: Member, subject: str, body: str, to: str) -> EmailMessage:
    """From the member's name at the survey's sender address (the address the person saw
    the survey come from), Reply-To the member, threaded under the survey email."""
    survey = case.response.survey
    address = survey.sender_email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    user = member.user
    name = user.get_full_name() or user.get_username()
    headers = {"Message-ID": make_msgid(domain=address.rpartition("@")[2] or "npsloop.local")}
    ask = survey_ask(case)
    if ask is not None:
        headers["In-Reply-To"] = ask.message_id
        headers["References"] = ask.message_id
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=formataddr((name, address)),
        to=[to],
        reply_to=[user.email] if user.email else None,
        headers=headers,
    )


def reply(
    case: Case, *, member: Member, subject: object, body: object, version: int | None = None
) -> Case:
    """Send the reply, then record it; ReplyNotSent when it did not leave, StaleCase when
    the case changed since the replier saw it (nothing is sent then)."""
    if member.workspace_id != case.workspace_id:
        raise InvalidInput({"member": "must be a member of the case's workspace"})
    errors: dict[str, str] = {}
    if not isinstance(subject, str) or not subject.strip():
        errors["subject"] = "must be the email's subject, not empty"
    elif len(subject) > MAX_SUBJECT or "\n" in subject or "\r" in subject:
        errors["subject"] = f"must be one line of at most {MAX_SUBJECT} characters"
    if not isinstance(body, str) or not body.strip():
        errors["body"] = "must be the email's text, not empty"
    elif len(body) > MAX_BODY:
        errors["body"] = f"must be at most {MAX_BODY:,} characters, got {len(body):,}"
    to = reachable(case)
    if to.why_not:
        errors["to"] = f"can't reply by email: {to.why_not}"
    if errors:
        raise InvalidInput(errors)
    assert isinstance(subject, str) and isinstance(body, str)
    current = Case.objects.get(pk=case.pk)
    if version is not None and version != current.version:
        raise StaleCase(current)
    message = compose(current, member, subject.strip(), body, to.address)
    outcome = transport.send(message)
    if outcome.kind != "sent":
        if outcome.bounced and current.contact is not None:
            mark_bounced([current.contact], via=Via.SENDING)
        raise ReplyNotSent(outcome, to.address)
    return replied(
        current,
        by=Actor.of(member.user),
        to=to.address,
        subject=str(message.subject),
        body=str(message.body),
        message_id=message.extra_headers["Message-ID"],
    )
