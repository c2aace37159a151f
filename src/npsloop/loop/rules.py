"""Which answers open a case: a workspace's rules (or a survey's own), with the defaults
every workspace starts from."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from npsloop.loop.models import CaseKind, CaseRule, CaseSettings, Outcome, Priority
from npsloop.surveys.models import Category, Response
from npsloop.workspaces.models import Workspace


@dataclass(frozen=True)
class DefaultRule:
    name: str
    categories: tuple[str, ...]
    kind: str
    due_hours: int
    needs_comment: bool = False
    priority: str = Priority.NORMAL


# Every detractor within 48 hours; a passive who said why within 5 days; promoters for
# whoever asks for reviews and case studies, within a week.
DEFAULT_RULES = (
    DefaultRule(
        "Detractors", (Category.DETRACTOR,), CaseKind.FOLLOW_UP, 48, priority=Priority.HIGH
    ),
    DefaultRule("Passives who commented", (Category.PASSIVE,), CaseKind.FOLLOW_UP, 5 * 24, True),
    DefaultRule("Promoters (advocacy)", (Category.PROMOTER,), CaseKind.ADVOCACY, 7 * 24),
)
DEFAULT_OUTCOMES = (
    "Fixed",
    "Explained",
    "Feature request logged",
    "Churn risk",
    "No reply",
)


def case_settings(workspace: Workspace) -> CaseSettings:
    """The workspace's settings of the loop; the first call also gives the workspace the
    default rules and outcomes (one transaction, so two callers never both do)."""
    try:
        return workspace.case_settings
    except CaseSettings.DoesNotExist:
        pass
    with transaction.atomic():
        found, created = CaseSettings.objects.get_or_create(workspace=workspace)
        if created:
            CaseRule.objects.bulk_create(
                CaseRule(
                    workspace=workspace,
                    position=position,
                    name=rule.name,
                    categories=list(rule.categories),
                    needs_comment=rule.needs_comment,
                    kind=rule.kind,
                    due_hours=rule.due_hours,
                    priority=rule.priority,
                )
                for position, rule in enumerate(DEFAULT_RULES)
            )
            Outcome.objects.bulk_create(
                Outcome(workspace=workspace, name=name, position=position)
                for position, name in enumerate(DEFAULT_OUTCOMES)
            )
    workspace.case_settings = found
    return found


def rules_for(workspace: Workspace, survey_id: int) -> list[CaseRule]:
    """The enabled rules that apply to a survey's answers, in order: the survey's own if
    it has any (enabled or not: disabling them all turns cases off for it), else the
    workspace's."""
    case_settings(workspace)
    rules = list(
        CaseRule.objects.filter(workspace=workspace)
        .filter(Q(survey_id=survey_id) | Q(survey__isnull=True))
        .select_related("team")
        .order_by("position", "id")
    )
    own = [rule for rule in rules if rule.survey_id == survey_id]
    return [rule for rule in (own or rules) if rule.enabled]


class Rulebook:
    """A workspace's case settings and its rules per survey, read once for a batch of
    answers (the follower reads hundreds at a time)."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.settings = case_settings(workspace)
        self._rules: dict[int, list[CaseRule]] = {}

    def rules(self, survey_id: int) -> list[CaseRule]:
        if survey_id not in self._rules:
            self._rules[survey_id] = rules_for(self.workspace, survey_id)
        return self._rules[survey_id]


def matching_rule(rules: list[CaseRule], response: Response) -> CaseRule | None:
    """The first rule the answer matches, or None (no case)."""
    for rule in rules:
        if response.category not in rule.categories:
            continue
        if rule.needs_comment and not response.comment.strip():
            continue
        if rule.property_name and not _has_property(response, rule):
            continue
        return rule
    return None


def _has_property(response: Response, rule: CaseRule) -> bool:
    """The answer's contact, as it was when answering (the snapshot), or its account has
    the property with the value (compared as text, case-insensitively)."""
    wanted = rule.property_value.strip().casefold()
    sources = [response.properties or {}]
    if response.contact is not None:
        sources.append(response.contact.properties or {})
    if response.account is not None:
        sources.append(response.account.properties or {})
    return any(
        rule.property_name in props and str(props[rule.property_name]).casefold() == wanted
        for props in sources
    )
