"""Extra questions, shown after the reason: their definition and the answers to them.

A survey's ``extra_questions`` is a list of
``{"id", "type", "label", "options", "required"}`` where type is single, multiple, text
or rating (1-5); label and each option are text, or ``{language: text}`` for translations.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

TYPES = ("single", "multiple", "text", "rating")
MAX_QUESTIONS = 10
MAX_OPTIONS = 20
MAX_LABEL = 500
MAX_TEXT_ANSWER = 2000
QUESTION_ID = re.compile(r"[a-z][a-z0-9_]{0,39}")
# Answers are stored beside the reason; these ids would collide with our own fields.
RESERVED_IDS = frozenset({"score", "comment"})


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    label: str
    options: tuple[str, ...]
    required: bool


def check_extra_questions(value: object) -> dict[str, str]:
    """Field path → what is wrong, for every mistake in a survey's extra questions."""
    if not isinstance(value, list):
        return {"extra_questions": "must be a list of questions"}
    errors: dict[str, str] = {}
    if len(value) > MAX_QUESTIONS:
        errors["extra_questions"] = f"at most {MAX_QUESTIONS} questions, got {len(value)}"
    seen: set[str] = set()
    for index, item in enumerate(value):
        at = f"extra_questions.{index}"
        if not isinstance(item, dict):
            errors[at] = "must be an object with id, type, label, and options for choices"
            continue
        unknown = set(item) - {"id", "type", "label", "options", "required"}
        if unknown:
            errors[at] = f"unknown fields {', '.join(sorted(unknown))}"
        qid = item.get("id")
        if not isinstance(qid, str) or not QUESTION_ID.fullmatch(qid) or qid in RESERVED_IDS:
            errors[f"{at}.id"] = (
                "must be 1-40 lower-case letters, digits or '_', starting with a letter, "
                f"and not {' or '.join(sorted(RESERVED_IDS))}"
            )
        elif qid in seen:
            errors[f"{at}.id"] = f"{qid!r} is used by another question"
        else:
            seen.add(qid)
        kind = item.get("type")
        if kind not in TYPES:
            errors[f"{at}.type"] = f"must be one of {', '.join(TYPES)}, got {kind!r}"
        if problem := _label_problem(item.get("label")):
            errors[f"{at}.label"] = problem
        options = item.get("options", [])
        if kind in ("single", "multiple"):
            if not isinstance(options, list) or not 2 <= len(options) <= MAX_OPTIONS:
                errors[f"{at}.options"] = f"a choice question needs 2 to {MAX_OPTIONS} options"
            else:
                for n, option in enumerate(options):
                    if problem := _label_problem(option):
                        errors[f"{at}.options.{n}"] = problem
        elif options:
            errors[f"{at}.options"] = "only single and multiple choice questions have options"
        if not isinstance(item.get("required", False), bool):
            errors[f"{at}.required"] = "must be true or false"
    return errors


def _label_problem(label: object) -> str | None:
    if isinstance(label, str):
        return None if 0 < len(label.strip()) <= MAX_LABEL else f"must be 1-{MAX_LABEL} characters"
    if isinstance(label, dict) and label:
        for language, text in label.items():
            if not isinstance(language, str) or not isinstance(text, str) or not text.strip():
                return "translations must map a language code to non-empty text"
            if len(text) > MAX_LABEL:
                return f"must be at most {MAX_LABEL} characters"
        return None
    return "must be text, or an object of language → text"


def localized(label: object, language: str, fallback: str) -> str:
    if isinstance(label, str):
        return label
    if isinstance(label, Mapping):
        for choice in (language, fallback, "en"):
            if isinstance(label.get(choice), str):
                return str(label[choice])
        return str(next(iter(label.values()), ""))
    return ""


def questions_for(
    definition: list[dict[str, object]], language: str, fallback: str
) -> list[Question]:
    """The survey's extra questions in one language, for display."""
    return [
        Question(
            id=str(item["id"]),
            type=str(item["type"]),
            label=localized(item["label"], language, fallback),
            options=tuple(
                localized(option, language, fallback)
                for option in item.get("options", [])  # type: ignore[attr-defined]
            ),
            required=bool(item.get("required", False)),
        )
        for item in definition
    ]


def clean_answers(
    questions: list[Question], submitted: Mapping[str, list[str]]
) -> tuple[dict[str, object], dict[str, str]]:
    """Answers from a submitted form (field → its values), and question id → what is wrong.

    Choice answers are stored as the option's position (0-based) so they stay the same
    whatever language the person answered in. Unanswered optional questions are absent.
    """
    answers: dict[str, object] = {}
    errors: dict[str, str] = {}
    for question in questions:
        values = [value for value in submitted.get(question.id, []) if value.strip()]
        if not values:
            if question.required:
                errors[question.id] = "required"
            continue
        if question.type == "text":
            text = values[0].strip()
            if len(text) > MAX_TEXT_ANSWER:
                errors[question.id] = f"at most {MAX_TEXT_ANSWER} characters, got {len(text)}"
            else:
                answers[question.id] = text
        elif question.type == "rating":
            if values[0] not in {"1", "2", "3", "4", "5"}:
                errors[question.id] = f"a rating is a whole number from 1 to 5, got {values[0]!r}"
            else:
                answers[question.id] = int(values[0])
        else:
            picked = _option_positions(values, len(question.options))
            if picked is None or (question.type == "single" and len(picked) != 1):
                errors[question.id] = "choose one of the options shown"
            else:
                answers[question.id] = picked[0] if question.type == "single" else picked
    return answers, errors


def _option_positions(values: list[str], count: int) -> list[int] | None:
    positions: list[int] = []
    for value in values:
        if not value.isdigit() or int(value) >= count:
            return None
        if int(value) not in positions:
            positions.append(int(value))
    return positions
