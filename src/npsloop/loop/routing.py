"""Who owns a new case: the member the contact's or account's owner property names, else
the rule's team in turn, else the workspace's default owner; nobody when there is none."""

from __future__ import annotations

from dataclasses import dataclass

from npsloop.loop.models import CaseRule, CaseSettings, Team
from npsloop.surveys.models import Response
from npsloop.workspaces.models import Member, Role

# Viewers read cases; the others work them.
WORKERS = (Role.EDITOR, Role.ADMIN, Role.OWNER)


@dataclass(frozen=True)
class Routed:
    owner: Member | None
    team: Team | None
    why: str


def route(response: Response, rule: CaseRule, settings: CaseSettings) -> Routed:
    """Called inside the transaction that opens the case (a team's turn is taken with its
    row locked, so two cases opened at once go to two members)."""
    named = _named_owner(response, settings)
    if named is not None:
        return Routed(named, rule.team, f"{settings.owner_property} names them")
    if rule.team_id is not None:
        member, team = _next_in_team(rule.team_id)
        if member is not None:
            return Routed(member, team, f"{team.name}'s turn")
    if settings.default_owner_id is not None:
        default = Member.objects.filter(
            pk=settings.default_owner_id, role__in=WORKERS
        ).select_related("user")
        owner = default.first()
        if owner is not None:
            return Routed(owner, rule.team, "the workspace's default owner")
    return Routed(None, rule.team, "nobody to route to")


def _named_owner(response: Response, settings: CaseSettings) -> Member | None:
    prop = settings.owner_property
    if not prop:
        return None
    sources = []
    if response.contact is not None:
        sources.append(response.contact.properties or {})
    sources.append(response.properties or {})
    if response.account is not None:
        sources.append(response.account.properties or {})
    for props in sources:
        email = props.get(prop)
        if isinstance(email, str) and email.strip():
            return (
                Member.objects.filter(
                    workspace_id=response.workspace_id,
                    user__email__iexact=email.strip(),
                    role__in=WORKERS,
                )
                .select_related("user")
                .first()
            )
    return None


def _next_in_team(team_id: int) -> tuple[Member | None, Team]:
    team = Team.objects.select_for_update().get(pk=team_id)
    members = list(team.members.filter(role__in=WORKERS).select_related("user").order_by("pk"))
    if not members:
        return None, team
    member = members[team.turns % len(members)]
    team.turns += 1
    team.save(update_fields=["turns"])
    return member, team
