"""The follow-up page a score link opens, rendered once per survey, language and score and
then filled in: a click on an email's score is the busiest page npsloop serves.

A page differs between people only by their token and by the merge fields of its texts
({name}, {email}); it is rendered with stand-ins for those and kept for a few seconds, and
each request puts its own values, escaped, in place of the stand-ins.
"""

from __future__ import annotations

import re
from html import escape

from django.template.loader import render_to_string

from npsloop.memory import Memory
from npsloop.surveys import texts
from npsloop.surveys.followup import page_context, wording_for
from npsloop.surveys.models import Survey

PAGE_MEMORY = 5.0
SURVEY_MEMORY = 5.0
TOKEN_STAND_IN = "tknStandIn0npsloop9x"
NAME_STAND_IN = "nameStandIn0npsloop9x"
EMAIL_STAND_IN = "emailStandIn0npsloop9x"
# A merge field with a conversion or a format spec ({name!r}, {name:>20}) would change the
# stand-in, not just carry it: such a survey's page is rendered for each person.
_FORMATTED_FIELD = re.compile(r"\{(?:name|email)[!:.\[]")
PAGES = Memory(size=2_000)
SURVEYS = Memory(size=1_000)


def kept_survey(pk: int) -> Survey:
    """The survey of a score link, from a few seconds' memory: the pages are kept by it."""
    survey: Survey | None = SURVEYS.get(str(pk))
    if survey is None:
        survey = Survey.objects.get(pk=pk)
        SURVEYS.set(str(pk), survey, SURVEY_MEMORY)
    return survey


def score_page(
    survey: Survey, locale: str | None, name: str, email: str, token: str, score: int
) -> str:
    """The follow-up page of an unanswered email ask with this score chosen, recording it
    from the page's script. ``survey`` must be the one object kept_survey keeps for its
    pk for a few seconds: pages are kept by it."""
    wording = wording_for(survey, locale, name=name, email=email)
    if _FORMATTED_FIELD.search(str(survey.texts)):
        return render_score_page(wording.survey, wording.language, name, email, token, score)
    key = f"{survey.pk}:{id(survey)}:{wording.language}:{score}:{bool(name)}:{bool(email)}"
    page: str | None = PAGES.get(key)
    if page is None:
        page = render_score_page(
            survey,
            wording.language,
            NAME_STAND_IN if name else "",
            EMAIL_STAND_IN if email else "",
            TOKEN_STAND_IN,
            score,
        )
        PAGES.set(key, page, PAGE_MEMORY)
    return (
        page.replace(TOKEN_STAND_IN, token)
        .replace(NAME_STAND_IN, escape(name))
        .replace(EMAIL_STAND_IN, escape(email))
    )


def render_score_page(
    survey: Survey, language: str, name: str, email: str, token: str, score: int
) -> str:
    """The page itself, for these values: what score_page keeps with stand-ins, or answers
    as it is for a survey whose texts format a merge field."""
    wording = wording_for(survey, language, name=name, email=email)
    context = page_context(wording, score=score, response=None)
    context.update({"token": token, "auto_record": True, "direction": texts.direction(language)})
    return render_to_string("respond/followup.html", context)
