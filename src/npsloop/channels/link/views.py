"""The public survey link /s/<slug>: anonymous answers, one per device (or per contact on a
signed link), a limited number per network address."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from npsloop.addresses import client_address
from npsloop.channels.link.links import attributed_contact
from npsloop.contacts.models import Contact
from npsloop.errors import InvalidInput
from npsloop.surveys import texts
from npsloop.surveys.followup import Wording, page_context, save_followup, wording_for
from npsloop.surveys.models import Channel, Response, Survey
from npsloop.surveys.responses import ResponseData, record_response

DEVICE_COOKIE = "npsloop_device"
DEVICE_MAX_AGE = 2 * 365 * 24 * 3600
RATE_WINDOW = 3600


@require_http_methods(["GET", "HEAD", "POST"])
def survey_link(request: HttpRequest, slug: str) -> HttpResponse:
    survey = Survey.objects.select_related("workspace").filter(slug=slug, is_active=True).first()
    if survey is None:
        return render(request, "respond/not_found.html", status=404)
    contact = attributed_contact(survey, request.GET.get("c"))
    device = request.get_signed_cookie(DEVICE_COOKIE, default="", salt=DEVICE_COOKIE)
    device = device or secrets.token_urlsafe(16)
    wording = _wording(request, survey, contact)
    key = f"link-{survey.pk}-" + (f"c{contact.pk}" if contact else f"d{device}")
    response = Response.objects.filter(workspace_id=survey.workspace_id, key=key).first()
    if request.method == "POST":
        reply = _answer(request, survey, wording, contact, key, response)
    else:
        context = page_context(
            wording,
            score=response.score if response else None,
            response=response,
            thanked=response is not None and request.GET.get("saved") == "1",
        )
        context.update({"action": request.get_full_path(), "intro": wording("public_intro")})
        if response is not None and request.GET.get("saved") != "1":
            context["notice"] = wording("already_answered")
        reply = render(request, "respond/followup.html", context)
    reply.set_signed_cookie(
        DEVICE_COOKIE,
        device,
        salt=DEVICE_COOKIE,
        max_age=DEVICE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return reply


def _wording(request: HttpRequest, survey: Survey, contact: Contact | None) -> Wording:
    locale = contact.locale if contact and contact.locale else None
    locale = locale or texts.browser_language(request.headers.get("Accept-Language", ""))
    return wording_for(survey, locale, name=contact.name if contact else "")


def _answer(
    request: HttpRequest,
    survey: Survey,
    wording: Wording,
    contact: Contact | None,
    key: str,
    response: Response | None,
) -> HttpResponse:
    submitted = {name: request.POST.getlist(name) for name in request.POST}
    context = {"action": request.get_full_path(), "intro": wording("public_intro")}
    if response is None:
        if _over_rate_limit(request):
            return render(
                request, "respond/error.html", {"message": wording("rate_limited")}, status=429
            )
        try:
            response = record_response(
                survey.workspace,
                ResponseData(
                    survey=survey,
                    score=(submitted.get("score") or [""])[0],
                    contact=contact,
                    channel=Channel.LINK,
                    key=key,
                ),
            ).response
        except InvalidInput:
            page = page_context(wording, score=None, response=None, submitted=submitted)
            page.update(context, errors={"score": wording("bad_score")})
            return render(request, "respond/followup.html", page, status=422)
    errors = save_followup(wording, response, submitted)
    if errors:
        page = page_context(
            wording, score=response.score, response=response, errors=errors, submitted=submitted
        )
        page.update(context)
        return render(request, "respond/followup.html", page, status=422)
    separator = "&" if "?" in request.get_full_path() else "?"
    return redirect(request.get_full_path() + f"{separator}saved=1")


def _over_rate_limit(request: HttpRequest) -> bool:
    """Counts new answers per network address (behind proxies, the client's) and hour, in
    the cache all web processes share when NPSLOOP_CACHE_URL is set."""
    address = client_address(request)
    cache = caches["shared"]
    key = f"npsloop:link-rate:{address}"
    cache.add(key, 0, timeout=RATE_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=RATE_WINDOW)
        count = 1
    return count > settings.LINK_ANSWERS_PER_IP_HOUR
