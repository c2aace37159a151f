"""The survey email: the 0-10 scale inside it, localized, with one-click unsubscribe."""

from __future__ import annotations

from email.utils import formataddr, make_msgid, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from npsloop.program.models import SurveyRequest
from npsloop.surveys import texts
from npsloop.surveys.models import Survey


class Properties:
    """Lets `{contact.plan}` or `{account.tier}` fill in a text; a property the contact
    doesn't have reads as empty rather than breaking the email."""

    def __init__(self, properties: dict[str, object]) -> None:
        self._properties = properties

    def __getattr__(self, name: str) -> object:
        value = self._properties.get(name)
        return "" if value is None else value

    def __format__(self, spec: str) -> str:
        return ""


def score_url(ask: SurveyRequest, score: int) -> str:
    return settings.BASE_URL + reverse("ask-score", args=[ask.token, score])


def unsubscribe_url(ask: SurveyRequest) -> str:
    return settings.BASE_URL + reverse("ask-unsubscribe", args=[ask.token])


def decoy_url(ask: SurveyRequest) -> str:
    """The link in the email that no person can see or reach: whatever follows it is a
    link scanner (channels.email.scanners)."""
    return settings.BASE_URL + reverse("ask-decoy", args=[ask.token])


def merge_fields(ask: SurveyRequest) -> dict[str, Any]:
    contact = ask.person
    account = contact.account
    return {
        "product": ask.survey.product_name,
        "name": contact.name or "",
        "first_name": (contact.name or "").split(" ")[0],
        "email": contact.email or "",
        "company": account.name if account else "",
        "contact": Properties(contact.properties),
        "account": Properties(account.properties if account else {}),
    }


def email_context(ask: SurveyRequest, *, reminder: bool = False) -> dict[str, Any]:
    """Everything the email templates show, in the contact's language. The settings
    page's live preview renders the same context."""
    survey = ask.survey
    language = texts.resolve_language(ask.person.locale, survey.language)
    fields = merge_fields(ask)

    def say(key: str) -> str:
        return texts.text(language, key, survey.texts, **fields)

    greeting = say("email_greeting") if ask.person.name else say("email_greeting_anonymous")
    return {
        "language": language,
        "direction": texts.direction(language),
        "subject": say("reminder_subject" if reminder else "email_subject"),
        "greeting": greeting,
        "intro": say("email_intro"),
        "question": question_text(survey, language, fields),
        "low_label": say("low_label"),
        "high_label": say("high_label"),
        "scores": [(score, score_url(ask, score)) for score in range(11)],
        "signature": say("email_signature"),
        "sender_name": survey.sender_name or ask.workspace.name,
        "unsubscribe_label": say("unsubscribe_link"),
        "unsubscribe_url": unsubscribe_url(ask),
        "decoy_url": decoy_url(ask),
    }


def question_text(survey: Survey, language: str, fields: dict[str, Any]) -> str:
    """The survey's own question (its language only), else the standard one."""
    if survey.question and language == survey.language:
        return survey.question
    return texts.text(language, "question", survey.texts, **fields)


def compose(ask: SurveyRequest, *, reminder: bool = False) -> EmailMultiAlternatives:
    context = email_context(ask, reminder=reminder)
    survey = ask.survey
    default_name, default_address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    address = survey.sender_email or default_address
    sender = formataddr((survey.sender_name or default_name, address))
    headers = {
        "Message-ID": make_msgid(domain=address.rpartition("@")[2] or "npsloop.local"),
        # RFC 8058: mail clients show an unsubscribe button that POSTs to this URL.
        "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    }
    if reminder and ask.message_id:
        headers["In-Reply-To"] = ask.message_id
        headers["References"] = ask.message_id
    message = EmailMultiAlternatives(
        subject=context["subject"],
        body=render_to_string("email/ask.txt", context),
        from_email=sender,
        to=[str(ask.person.email)],
        reply_to=[survey.reply_to] if survey.reply_to else None,
        headers=headers,
    )
    message.attach_alternative(render_to_string("email/ask.html", context), "text/html")
    return message
