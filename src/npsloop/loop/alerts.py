"""Who is told of a case by email, and how each member chose to be told.

An alert is queued in the transaction that opens the case or gives it a new owner (called
by loop/cases.py): the case and its alert commit together, so no case opens untold and no
alert names a case that was rolled back, and nothing waits for another follower of the log.
The sender (loop/alert_sending.py) picks the rows up within seconds.

A case with an owner tells its owner. A case without one tells, in turn, the members of
its team who work cases, else the workspace's default owner, else its admins and owners:
someone must hear of it to pick it up. (When a case opens, routing has already given it to
the team or the default owner if it could, so an unassigned new case tells the admins; a
case a person unassigns tells its team, or the default owner.)
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth.models import User

from npsloop.errors import InvalidInput
from npsloop.loop.models import Alert, Case
from npsloop.loop.routing import WORKERS
from npsloop.loop.rules import case_settings
from npsloop.surveys.models import Category
from npsloop.workspaces.models import CaseAlerts, Member, Role

# A member's alerts go out once the oldest has waited this long, all in one email: cases
# opened for them within the same half minute come together, and the first still reaches
# them well within a minute.
GATHER = timedelta(seconds=30)
# Older answers open cases without alerts: see alert_opened.
FRESH = timedelta(days=1)


def alert_opened(case: Case, at: datetime) -> int:
    """Queue the emails telling of a case that just opened, unless its answer is old news:
    a case opened for an answer given more than FRESH before (a historical import, the demo
    workspace's months of answers) is in the inbox, not in anyone's mailbox."""
    if case.response.created_at < at - FRESH:
        return 0
    return queue_alerts(case, at)


def queue_alerts(case: Case, at: datetime, *, by: User | None = None) -> int:
    """Queue the emails telling of a case that opened, came to a new owner or was left
    without one; returns how many members will be told. Members hear of a case once (a
    case given back to them tells them nothing new), and nobody is told of a change they
    made themselves."""
    alerts = [
        Alert(
            workspace_id=case.workspace_id,
            member=member,
            case=case,
            reason=reason,
            daily=member.case_alerts == CaseAlerts.DAILY,
            send_after=at + GATHER,
            created_at=at,
        )
        for member, reason in recipients(case)
        if wants(member, case) and (by is None or member.user_id != by.pk)
    ]
    Alert.objects.bulk_create(alerts, ignore_conflicts=True)
    return len(alerts)


def recipients(case: Case) -> list[tuple[Member, str]]:
    """The members to tell of the case, each with why."""
    if case.owner is not None:
        return [(case.owner, "owner")]
    members = Member.objects.filter(workspace_id=case.workspace_id).select_related("user")
    if case.team_id is not None:
        team = list(members.filter(teams=case.team_id, role__in=WORKERS).order_by("pk"))
        if team:
            return [(member, "team") for member in team]
    default_owner_id = case_settings(case.workspace).default_owner_id
    if default_owner_id is not None:
        default = members.filter(pk=default_owner_id, role__in=WORKERS).first()
        if default is not None:
            return [(default, "default owner")]
    admins = members.filter(role__in=(Role.OWNER, Role.ADMIN)).order_by("pk")
    return [(member, "admin") for member in admins]


def wants(member: Member, case: Case) -> bool:
    """Whether the member's choice lets this case through, and there is an address."""
    user = member.user
    if not user.is_active or not user.email:
        return False
    if member.case_alerts == CaseAlerts.NONE:
        return False
    if member.case_alerts == CaseAlerts.DETRACTORS:
        return case.opened_category == Category.DETRACTOR
    return True


def choose_case_alerts(member: Member, choice: str) -> Member:
    """A member's own choice of which case emails they get."""
    if choice not in CaseAlerts.values:
        raise InvalidInput(
            {"case_alerts": f"must be one of {', '.join(CaseAlerts.values)}, got {choice!r}"}
        )
    if member.case_alerts != choice:
        member.case_alerts = choice
        member.save(update_fields=["case_alerts"])
    return member
