"""The page after the score: the reason, the extra questions, the thank-you.

The same definition serves every channel: the email's score links, the public link and
(later) the widget render this context and save through `save_followup`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from npsloop.errors import InvalidInput
from npsloop.stats import category_of
from npsloop.surveys import texts
from npsloop.surveys.models import CtaAudience, Response, Survey
from npsloop.surveys.questions import Question, clean_answers, questions_for
from npsloop.surveys.responses import MAX_COMMENT, editable_until, update_response


@dataclass
class Wording:
    """A survey's texts in one language, with the product and merge fields filled in."""

    survey: Survey
    language: str
    fields: Mapping[str, object]

    def __call__(self, key: str, **values: object) -> str:
        return texts.text(self.language, key, self.survey.texts, **{**self.fields, **values})

    def followup(self, category: str) -> str:
        """The follow-up question for one category; the general one unless the survey
        words it differently for promoters, passives or detractors."""
        return self(f"followup_{category}")

    def question(self) -> str:
        if self.survey.question and self.language == self.survey.language:
            return self.survey.question
        return self("question")


def wording_for(survey: Survey, locale: str | None, **fields: object) -> Wording:
    language = texts.resolve_language(locale, survey.language)
    return Wording(survey, language, {"product": survey.product_name, **fields})


def is_editable(survey: Survey, response: Response, now: datetime | None = None) -> bool:
    return (now or timezone.now()) < editable_until(survey, response)


def page_context(
    wording: Wording,
    *,
    score: int | None,
    response: Response | None,
    errors: Mapping[str, str] | None = None,
    submitted: Mapping[str, list[str]] | None = None,
    thanked: bool = False,
) -> dict[str, Any]:
    """What the follow-up template shows. `submitted` refills a form that was refused."""
    survey = wording.survey
    questions = questions_for(survey.extra_questions, wording.language, survey.language)
    category = category_of(score) if score is not None else None
    comment = response.comment if response is not None else ""
    answers: Mapping[str, object] = response.answers if response is not None else {}
    if submitted is not None:
        comment = (submitted.get("comment") or [""])[0]
        answers = _answers_from_form(questions, submitted)
    show_cta = bool(survey.cta_url) and (
        survey.cta_audience == CtaAudience.EVERYONE or category == "promoter"
    )
    return {
        "language": wording.language,
        "direction": texts.direction(wording.language),
        "title": wording("page_title"),
        "question": wording.question(),
        "low_label": wording("low_label"),
        "high_label": wording("high_label"),
        "scores": range(11),
        "score": score,
        "category": category,
        "followups": {c: wording.followup(c) for c in ("promoter", "passive", "detractor")},
        "comment": comment,
        "comment_max": MAX_COMMENT,
        "comment_placeholder": wording("comment_placeholder"),
        "questions": [(q, answers.get(q.id)) for q in questions],
        "choose_one": wording("choose_one"),
        "choose_any": wording("choose_any"),
        "rating_low": wording("rating_low"),
        "rating_high": wording("rating_high"),
        "submit": wording("submit"),
        "recorded": wording("recorded"),
        "thanks": {c: wording(f"thanks_{c}") for c in ("promoter", "passive", "detractor")},
        "thanked": thanked,
        "cta_url": survey.cta_url if show_cta else "",
        "cta_audience": survey.cta_audience,
        "cta_label": wording("cta_label"),
        "errors": errors or {},
        "answer_required": wording("answer_required"),
        "response": response,
        "editable": response is None or is_editable(survey, response),
        "edit_until": (
            wording("edit_until", date=editable_until(survey, response).date().isoformat())
            if response is not None
            else ""
        ),
        "edit_closed": wording("edit_closed"),
        "your_score": wording("your_score", score=score if score is not None else ""),
    }


def _answers_from_form(
    questions: list[Question], submitted: Mapping[str, list[str]]
) -> dict[str, object]:
    values: dict[str, object] = {}
    for question in questions:
        given = submitted.get(question.id) or []
        if question.type == "multiple":
            values[question.id] = [int(v) for v in given if v.isdigit()]
        elif given and question.type in ("single", "rating") and given[0].isdigit():
            values[question.id] = int(given[0])
        elif given:
            values[question.id] = given[0]
    return values


def save_followup(
    wording: Wording, response: Response, submitted: Mapping[str, list[str]]
) -> dict[str, str]:
    """Store the score, reason and extra answers from the follow-up form; returns what is
    wrong, per form field, in the respondent's language (nothing is stored then)."""
    survey = wording.survey
    if not is_editable(survey, response):
        return {"form": wording("edit_closed")}
    questions = questions_for(survey.extra_questions, wording.language, survey.language)
    answers, problems = clean_answers(questions, submitted)
    errors = {qid: wording("answer_required") for qid, p in problems.items() if p == "required"}
    errors.update({qid: p for qid, p in problems.items() if p != "required"})
    comment = (submitted.get("comment") or [""])[0].strip()
    if len(comment) > MAX_COMMENT:
        errors["comment"] = wording("comment_too_long", length=len(comment), max=MAX_COMMENT)
    score: object = (submitted.get("score") or [str(response.score)])[0]
    if errors:
        return errors
    try:
        update_response(response, score=score, comment=comment, answers=answers)
    except InvalidInput as error:
        shown = {"score", "comment", *(q.id for q in questions)}
        return {
            (field if field in shown else "form"): (
                wording("bad_score") if field == "score" else message
            )
            for field, message in error.errors.items()
        }
    return {}
