"""GET /r/<token>/<score>, an email's score link, beside Django (npsloop.lean): the page of
an unanswered ask with a valid score, from one prepared statement and a page kept per
survey, language and score (channels.email.pages). Everything else under /r/ (a token
not found, an ask answered already, a score out of range, the other pages) is Django's,
as is the view the test client and the development server reach: ``views.score_link``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest

from npsloop.channels.email.pages import score_page
from npsloop.channels.email.views import remember_open
from npsloop.contacts.models import Contact
from npsloop.lean import StartResponse, fetch, logger, on_the_database, respond
from npsloop.memory import Memory
from npsloop.program.models import SurveyRequest
from npsloop.stats import ScoreError, parse_score
from npsloop.surveys.models import Channel, Survey

PATH = re.compile(r"/r/([A-Za-z0-9_-]{10,32})/([0-9]{1,2})")
SURVEY_MEMORY = 5.0
SURVEYS = Memory(size=1_000)
WSGIApp = Any


def score_link(
    environ: dict[str, Any], start_response: StartResponse, django: WSGIApp
) -> Iterable[bytes]:
    match = PATH.fullmatch(environ.get("PATH_INFO", ""))
    method = environ.get("REQUEST_METHOD")
    if match is None or method not in ("GET", "HEAD"):
        return django(environ, start_response)
    request = WSGIRequest(environ)
    try:
        request.get_host()
    except DisallowedHost:
        return django(environ, start_response)  # which answers 400
    token, score = match.groups()
    try:
        page = on_the_database(lambda: _page(token, score))
    except Exception:
        logger.exception("Internal Server Error: %s (answered by Django instead)", request.path)
        page = None
    if page is None:
        return django(environ, start_response)
    if method == "GET":
        remember_open(token, int(score))
    return respond(
        start_response,
        200,
        [("Content-Type", "text/html; charset=utf-8")],
        page.encode(),
        path=request.path,
        head=method == "HEAD",
    )


def _page(token: str, score_text: str) -> str | None:
    try:
        score = parse_score(score_text)
    except ScoreError:
        return None
    rows = fetch(
        "SELECT q.survey_id, q.response_id, c.locale, c.name, c.email "
        f"FROM {SurveyRequest._meta.db_table} q "
        f"JOIN {Contact._meta.db_table} c ON c.id = q.contact_id "
        "WHERE q.token = %s AND q.channel = %s",
        [token, str(Channel.EMAIL)],
    )
    if not rows or rows[0][1] is not None:
        return None
    survey_id, _, locale, name, email = rows[0]
    return score_page(_survey(survey_id), locale, name, email or "", token, score)


def _survey(pk: int) -> Survey:
    survey: Survey | None = SURVEYS.get(str(pk))
    if survey is None:
        survey = Survey.objects.get(pk=pk)
        SURVEYS.set(str(pk), survey, SURVEY_MEMORY)
    return survey
