"""A survey's programme page: the waves as a timeline, every number editable, and the
forecast of asks per day with the contacts each rule keeps out."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from npsloop.console.access import EDITORS, VIEWERS_MESSAGE, workspace_for
from npsloop.errors import InvalidInput
from npsloop.moments import BadMoment, checked_moment
from npsloop.program.models import Programme, ProgrammeKind
from npsloop.program.planner import forecast, plan
from npsloop.program.programmes import DAYS, programme_of, update_programme
from npsloop.surveys.models import Survey

WIDTH = 720
FORECAST_DAYS = (30, 90, 180)


@login_required
@require_http_methods(["GET", "POST"])
def programme_page(request: HttpRequest, slug: str, survey_id: int) -> HttpResponse:
    workspace, role = workspace_for(request.user, slug)
    survey = get_object_or_404(Survey, workspace=workspace, pk=survey_id)
    survey.workspace = workspace
    programme = programme_of(survey)
    errors: dict[str, str] = {}
    if role not in EDITORS:
        return HttpResponseForbidden(VIEWERS_MESSAGE)
    if request.method == "POST":
        changes, errors = read_form(request.POST)
        if not errors:
            try:
                update_programme(programme, changes)
            except InvalidInput as error:
                errors = error.errors
        if not errors:
            return redirect(f"{request.path}?saved=1")
    days = request.GET.get("days", "")
    context: dict[str, Any] = {
        "workspace": workspace,
        "survey": survey,
        "programme": programme,
        "can_edit": role in EDITORS,
        "errors": errors,
        "saved": request.GET.get("saved") == "1",
        "kinds": ProgrammeKind.choices,
        "channel_orders": channel_orders(),
        "timeline": timeline(programme),
        "width": WIDTH,
        "forecast_days": FORECAST_DAYS,
        "form": request.POST if errors else None,
    }
    if days.isdigit() and int(days) in FORECAST_DAYS:
        ahead = forecast(survey, int(days))
        today = plan(survey, dry_run=True)
        peak = max((count for _, count in ahead.days), default=0) or 1
        context.update(
            {
                "days": int(days),
                "forecast": [
                    (day, count, round(160 * count / peak), i * (WIDTH // int(days)))
                    for i, (day, count) in enumerate(ahead.days)
                ],
                "baseline": 165,
                "bar_width": max(WIDTH // int(days) - 1, 1),
                "forecast_total": sum(count for _, count in ahead.days),
                "excluded": sorted(today.excluded.items(), key=lambda item: -item[1]),
                "due_now": sum(today.waves.values()),
            }
        )
    return render(request, "console/programme.html", context, status=422 if errors else 200)


def channel_orders() -> list[tuple[str, str]]:
    return [
        ("email", "email"),
        ("in-app", "in-app only"),
        ("in-app,email", "in-app first, email if not shown in time"),
        ("email,in-app", "email first, then in-app"),
    ]


def read_form(form: QueryDict) -> tuple[dict[str, Any], dict[str, str]]:
    changes: dict[str, Any] = {"enabled": form.get("enabled") == "on", "kind": form.get("kind")}
    errors: dict[str, str] = {}
    for name in (*DAYS, "sample_percent", "daily_cap", "account_cap_per_week"):
        value = form.get(name, "").strip()
        if value == "" and name in ("daily_cap", "account_cap_per_week"):
            changes[name] = None
        elif value.isdigit():
            changes[name] = int(value)
        else:
            errors[name] = f"must be a whole number, got {value!r}"
    percent = form.get("daily_cap_percent", "").strip()
    try:
        changes["daily_cap_percent"] = float(percent) if percent else None
    except ValueError:
        errors["daily_cap_percent"] = f"must be a number, got {percent!r}"
    channels = [c for c in form.get("channels", "email").split(",") if c]
    changes["channels"] = channels
    when = form.get("one_off_at", "").strip()
    changes["one_off_at"] = None
    if when:
        try:
            changes["one_off_at"] = checked_moment(when)
        except BadMoment as error:
            errors["one_off_at"] = str(error)
    return changes, errors


def timeline(programme: Programme) -> dict[str, Any]:
    """The waves of one contact drawn from signup: windows as bars, fixed days as ticks."""
    p = programme
    if p.kind == ProgrammeKind.RECURRING:
        marks = [
            (f"every {p.every_days} days", p.min_tenure_days + p.every_days * k, None)
            for k in range(4)
        ]
        spans = [("tenure reached", p.min_tenure_days, p.min_tenure_days + p.every_days)]
        end = p.min_tenure_days + p.every_days * 4
    elif p.kind == ProgrammeKind.ONE_OFF:
        return {"one_off": True}
    else:
        second = (p.initial_min_days + p.second_min_days, p.initial_max_days + p.second_max_days)
        third = second[1] + p.third_days
        spans = [
            (
                f"initial: {p.initial_min_days}-{p.initial_max_days} days after signup",
                p.initial_min_days,
                p.initial_max_days,
            ),
            (
                f"moment of truth: {p.second_min_days}-{p.second_max_days} days later",
                second[0],
                second[1],
            ),
        ]
        marks = [(f"third: {p.third_days} days later", third, None)] + [
            (f"then every {p.every_days} days", third + p.every_days * k, None) for k in range(1, 4)
        ]
        end = third + p.every_days * 3
    scale = (WIDTH - 40) / max(end, 1)
    return {
        "one_off": False,
        "spans": [
            (label, round(20 + a * scale), max(round((b - a) * scale), 3), 18 + 34 * i)
            for i, (label, a, b) in enumerate(spans)
        ],
        "marks": [(label, round(20 + a * scale)) for label, a, _ in marks],
        "end_days": end,
    }
