"""Which cases a list shows: the inbox's filters, named as people name things (an owner by
email, a team and a tag by name, an account by external id), checked against the
workspace; and the list's order, by due time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from npsloop.contacts.models import Account
from npsloop.errors import InvalidInput
from npsloop.loop.models import Case, CaseKind, CaseStatus, Team
from npsloop.stats import CATEGORIES
from npsloop.surveys.annotations import tags_named
from npsloop.surveys.models import Survey
from npsloop.workspaces.models import Member, Workspace

# The owner filter's word for "nobody owns it" (an email always has an @).
UNASSIGNED = "none"


@dataclass(frozen=True)
class CaseFilters:
    """Every filter is optional; given ones combine with AND. Times are aware datetimes."""

    status: str | None = None
    category: str | None = None
    kind: str | None = None
    survey: int | None = None
    owner: str | None = None
    team: str | None = None
    account: str | None = None
    tag: str | None = None
    opened_after: datetime | None = None
    opened_before: datetime | None = None
    due_before: datetime | None = None
    overdue: bool | None = None


def cases_matching(
    workspace: Workspace, filters: CaseFilters, *, now: datetime | None = None
) -> QuerySet[Case]:
    """The workspace's cases the filters let through, with what case_data shows fetched
    along. InvalidInput names every filter that names nothing of the workspace."""
    errors: dict[str, str] = {}
    rows = Case.objects.filter(workspace=workspace)
    if filters.status is not None:
        if filters.status not in CaseStatus.values:
            errors["status"] = _one_of(CaseStatus.values, filters.status)
        rows = rows.filter(status=filters.status)
    if filters.category is not None:
        if filters.category not in CATEGORIES:
            errors["category"] = _one_of(CATEGORIES, filters.category)
        rows = rows.filter(category=filters.category)
    if filters.kind is not None:
        if filters.kind not in CaseKind.values:
            errors["kind"] = _one_of(CaseKind.values, filters.kind)
        rows = rows.filter(kind=filters.kind)
    if filters.survey is not None:
        if not Survey.objects.filter(workspace=workspace, pk=filters.survey).exists():
            errors["survey"] = f"no survey with id {filters.survey} in this workspace"
        rows = rows.filter(survey_id=filters.survey)
    if filters.owner is not None:
        rows = _by_owner(rows, workspace, filters.owner, errors)
    if filters.team is not None:
        team = Team.objects.filter(workspace=workspace, name__iexact=filters.team.strip()).first()
        if team is None:
            teams = Team.objects.filter(workspace=workspace).order_by("name")
            known = ", ".join(teams.values_list("name", flat=True))
            errors["team"] = f"no team named {filters.team!r}; teams: {known or 'none yet'}"
        rows = rows.filter(team=team)
    if filters.account is not None:
        account = Account.objects.filter(workspace=workspace, external_id=filters.account).first()
        if account is None:
            errors["account"] = f"no account with external id {filters.account!r} in this workspace"
        rows = rows.filter(account=account)
    if filters.tag is not None:
        try:
            [tag] = tags_named(workspace, [filters.tag])
        except InvalidInput as error:
            errors["tag"] = error.errors["tags"]
        else:
            rows = rows.filter(response__tag_links__tag=tag)
    if filters.opened_after is not None:
        rows = rows.filter(opened_at__gte=filters.opened_after)
    if filters.opened_before is not None:
        rows = rows.filter(opened_at__lt=filters.opened_before)
    if filters.due_before is not None:
        rows = rows.filter(due_at__lt=filters.due_before)
    if filters.overdue is not None:
        # Overdue as case.overdue means it: still open (nobody contacted) past its due time.
        late = Q(status=CaseStatus.OPEN, due_at__lt=now or timezone.now())
        rows = rows.filter(late) if filters.overdue else rows.exclude(late)
    if errors:
        raise InvalidInput(errors)
    return with_details(rows)


def with_details(rows: QuerySet[Case]) -> QuerySet[Case]:
    """Cases with what case_data shows of their owner, team, outcome, contact and account
    fetched along (their tags: surveys.annotations.tags_by_response, once per page)."""
    return rows.select_related("owner__user", "team", "outcome", "contact", "account")


def _by_owner(
    rows: QuerySet[Case], workspace: Workspace, owner: str, errors: dict[str, str]
) -> QuerySet[Case]:
    if owner.strip().lower() == UNASSIGNED:
        return rows.filter(owner__isnull=True)
    member = Member.objects.filter(workspace=workspace, user__email__iexact=owner.strip()).first()
    if member is None:
        errors["owner"] = (
            f"no member with email {owner!r} in this workspace; "
            f"give a member's email, or {UNASSIGNED!r} for unassigned cases"
        )
    return rows.filter(owner=member)


def _one_of(accepted: tuple[str, ...] | list[str], got: str) -> str:
    return f"must be one of {', '.join(accepted)}, got {got!r}"
