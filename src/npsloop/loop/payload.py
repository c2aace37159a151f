"""A case as the outside world sees it: the shape of GET /api/v1/cases/{id}, and the data
of its events."""

from __future__ import annotations

from typing import Any

from npsloop.events.log import moment
from npsloop.loop.models import Case
from npsloop.workspaces.models import Member


def case_data(case: Case) -> dict[str, Any]:
    contact = case.contact
    return {
        "id": case.pk,
        "response": case.response_id,
        "survey": case.survey_id,
        "contact": {"external_id": contact.external_id, "email": contact.email}
        if contact
        else None,
        "account": case.account.external_id if case.account else None,
        "kind": case.kind,
        "status": case.status,
        "owner": person(case.owner),
        "team": case.team.name if case.team else None,
        "priority": case.priority,
        "outcome": case.outcome.name if case.outcome else None,
        "category": case.category,
        "opened_category": case.opened_category,
        "recovered": case.recovered,
        "due_at": moment(case.due_at),
        "opened_at": moment(case.opened_at),
        "first_contacted_at": moment(case.first_contacted_at),
        "closed_at": moment(case.closed_at),
        "version": case.version,
    }


def person(member: Member | None) -> dict[str, str] | None:
    """A member as events and the API name them."""
    if member is None:
        return None
    user = member.user
    return {"email": user.email, "name": user.get_full_name() or user.get_username()}
