"""The settings of the closed loop (/w/<workspace>/settings/cases/): the rules that open
cases (the workspace's, or one survey's own), teams, outcomes, tags and routing. Every
member reads them; admins and owners change them, each change through its owner
(loop/configure.py, surveys/annotations.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from npsloop.console.access import ADMINS, workspace_for
from npsloop.errors import InvalidInput
from npsloop.loop import configure
from npsloop.loop.models import CaseKind, CaseRule, Outcome, Priority, Team
from npsloop.loop.routing import WORKERS
from npsloop.loop.rules import case_settings
from npsloop.stats import CATEGORIES
from npsloop.surveys.annotations import create_tag, delete_tag, rename_tag, tag_list
from npsloop.surveys.models import Survey, Tag
from npsloop.workspaces.models import Member, Workspace

DAYS = tuple(zip("1234567", ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), strict=True))
Action = Callable[[Workspace, Survey | None, QueryDict], None]


@login_required
@require_http_methods(["GET", "POST"])
def case_settings_page(request: HttpRequest, slug: str) -> HttpResponse:
    workspace, role = workspace_for(request.user, slug)
    survey = _survey(workspace, request.GET.get("survey", ""))
    errors: dict[str, str] = {}
    if request.method == "POST":
        if role not in ADMINS:
            return HttpResponseForbidden(
                "Only admins and owners change the rules, teams, outcomes and tags of cases."
            )
        action = ACTIONS.get(request.POST.get("action", ""))
        if action is None:
            errors["action"] = f"must be one of {', '.join(ACTIONS)}"
        else:
            try:
                action(workspace, survey, request.POST)
            except InvalidInput as error:
                errors = error.errors
        if not errors:
            query = {"saved": "1", **({"survey": str(survey.pk)} if survey else {})}
            return redirect(f"{request.path}?{urlencode(query)}")
    settings = case_settings(workspace)
    rules = CaseRule.objects.filter(workspace=workspace, survey=survey).select_related("team")
    return render(
        request,
        "console/case_settings.html",
        {
            "workspace": workspace,
            "can_edit": role in ADMINS,
            "errors": errors,
            "saved": request.GET.get("saved") == "1",
            "survey": survey,
            "surveys": Survey.objects.filter(workspace=workspace).order_by("name"),
            "rules": rules.order_by("position", "id"),
            "teams": Team.objects.filter(workspace=workspace)
            .prefetch_related("members__user")
            .order_by("name"),
            "outcomes": Outcome.objects.filter(workspace=workspace).order_by("position", "id"),
            "tags": tag_list(workspace),
            "settings": settings,
            "workers": Member.objects.filter(workspace=workspace, role__in=WORKERS)
            .select_related("user")
            .order_by("user__email"),
            "categories": CATEGORIES,
            "kinds": CaseKind.choices,
            "priorities": Priority.choices,
            "days": DAYS,
        },
        status=422 if errors else 200,
    )


def _survey(workspace: Workspace, raw: str) -> Survey | None:
    if not raw:
        return None
    survey = Survey.objects.filter(workspace=workspace, pk=raw).first() if raw.isdigit() else None
    if survey is None:
        raise Http404("no such survey in this workspace")
    return survey


def _number(form: QueryDict, name: str) -> int:
    raw = form.get(name, "").strip()
    if not raw.isdigit():
        raise InvalidInput({name: f"must be a whole number, got {raw!r}"})
    return int(raw)


def _optional_id(form: QueryDict, name: str) -> int | None:
    raw = form.get(name, "").strip()
    return _number(form, name) if raw else None


def _rule_data(form: QueryDict) -> configure.RuleData:
    return configure.RuleData(
        name=form.get("name", ""),
        categories=form.getlist("categories"),
        due_hours=_number(form, "due_hours"),
        kind=form.get("kind", CaseKind.FOLLOW_UP),
        priority=form.get("priority", Priority.NORMAL),
        needs_comment=form.get("needs_comment") == "on",
        property_name=form.get("property_name", ""),
        property_value=form.get("property_value", ""),
        team_id=_optional_id(form, "team"),
        enabled=form.get("enabled") == "on",
    )


def _rule(workspace: Workspace, form: QueryDict) -> CaseRule:
    return get_object_or_404(CaseRule, workspace=workspace, pk=_number(form, "rule"))


def _team(workspace: Workspace, form: QueryDict) -> Team:
    return get_object_or_404(Team, workspace=workspace, pk=_number(form, "team"))


def _outcome(workspace: Workspace, form: QueryDict) -> Outcome:
    return get_object_or_404(Outcome, workspace=workspace, pk=_number(form, "outcome"))


def _tag(workspace: Workspace, form: QueryDict) -> Tag:
    return get_object_or_404(Tag, workspace=workspace, pk=_number(form, "tag"))


def _members(form: QueryDict) -> list[int]:
    raw = form.getlist("members")
    if not all(value.isdigit() for value in raw):
        raise InvalidInput({"members": "must be members of this workspace"})
    return [int(value) for value in raw]


def _time(form: QueryDict, name: str) -> time | str:
    try:
        return time.fromisoformat(form.get(name, "").strip())
    except ValueError:
        return form.get(name, "")  # refused by update_case_settings with its message


def _routing(workspace: Workspace, survey: Survey | None, form: QueryDict) -> None:
    configure.update_case_settings(
        workspace,
        {
            "owner_property": form.get("owner_property", ""),
            "default_owner": _optional_id(form, "default_owner"),
            "business_hours": form.get("business_hours") == "on",
            "business_days": "".join(form.getlist("business_days")),
            "day_starts": _time(form, "day_starts"),
            "day_ends": _time(form, "day_ends"),
        },
    )


def _rule_add(ws: Workspace, survey: Survey | None, form: QueryDict) -> None:
    configure.save_rule(ws, _rule_data(form), survey=survey)


def _rule_save(ws: Workspace, survey: Survey | None, form: QueryDict) -> None:
    configure.save_rule(ws, _rule_data(form), rule=_rule(ws, form))


def _team_add(ws: Workspace, survey: Survey | None, form: QueryDict) -> None:
    configure.save_team(ws, form.get("name", ""), _members(form))


def _team_save(ws: Workspace, survey: Survey | None, form: QueryDict) -> None:
    configure.save_team(ws, form.get("name", ""), _members(form), team=_team(ws, form))


def _outcome_add(ws: Workspace, survey: Survey | None, form: QueryDict) -> None:
    configure.save_outcome(ws, form.get("name", ""))


def _outcome_save(ws: Workspace, survey: Survey | None, form: QueryDict) -> None:
    active = form.get("active") == "on"
    configure.save_outcome(ws, form.get("name", ""), outcome=_outcome(ws, form), active=active)


def _tag_add(ws: Workspace, survey: Survey | None, form: QueryDict) -> None:
    create_tag(ws, form.get("name", ""))


def _tag_rename(ws: Workspace, survey: Survey | None, form: QueryDict) -> None:
    rename_tag(_tag(ws, form), form.get("name", ""))


ACTIONS: dict[str, Action] = {
    "rule_add": _rule_add,
    "rule_save": _rule_save,
    "rule_up": lambda ws, survey, form: configure.move_rule(_rule(ws, form), -1),
    "rule_down": lambda ws, survey, form: configure.move_rule(_rule(ws, form), 1),
    "rule_delete": lambda ws, survey, form: configure.delete_rule(_rule(ws, form)),
    "team_add": _team_add,
    "team_save": _team_save,
    "team_delete": lambda ws, survey, form: configure.delete_team(_team(ws, form)),
    "outcome_add": _outcome_add,
    "outcome_save": _outcome_save,
    "outcome_up": lambda ws, survey, form: configure.move_outcome(_outcome(ws, form), -1),
    "outcome_down": lambda ws, survey, form: configure.move_outcome(_outcome(ws, form), 1),
    "tag_add": _tag_add,
    "tag_rename": _tag_rename,
    "tag_delete": lambda ws, survey, form: delete_tag(_tag(ws, form)),
    "routing": _routing,
}
