"""The pages behind the links in a survey email: the score links, the follow-up page and
unsubscribing.

Security gateways fetch every link in an email, by GET and HEAD, some running the page's
script. So a GET never records anything: the page's script records the score once a
person's input reaches the page, and the server refuses that recording when the email's
links are being walked (channels.email.scanners). A refused page shows one button to
confirm.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from npsloop.channels.email.pages import kept_survey, score_page
from npsloop.channels.email.scanners import looks_like_scanner, remember_decoy, remember_open
from npsloop.contacts.consent import Via
from npsloop.contacts.models import Contact
from npsloop.errors import InvalidInput
from npsloop.program.answers import answer_ask, unsubscribe
from npsloop.program.models import SurveyRequest
from npsloop.statements import read
from npsloop.stats import ScoreError, parse_score
from npsloop.surveys import texts
from npsloop.surveys.followup import Wording, page_context, save_followup, wording_for
from npsloop.surveys.models import Channel, Response
from npsloop.surveys.responses import EditWindowClosed


def _ask(token: str) -> SurveyRequest | None:
    if not 10 <= len(token) <= 32:
        return None
    # Not .first(): its ORDER BY id on a unique token costs more to compile than to run.
    found = list(
        SurveyRequest.objects.select_related("survey", "contact").filter(
            token=token, channel=Channel.EMAIL
        )[:1]
    )
    return found[0] if found else None


def _wording(ask: SurveyRequest) -> Wording:
    contact = ask.person
    return wording_for(ask.survey, contact.locale, name=contact.name, email=contact.email or "")


def not_found(request: HttpRequest) -> HttpResponse:
    """The same page for a token that never existed and one that was tampered with."""
    return render(request, "respond/not_found.html", status=404)


def _response_of(ask: SurveyRequest) -> Response | None:
    if ask.response_id is None:
        return None
    return Response.objects.filter(pk=ask.response_id).first()


# The ask's survey, answer and person, for the busiest page npsloop serves: one statement,
# prepared once per connection on PostgreSQL (statements.read); the survey comes from a
# short memory.
SCORE_LINK_ASK = (
    "SELECT q.survey_id, q.response_id, c.locale, c.name, c.email "
    f"FROM {SurveyRequest._meta.db_table} q "
    f"JOIN {Contact._meta.db_table} c ON c.id = q.contact_id "
    "WHERE q.token = %s AND q.channel = %s"
)


@require_http_methods(["GET", "HEAD"])
def score_link(request: HttpRequest, token: str, score: str) -> HttpResponse:
    """A score clicked in the email. Shows the follow-up page with that score chosen; the
    page's script records it. Never writes a response itself.

    Every click of every email lands here, so the page of an unanswered ask costs one
    statement, no session or CSRF work (none of it is read or set), and a page rendered
    once per survey, language and score (channels.email.pages.score_page)."""
    rows = read(SCORE_LINK_ASK, [token, str(Channel.EMAIL)]) if 10 <= len(token) <= 32 else []
    if not rows:
        return not_found(request)
    survey_id, response_id, locale, name, email = rows[0]
    survey = kept_survey(survey_id)
    try:
        value = parse_score(score)
    except ScoreError:
        wording = wording_for(survey, locale, name=name, email=email or "")
        return render(
            request,
            "respond/error.html",
            {"message": wording("bad_score"), **page_context(wording, score=None, response=None)},
            status=400,
        )
    if response_id is not None:
        # Answered already: show what they said, never a second response.
        return redirect("ask-page", token=token)
    if request.method == "GET":
        remember_open(token, value)
    return HttpResponse(score_page(survey, locale, name, email or "", token, value))


@require_http_methods(["GET", "HEAD"])
def decoy_link(request: HttpRequest, token: str) -> HttpResponse:
    """The email's hidden link, which only a machine follows: the email's pages record
    nothing on their own for a while (channels.email.scanners). Writes nothing either."""
    if (
        not 10 <= len(token) <= 32
        or not SurveyRequest.objects.filter(token=token, channel=Channel.EMAIL).exists()
    ):
        return not_found(request)
    remember_decoy(token)
    return render(request, "respond/decoy.html")


@require_http_methods(["GET", "HEAD"])
def ask_page(request: HttpRequest, token: str) -> HttpResponse:
    """The follow-up page without a new score: their answers if they gave any, the
    choice of score otherwise."""
    ask = _ask(token)
    if ask is None:
        return not_found(request)
    response = _response_of(ask)
    context = page_context(
        _wording(ask),
        score=response.score if response else None,
        response=response,
        thanked=response is not None and request.GET.get("saved") == "1",
    )
    context["token"] = token
    return render(request, "respond/followup.html", context)


@csrf_exempt
@require_POST
def record(request: HttpRequest, token: str) -> HttpResponse:
    """The page's script records the chosen score here (JSON answer). No CSRF token: the
    ask's token in the address is the proof, known only to the recipient (and no cookie
    is involved that another site could ride on)."""
    ask = _ask(token)
    if ask is None:
        return JsonResponse({"error": "not found"}, status=404)
    wording = _wording(ask)
    confirmed = request.POST.get("confirmed") == "1"
    if not confirmed and ask.response_id is None and looks_like_scanner(ask.token):
        return JsonResponse({"confirm": True}, status=409)
    try:
        response = answer_ask(ask, request.POST.get("score"))
    except EditWindowClosed:
        return JsonResponse({"error": wording("edit_closed")}, status=422)
    except InvalidInput as error:
        message = wording("bad_score") if "score" in error.errors else str(error)
        return JsonResponse({"error": message}, status=422)
    return JsonResponse(
        {"score": response.score, "category": response.category, "message": wording("recorded")}
    )


@csrf_exempt
@require_POST
def answers(request: HttpRequest, token: str) -> HttpResponse:
    """The follow-up form: score, reason and extra answers together. Works without any
    script: a first submission records the score too. No CSRF token, as for `record`."""
    ask = _ask(token)
    if ask is None:
        return not_found(request)
    wording = _wording(ask)
    submitted = {key: request.POST.getlist(key) for key in request.POST}
    response = _response_of(ask)
    if response is None:
        try:
            response = answer_ask(ask, (submitted.get("score") or [""])[0])
        except InvalidInput:
            context = page_context(wording, score=None, response=None, submitted=submitted)
            context.update({"token": token, "errors": {"score": wording("bad_score")}})
            return render(request, "respond/followup.html", context, status=422)
    errors = save_followup(wording, response, submitted)
    if errors:
        score = response.score
        context = page_context(
            wording, score=score, response=response, errors=errors, submitted=submitted
        )
        context["token"] = token
        return render(request, "respond/followup.html", context, status=422)
    return redirect(f"/r/{token}/?saved=1")


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks for confirmation (scanners fetch links); POST unsubscribes: the button on
    that page, or a mail client's RFC 8058 one-click POST. The token is the secret, and it
    is only known to the recipient, so no CSRF token is needed (mail clients send none)."""
    ask = _ask(token)
    if ask is None:
        return not_found(request)
    wording = _wording(ask)
    contact = ask.person
    done = request.method == "POST"
    if done:
        unsubscribe(contact, via=Via.LINK)
    context = {
        "language": wording.language,
        "direction": texts.direction(wording.language),
        "title": wording("unsubscribe_title"),
        "question": wording("unsubscribe_question"),
        "button": wording("unsubscribe_button"),
        "done": done or contact.unsubscribed_at is not None,
        "done_message": wording("unsubscribe_done"),
        "token": token,
    }
    return render(request, "respond/unsubscribe.html", context)
