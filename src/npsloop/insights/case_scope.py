"""Which cases the follow-up dashboard counts: the dashboard's filters (period, survey,
channel, wave) plus the case's owner and team, all from the URL.

Insights reads `loop`'s models here (and in followup.py, recovery.py) to count cases; it
never changes them — every case change stays with `loop/cases.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from npsloop.errors import InvalidInput
from npsloop.insights.filters import Filters
from npsloop.insights.metrics import moment
from npsloop.loop.models import Case, Team
from npsloop.workspaces.models import Member, Workspace

UNASSIGNED = "none"


@dataclass(frozen=True)
class CaseScope:
    """The dashboard filters and whose cases: one member's, nobody's (``unassigned``) or
    everyone's; one team's or every team's."""

    filters: Filters
    owner: Member | None = None
    unassigned: bool = False
    team: Team | None = None

    def params(self) -> dict[str, str]:
        params: dict[str, str] = {}
        if self.unassigned:
            params["owner"] = UNASSIGNED
        elif self.owner is not None:
            params["owner"] = str(self.owner.pk)
        if self.team is not None:
            params["team"] = str(self.team.pk)
        return params

    def bounds(self, workspace: Workspace) -> tuple[datetime, datetime]:
        """The period as moments: its first day's start, the day after its last's start."""
        zone = ZoneInfo(workspace.time_zone)
        return moment(self.filters.period.since, zone), moment(self.filters.period.until, zone)


def resolve_scope(workspace: Workspace, filters: Filters, params: dict[str, str]) -> CaseScope:
    """The owner and team a URL names, within this workspace; InvalidInput otherwise."""
    errors: dict[str, str] = {}
    owner = None
    unassigned = False
    if raw := params.get("owner", ""):
        if raw == UNASSIGNED:
            unassigned = True
        else:
            owner = (
                Member.objects.filter(workspace=workspace, pk=raw).select_related("user").first()
                if raw.isdigit()
                else None
            )
            if owner is None:
                errors["owner"] = (
                    f"no member {raw!r} in this workspace; choose one from the list, "
                    f"or {UNASSIGNED!r} for unassigned cases"
                )
    team = None
    if raw := params.get("team", ""):
        team = Team.objects.filter(workspace=workspace, pk=raw).first() if raw.isdigit() else None
        if team is None:
            errors["team"] = f"no team {raw!r} in this workspace; choose one from the list"
    if errors:
        raise InvalidInput(errors)
    return CaseScope(filters, owner, unassigned, team)


def cases_in(workspace: Workspace, scope: CaseScope, *, opened_in_period: bool) -> QuerySet[Case]:
    """The workspace's cases the scope lets through; those opened in the period, or (for
    the backlog over time) every one, whenever it opened."""
    filters = scope.filters
    rows = Case.objects.filter(workspace=workspace)
    if opened_in_period:
        since, until = scope.bounds(workspace)
        rows = rows.filter(opened_at__gte=since, opened_at__lt=until)
    if filters.survey is not None:
        rows = rows.filter(survey_id=filters.survey.pk)
    if filters.channel is not None:
        rows = rows.filter(response__channel=filters.channel)
    if filters.wave is not None:
        rows = rows.filter(response__wave=filters.wave or None)
    if scope.unassigned:
        rows = rows.filter(owner__isnull=True)
    elif scope.owner is not None:
        rows = rows.filter(owner_id=scope.owner.pk)
    if scope.team is not None:
        rows = rows.filter(team_id=scope.team.pk)
    return rows
