"""The owner of a workspace's loop configuration: its case rules (in order), teams, outcomes
and routing settings. Each change checks what it is given and says what is accepted.

These are configuration, not events in a case's life: they write no event rows (the
integrations that follow the log hear of cases, not of how cases are set up).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max

from npsloop.errors import InvalidInput
from npsloop.loop.models import CaseKind, CaseRule, CaseSettings, Outcome, Priority, Team
from npsloop.loop.routing import WORKERS
from npsloop.loop.rules import case_settings
from npsloop.stats import CATEGORIES
from npsloop.surveys.models import Survey
from npsloop.workspaces.models import Member, Workspace

MAX_DUE_HOURS = 24 * 90
MAX_NAME = 100
WEEKDAYS = "1234567"  # ISO: Monday 1 … Sunday 7


@dataclass
class RuleData:
    name: str
    categories: list[str]
    due_hours: int
    kind: str = CaseKind.FOLLOW_UP
    priority: str = Priority.NORMAL
    needs_comment: bool = False
    property_name: str = ""
    property_value: str = ""
    team_id: int | None = None
    enabled: bool = True


def save_rule(
    workspace: Workspace,
    data: RuleData,
    *,
    rule: CaseRule | None = None,
    survey: Survey | None = None,
) -> CaseRule:
    """Add a rule at the end of the workspace's (or the survey's) list, or change one."""
    case_settings(workspace)  # the defaults first, so a first rule doesn't come before them
    errors: dict[str, str] = {}
    name = _name(data.name, errors)
    categories = [c for c in CATEGORIES if c in data.categories]
    unknown = [c for c in data.categories if c not in CATEGORIES]
    if not categories or unknown:
        errors["categories"] = f"choose at least one of {', '.join(CATEGORIES)}" + (
            f"; got {', '.join(map(repr, unknown))}" if unknown else ""
        )
    if not 1 <= data.due_hours <= MAX_DUE_HOURS:
        errors["due_hours"] = (
            f"must be from 1 to {MAX_DUE_HOURS} hours (90 days), got {data.due_hours}"
        )
    if data.kind not in CaseKind.values:
        errors["kind"] = f"must be one of {', '.join(CaseKind.values)}, got {data.kind!r}"
    if data.priority not in Priority.values:
        errors["priority"] = f"must be one of {', '.join(Priority.values)}, got {data.priority!r}"
    property_name = data.property_name.strip()
    property_value = data.property_value.strip()
    if len(property_name) > MAX_NAME:
        errors["property_name"] = f"must be at most {MAX_NAME} characters"
    if len(property_value) > 200:
        errors["property_value"] = "must be at most 200 characters"
    if property_name and not property_value:
        errors["property_value"] = f"give the value {property_name!r} must have (e.g. enterprise)"
    if property_value and not property_name:
        errors["property_name"] = "give the property the value is of (e.g. plan)"
    team = None
    if data.team_id is not None:
        team = Team.objects.filter(workspace=workspace, pk=data.team_id).first()
        if team is None:
            errors["team"] = "must be one of this workspace's teams"
    if survey is not None and survey.workspace_id != workspace.pk:
        errors["survey"] = "must be one of this workspace's surveys"
    if rule is not None and rule.workspace_id != workspace.pk:
        errors["rule"] = "must be one of this workspace's rules"
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        if rule is None:
            rule = CaseRule(workspace=workspace, survey=survey, position=_end_of(workspace, survey))
        rule.name = name
        rule.categories = categories
        rule.due_hours = data.due_hours
        rule.kind = data.kind
        rule.priority = data.priority
        rule.needs_comment = data.needs_comment
        rule.property_name = property_name
        rule.property_value = property_value
        rule.team = team
        rule.enabled = data.enabled
        rule.save()
    return rule


def _end_of(workspace: Workspace, survey: Survey | None) -> int:
    last = CaseRule.objects.filter(workspace=workspace, survey=survey).aggregate(
        last=Max("position")
    )["last"]
    return 0 if last is None else last + 1


def move_rule(rule: CaseRule, step: int) -> None:
    """One place up (-1) or down (+1) among the rules of its list; the ends stay put."""
    with transaction.atomic():
        rules = list(
            CaseRule.objects.select_for_update()
            .filter(workspace_id=rule.workspace_id, survey=rule.survey)
            .order_by("position", "id")
        )
        _reorder(rules, rule.pk, step)


def delete_rule(rule: CaseRule) -> None:
    """Cases it opened stay, without their rule."""
    rule.delete()


def save_team(
    workspace: Workspace, name: str, member_ids: list[int], *, team: Team | None = None
) -> Team:
    """Add a team or change one: its name (unique in the workspace in any letter case) and
    its members (members of the workspace who work cases)."""
    errors: dict[str, str] = {}
    clean = _name(name, errors)
    members = list(Member.objects.filter(workspace=workspace, pk__in=member_ids, role__in=WORKERS))
    if len(members) != len(set(member_ids)):
        errors["members"] = (
            "must be members of this workspace who work cases (editors, admins, owners)"
        )
    if team is not None and team.workspace_id != workspace.pk:
        errors["team"] = "must be one of this workspace's teams"
    taken = Team.objects.filter(workspace=workspace, name__iexact=clean)
    if team is not None:
        taken = taken.exclude(pk=team.pk)
    if clean and taken.exists():
        errors["name"] = f"there is a team named {clean!r} already"
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        if team is None:
            team = Team(workspace=workspace)
        team.name = clean
        try:
            with transaction.atomic():
                team.save()
        except IntegrityError:
            raise InvalidInput({"name": f"there is a team named {clean!r} already"}) from None
        team.members.set(members)
    return team


def delete_team(team: Team) -> None:
    """Its rules and cases stay, without a team."""
    team.delete()


def save_outcome(
    workspace: Workspace, name: str, *, outcome: Outcome | None = None, active: bool = True
) -> Outcome:
    """Add an outcome at the end of the list, or rename one or switch it on or off. An
    outcome is never deleted: closed cases keep saying how they ended."""
    errors: dict[str, str] = {}
    clean = _name(name, errors)
    if outcome is not None and outcome.workspace_id != workspace.pk:
        errors["outcome"] = "must be one of this workspace's outcomes"
    taken = Outcome.objects.filter(workspace=workspace, name__iexact=clean)
    if outcome is not None:
        taken = taken.exclude(pk=outcome.pk)
    if clean and taken.exists():
        errors["name"] = f"there is an outcome named {clean!r} already"
    if errors:
        raise InvalidInput(errors)
    case_settings(workspace)
    with transaction.atomic():
        if outcome is None:
            last = Outcome.objects.filter(workspace=workspace).aggregate(last=Max("position"))
            outcome = Outcome(
                workspace=workspace, position=0 if last["last"] is None else last["last"] + 1
            )
        outcome.name = clean
        outcome.is_active = active
        try:
            with transaction.atomic():
                outcome.save()
        except IntegrityError:
            raise InvalidInput({"name": f"there is an outcome named {clean!r} already"}) from None
    return outcome


def move_outcome(outcome: Outcome, step: int) -> None:
    with transaction.atomic():
        outcomes = list(
            Outcome.objects.select_for_update()
            .filter(workspace_id=outcome.workspace_id)
            .order_by("position", "id")
        )
        _reorder(outcomes, outcome.pk, step)


def update_case_settings(workspace: Workspace, changes: dict[str, Any]) -> CaseSettings:
    """Change how cases are routed and timed: owner_property, default_owner (a Member id or
    None), business_hours, business_days ("12345"), day_starts and day_ends (times)."""
    found = case_settings(workspace)
    errors: dict[str, str] = {}
    if "owner_property" in changes:
        prop = str(changes["owner_property"]).strip()
        if len(prop) > MAX_NAME:
            errors["owner_property"] = f"must be at most {MAX_NAME} characters"
        found.owner_property = prop
    if "default_owner" in changes:
        owner_id = changes["default_owner"]
        owner = None
        if owner_id is not None:
            owner = Member.objects.filter(
                workspace=workspace, pk=owner_id, role__in=WORKERS
            ).first()
            if owner is None:
                errors["default_owner"] = (
                    "must be a member of this workspace who works cases (editor, admin or "
                    "owner), or nobody"
                )
        found.default_owner = owner
    if "business_hours" in changes:
        found.business_hours = bool(changes["business_hours"])
    if "business_days" in changes:
        days = "".join(sorted(set(str(changes["business_days"]))))
        if not days or any(day not in WEEKDAYS for day in days):
            errors["business_days"] = "choose at least one day from Monday to Sunday"
        found.business_days = days
    for name in ("day_starts", "day_ends"):
        if name in changes:
            value = changes[name]
            if not isinstance(value, time):
                errors[name] = "must be a time of day like 09:00"
            else:
                setattr(found, name, value)
    times_read = "day_starts" not in errors and "day_ends" not in errors
    if times_read and found.day_starts >= found.day_ends:
        errors["day_ends"] = (
            f"must be after the start of the day ({found.day_starts:%H:%M}), "
            f"got {found.day_ends:%H:%M}"
        )
    if errors:
        found.refresh_from_db()  # the cached settings stay as they are stored
        raise InvalidInput(errors)
    found.save()
    return found


def _name(name: str, errors: dict[str, str]) -> str:
    clean = " ".join(str(name).split())
    if not clean or len(clean) > MAX_NAME:
        errors["name"] = f"must be a name of 1 to {MAX_NAME} characters, got {len(clean)}"
    return clean


def _reorder(items: list[Any], pk: int, step: int) -> None:
    """Move the item with this pk by ``step`` places and number the list 0, 1, 2, …"""
    if step not in (-1, 1):
        raise InvalidInput({"move": "must be up or down"})
    index = next((i for i, item in enumerate(items) if item.pk == pk), None)
    if index is None:
        return
    target = index + step
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
    for position, item in enumerate(items):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])
