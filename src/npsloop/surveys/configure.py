"""Creating a survey and changing how it asks: the one door for the settings page, the API,
the commands and the demo."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils import timezone
from django.utils.text import slugify

from npsloop.errors import InvalidInput
from npsloop.surveys import texts
from npsloop.surveys.models import CtaAudience, Survey, WidgetPosition
from npsloop.surveys.questions import check_extra_questions
from npsloop.workspaces.models import Workspace

PROPERTY_NAME = re.compile(r"[A-Za-z0-9_-]{1,100}")

# field -> (lowest, highest) for the whole numbers a survey holds
NUMBERS = {
    "cooldown_days": (0, 3650),
    "reminders": (0, 2),
    "reminder_days": (1, 60),
    "edit_days": (0, 90),
    "dismiss_days": (1, 365),
    "widget_returns": (0, 10),
}
TEXTS = {"name": 200, "product_name": 200, "question": 500, "sender_name": 100, "widget_event": 100}
BOOLEANS = ("is_active", "in_app")
EMAILS = ("sender_email", "reply_to")
EDITABLE = (
    *TEXTS,
    *NUMBERS,
    *EMAILS,
    "language",
    "texts",
    "extra_questions",
    "cta_url",
    "cta_audience",
    *BOOLEANS,
    "widget_position",
    "targeting",
)


def create_survey(
    workspace: Workspace, *, name: str, product_name: str, question: str = ""
) -> Survey:
    errors: dict[str, str] = {}
    for field, value, limit in (("name", name, 200), ("product_name", product_name, 200)):
        if not value.strip():
            errors[field] = "must not be empty"
        elif len(value) > limit:
            errors[field] = f"must be at most {limit} characters, got {len(value)}"
    if len(question) > 500:
        errors["question"] = f"must be at most 500 characters, got {len(question)}"
    if errors:
        raise InvalidInput(errors)
    return Survey.objects.create(
        workspace=workspace,
        name=name.strip(),
        slug=new_slug(name),
        product_name=product_name.strip(),
        question=question,
    )


def new_slug(name: str) -> str:
    """A readable, unguessable slug for the public link: the name plus random letters, so
    nobody can walk from one workspace's public survey to another's."""
    return f"{slugify(name)[:50] or 'survey'}-{secrets.token_hex(3)}"


def update_survey(survey: Survey, changes: Mapping[str, Any]) -> Survey:
    """Apply the changes and save, all or none. Raises InvalidInput naming every bad field
    and what it accepts."""
    apply_changes(survey, changes)
    survey.updated_at = timezone.now()
    survey.save()
    return survey


def apply_changes(survey: Survey, changes: Mapping[str, Any]) -> Survey:
    """Check the changes and set them on the survey without saving: the settings page's
    live preview shows a survey as it would be."""
    errors: dict[str, str] = {}
    for field in changes:
        if field not in EDITABLE:
            errors[field] = f"can't be changed; changeable fields: {', '.join(EDITABLE)}"
    clean: dict[str, Any] = {}
    for field, value in changes.items():
        if field in errors:
            continue
        problem = _problem(field, value)
        if problem:
            errors[field] = problem
        else:
            clean[field] = value.strip() if isinstance(value, str) else value
    if isinstance(changes.get("texts"), Mapping):
        errors.update(texts.check_overrides(changes["texts"]))
    if isinstance(changes.get("extra_questions"), list):
        errors.update(check_extra_questions(changes["extra_questions"]))
    if errors:
        raise InvalidInput(errors)
    for field, value in clean.items():
        setattr(survey, field, value)
    return survey


def _problem(field: str, value: object) -> str | None:
    if field in TEXTS:
        limit = TEXTS[field]
        if not isinstance(value, str) or len(value.strip()) > limit:
            return f"must be text of at most {limit} characters"
        if field in ("name", "product_name") and not value.strip():
            return "must not be empty"
    elif field in NUMBERS:
        low, high = NUMBERS[field]
        if value is None and field == "cooldown_days":
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            extra = " (or null for the workspace's)" if field == "cooldown_days" else ""
            return f"must be a whole number from {low} to {high}{extra}, got {value!r}"
    elif field in EMAILS:
        if not isinstance(value, str):
            return "must be an email address, or empty"
        if value.strip():
            try:
                validate_email(value.strip())
            except ValidationError:
                return f"must be an email address like team@example.com, got {value!r}"
    elif field == "language":
        if value not in texts.LANGUAGES:
            return f"must be one of {', '.join(texts.LANGUAGES)}, got {value!r}"
    elif field == "texts":
        if not isinstance(value, Mapping):
            return "must be an object of language → {text name → wording}"
    elif field == "extra_questions":
        if not isinstance(value, list):
            return "must be a list of questions"
    elif field == "cta_url":
        return _url_problem(value)
    elif field == "cta_audience":
        if value not in CtaAudience.values:
            return f"must be one of {', '.join(CtaAudience.values)}, got {value!r}"
    elif field in BOOLEANS and not isinstance(value, bool):
        return f"must be true or false, got {value!r}"
    elif field == "widget_position" and value not in WidgetPosition.values:
        return f"must be one of {', '.join(WidgetPosition.values)}, got {value!r}"
    elif field == "targeting":
        return _targeting_problem(value)
    return None


def _targeting_problem(value: object) -> str | None:
    if not isinstance(value, Mapping):
        return 'must be an object like {"properties": {"role": "admin"}, "min_tenure_days": 30}'
    unknown = set(value) - {"properties", "accounts", "min_tenure_days"}
    if unknown:
        return (
            f"unknown keys {', '.join(sorted(unknown))}; "
            "accepted: properties, accounts, min_tenure_days"
        )
    accounts = value.get("accounts", [])
    if not isinstance(accounts, list) or not all(isinstance(a, str) and a for a in accounts):
        return "accounts must be a list of account external ids"
    properties = value.get("properties", {})
    if not isinstance(properties, Mapping) or not all(
        isinstance(v, str | int | float | bool) for v in properties.values()
    ):
        return "properties must map a contact property to the text, number or boolean it must equal"
    for name in properties:
        if not PROPERTY_NAME.fullmatch(str(name)) or "__" in str(name):
            return f"property names are letters, digits, '_' and '-' (no '__'), got {name!r}"
    tenure = value.get("min_tenure_days", 0)
    if isinstance(tenure, bool) or not isinstance(tenure, int) or not 0 <= tenure <= 3650:
        return "min_tenure_days must be a whole number from 0 to 3650"
    return None


def _url_problem(value: object) -> str | None:
    if not isinstance(value, str):
        return "must be an http(s) address, or empty"
    if not value.strip():
        return None
    if len(value) > 200:
        return "must be at most 200 characters"
    try:
        URLValidator(schemes=["http", "https"])(value.strip())
    except ValidationError:
        return f"must be an http(s) address like https://example.com/review, got {value!r}"
    return None
