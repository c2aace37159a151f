"""The survey settings pages: every survey of a workspace, and one survey's settings with
a live preview of its email and its page."""

from __future__ import annotations

import copy
import json

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_replace, csp_update
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods

from npsloop.channels.email.message import email_context
from npsloop.channels.inapp.snippet import widget_snippet
from npsloop.channels.link.links import public_url
from npsloop.console.access import ADMINS, EDITORS, VIEWERS_MESSAGE, workspace_for
from npsloop.console.survey_form import QUESTION_ROWS, TARGETING_ROWS, WORDING, read_form
from npsloop.contacts.models import Account, Contact
from npsloop.errors import InvalidInput
from npsloop.program.models import SurveyRequest
from npsloop.surveys import texts
from npsloop.surveys.configure import apply_changes, update_survey
from npsloop.surveys.followup import page_context, wording_for
from npsloop.surveys.models import CtaAudience, Survey, WidgetPosition
from npsloop.surveys.questions import TYPES, localized
from npsloop.workspaces.models import Workspace

PREVIEW_KINDS = ("email", "page")


@login_required
def survey_list(request: HttpRequest, slug: str) -> HttpResponse:
    workspace, role = workspace_for(request.user, slug)
    surveys = Survey.objects.filter(workspace=workspace).order_by("name")
    return render(
        request,
        "console/surveys.html",
        {
            "workspace": workspace,
            "surveys": surveys,
            "role": role,
            "can_admin": role in ADMINS,
            "can_edit": role in EDITORS,
        },
    )


# Its live previews are written into srcdoc frames, which live under this page's policy, and
# the email among them is styled inline (as emails must be). Scripts stay strict.
@csp_update({"style-src": [UNSAFE_INLINE]})  # type: ignore[arg-type]  # typed for (request) only
@login_required
@require_http_methods(["GET", "POST"])
def survey_settings(request: HttpRequest, slug: str, survey_id: int) -> HttpResponse:
    workspace, role = workspace_for(request.user, slug)
    survey = get_object_or_404(Survey, workspace=workspace, pk=survey_id)
    survey.workspace = workspace
    language = request.GET.get("language") or request.POST.get("wording_language")
    language = language if language in texts.LANGUAGES else survey.language
    errors: dict[str, str] = {}
    saved = request.GET.get("saved") == "1"
    if role not in EDITORS:
        return HttpResponseForbidden(VIEWERS_MESSAGE)
    if request.method == "POST":
        changes, errors = read_form(survey, request.POST)
        if not errors:
            try:
                update_survey(survey, changes)
            except InvalidInput as error:
                errors = error.errors
        if not errors:
            return redirect(f"{request.path}?language={language}&saved=1")
        survey = apply_quietly(survey, changes)
    return render(
        request,
        "console/survey_settings.html",
        settings_context(workspace, survey, role, language, errors, saved),
        status=422 if errors else 200,
    )


def apply_quietly(survey: Survey, changes: dict[str, object]) -> Survey:
    """The survey with the refused form's values, so the form shows what was typed."""
    shown = copy.copy(survey)
    for field, value in changes.items():
        setattr(shown, field, value)
    return shown


def settings_context(
    workspace: Workspace,
    survey: Survey,
    role: str,
    language: str,
    errors: dict[str, str],
    saved: bool,
) -> dict[str, object]:
    own = survey.texts.get(language, {}) if isinstance(survey.texts, dict) else {}
    wording = [
        (key, label, own.get(key, ""), texts.text(language, key, None, product=survey.product_name))
        for key, label in WORDING.items()
    ]
    questions = [
        {
            "id": q.get("id", ""),
            "type": q.get("type", "text"),
            "label": localized(q.get("label"), language, survey.language),
            "options": "\n".join(
                localized(o, language, survey.language) for o in q.get("options") or []
            ),
            "required": bool(q.get("required")),
        }
        for q in survey.extra_questions
        if isinstance(q, dict)
    ]
    questions += [{"id": "", "type": "text", "label": "", "options": "", "required": False}] * (
        QUESTION_ROWS - len(questions)
    )
    return {
        "workspace": workspace,
        "survey": survey,
        "role": role,
        "can_edit": role in EDITORS,
        "language": language,
        "languages": texts.LANGUAGES.items(),
        "wording": wording,
        "questions": questions[:QUESTION_ROWS],
        "types": TYPES,
        "audiences": CtaAudience.values,
        "positions": WidgetPosition.values,
        "targeting_rows": targeting_rows(survey),
        "targeting_accounts": ", ".join((survey.targeting or {}).get("accounts") or []),
        "targeting_tenure": (survey.targeting or {}).get("min_tenure_days") or "",
        "snippet": widget_snippet(workspace),
        "can_admin": role in ADMINS,
        "errors": errors,
        "saved": saved,
        "public_url": public_url(survey),
        "failed_asks": SurveyRequest.objects.filter(
            survey_id=survey.pk, status__in=("failed", "unknown")
        )
        .select_related("contact")
        .order_by("-updated_at")[:20],
    }


def targeting_rows(survey: Survey) -> list[tuple[int, str, str]]:
    """The rule builder's property rows: the survey's rules, then empty rows to add more."""
    properties = (survey.targeting or {}).get("properties") or {}
    rows = [
        (i, str(name), json.dumps(value) if isinstance(value, bool) else str(value))
        for i, (name, value) in enumerate(properties.items())
    ]
    return rows + [(i, "", "") for i in range(len(rows), TARGETING_ROWS)]


@xframe_options_sameorigin
@csp_replace({"frame-ancestors": [SELF]})
# Sandboxed frames (no scripts) showing an email, which can only be styled inline.
@csp_update({"style-src": [UNSAFE_INLINE]})  # type: ignore[arg-type]  # typed for (request) only
@login_required
@require_http_methods(["GET", "POST"])
def survey_preview(request: HttpRequest, slug: str, survey_id: int, kind: str) -> HttpResponse:
    """The email or the survey page as the settings form would make them, not saved. The
    settings page posts its form here as you type."""
    workspace, role = workspace_for(request.user, slug)
    if role not in EDITORS:
        return HttpResponseForbidden(VIEWERS_MESSAGE)
    survey = get_object_or_404(Survey, workspace=workspace, pk=survey_id)
    survey.workspace = workspace
    if kind not in PREVIEW_KINDS:
        return HttpResponse(status=404)
    language = request.POST.get("wording_language") or request.GET.get("language")
    language = language if language in texts.LANGUAGES else survey.language
    if request.method == "POST":
        changes, problems = read_form(survey, request.POST)
        if not problems:
            try:
                apply_changes(survey, changes)
            except InvalidInput as error:
                problems = error.errors
        if problems:
            return render(
                request, "console/preview_problem.html", {"problems": problems}, status=422
            )
    contact = Contact(
        workspace=workspace,
        email="alex@example.com",
        name="Alex Example",
        locale=language,
        properties={"plan": "pro"},
        account=Account(workspace=workspace, name="Example Corp"),
    )
    if kind == "email":
        ask = SurveyRequest(workspace=workspace, survey=survey, contact=contact, token="preview")
        context = email_context(ask)
        return render(request, "email/ask.html", {**context, "preview": True})
    score = request.GET.get("score", "9")
    value = int(score) if score.isdigit() and int(score) <= 10 else 9
    page = page_context(
        wording_for(survey, language, name=contact.name), score=value, response=None
    )
    page.update({"action": "#", "preview": True})
    return render(request, "respond/followup.html", page)
