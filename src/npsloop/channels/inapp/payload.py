"""What the widget shows: the survey in the visitor's language, the same definition the
email's follow-up page uses."""

from __future__ import annotations

from typing import Any

from npsloop.surveys.followup import Wording
from npsloop.surveys.questions import questions_for
from npsloop.surveys.texts import direction


def survey_payload(wording: Wording) -> dict[str, Any]:
    survey = wording.survey
    questions = questions_for(survey.extra_questions, wording.language, survey.language)
    categories = ("promoter", "passive", "detractor")
    return {
        "language": wording.language,
        "direction": direction(wording.language),
        "position": survey.widget_position,
        "question": wording.question(),
        "low_label": wording("low_label"),
        "high_label": wording("high_label"),
        "followups": {c: wording.followup(c) for c in categories},
        "comment_placeholder": wording("comment_placeholder"),
        "submit": wording("submit"),
        "close": wording("close"),
        "thanks": {c: wording(f"thanks_{c}") for c in categories},
        "cta": (
            {"url": survey.cta_url, "label": wording("cta_label"), "audience": survey.cta_audience}
            if survey.cta_url
            else None
        ),
        "questions": [
            {
                "id": q.id,
                "type": q.type,
                "label": q.label,
                "options": list(q.options),
                "required": q.required,
            }
            for q in questions
        ],
        "choose_one": wording("choose_one"),
        "choose_any": wording("choose_any"),
        "rating_low": wording("rating_low"),
        "rating_high": wording("rating_high"),
        "answer_required": wording("answer_required"),
        "recorded": wording("recorded"),
    }
