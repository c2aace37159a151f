"""Reading the survey settings form into the changes `update_survey` understands."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import QueryDict

from npsloop.surveys import texts
from npsloop.surveys.models import Survey

PLAIN = (
    "name",
    "product_name",
    "question",
    "sender_name",
    "sender_email",
    "reply_to",
    "cta_url",
    "widget_event",
)
CHOICES = ("language", "cta_audience", "widget_position")
NUMBERS = (
    "cooldown_days",
    "reminders",
    "reminder_days",
    "edit_days",
    "dismiss_days",
    "widget_returns",
)
# The wording a team usually changes, in the order the form shows it, with its label.
WORDING = {
    "email_subject": "Email subject",
    "email_intro": "Email intro",
    "reminder_subject": "Reminder subject",
    "followup_promoter": "Follow-up question for promoters",
    "followup_passive": "Follow-up question for passives",
    "followup_detractor": "Follow-up question for detractors",
    "thanks_promoter": "Thank-you for promoters",
    "thanks_passive": "Thank-you for passives",
    "thanks_detractor": "Thank-you for detractors",
    "cta_label": "Call-to-action button",
    "low_label": "Low end of the scale (0)",
    "high_label": "High end of the scale (10)",
}
QUESTION_ROWS = 10
TARGETING_ROWS = 5


def read_form(survey: Survey, form: QueryDict) -> tuple[dict[str, Any], dict[str, str]]:
    """The changes the form asks for, and what is wrong with fields that are not even of
    the right kind (a number field holding letters)."""
    changes: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in (*PLAIN, *CHOICES):
        if name in form:
            changes[name] = form.get(name, "")
    for name in NUMBERS:
        if name not in form:
            continue
        value = form.get(name, "").strip()
        if value == "" and name == "cooldown_days":
            changes[name] = None
        elif value.lstrip("-").isdigit():
            changes[name] = int(value)
        else:
            errors[name] = f"must be a whole number, got {value!r}"
    changes["is_active"] = form.get("is_active") == "on"
    changes["in_app"] = form.get("in_app") == "on"
    if "targeting_rows" in form:
        changes["targeting"] = _targeting(form, errors)
    language = form.get("wording_language", survey.language)
    if language in texts.LANGUAGES:
        changes["texts"] = _wording(survey.texts, language, form)
        changes["extra_questions"] = _questions(survey, language, form)
    return changes, errors


def _targeting(form: QueryDict, errors: dict[str, str]) -> dict[str, Any]:
    """The rule builder's rows: property = value, accounts, minimum tenure. Values that read
    as whole numbers or true/false are compared as such; anything else as text."""
    rules: dict[str, Any] = {}
    properties: dict[str, object] = {}
    for row in range(TARGETING_ROWS):
        name = form.get(f"t_prop{row}", "").strip()
        value = form.get(f"t_value{row}", "").strip()
        if name or value:
            if not name:
                errors[f"targeting.{row}"] = "a value needs the property it is for"
            properties[name] = _typed(value)
    if properties:
        rules["properties"] = properties
    accounts = [a.strip() for a in form.get("t_accounts", "").split(",") if a.strip()]
    if accounts:
        rules["accounts"] = accounts
    tenure = form.get("t_min_tenure", "").strip()
    if tenure:
        if tenure.isdigit():
            rules["min_tenure_days"] = int(tenure)
        else:
            errors["targeting.min_tenure_days"] = f"must be a whole number of days, got {tenure!r}"
    return rules


def _typed(value: str) -> object:
    if value.lstrip("-").isdigit():
        return int(value)
    if value in ("true", "false"):
        return value == "true"
    return value


def _wording(current: Mapping[str, Any], language: str, form: QueryDict) -> dict[str, Any]:
    updated = {lang: dict(words) for lang, words in current.items() if isinstance(words, dict)}
    mine = updated.get(language, {})
    for key in WORDING:
        value = form.get(f"text_{key}", "").strip()
        if value:
            mine[key] = value
        else:
            mine.pop(key, None)
    if mine:
        updated[language] = mine
    else:
        updated.pop(language, None)
    return updated


def _questions(survey: Survey, language: str, form: QueryDict) -> list[dict[str, Any]]:
    before = {str(q.get("id")): q for q in survey.extra_questions if isinstance(q, dict)}
    questions: list[dict[str, Any]] = []
    for row in range(QUESTION_ROWS):
        qid = form.get(f"q{row}_id", "").strip()
        label = form.get(f"q{row}_label", "").strip()
        if not qid and not label:
            continue
        kind = form.get(f"q{row}_type", "text")
        old = before.get(qid, {})
        question: dict[str, Any] = {
            "id": qid,
            "type": kind,
            "label": _localized(old.get("label"), label, language, survey.language),
            "required": form.get(f"q{row}_required") == "on",
        }
        if kind in ("single", "multiple"):
            lines = [o.strip() for o in form.get(f"q{row}_options", "").splitlines() if o.strip()]
            old_options = old.get("options") or []
            question["options"] = [
                _localized(
                    old_options[n] if n < len(old_options) else None,
                    text,
                    language,
                    survey.language,
                )
                for n, text in enumerate(lines)
            ]
        questions.append(question)
    return questions


def _localized(old: object, new: str, language: str, default: str) -> object:
    """Edit one language of a label, keeping its other translations."""
    if isinstance(old, dict):
        return {**old, language: new}
    if language == default or not isinstance(old, str):
        return new
    return {default: old, language: new}
