"""Answers recorded at given moments with the cases the worker opens for them, and the
follow-up dashboard's scope from URL parameters: what the follow-up tests share."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine
from django.contrib.auth.models import User

from npsloop.contacts.fields import ContactData
from npsloop.insights.case_scope import CaseScope, resolve_scope
from npsloop.insights.filters import resolve_filters
from npsloop.loop.models import Case
from npsloop.loop.reactions import follow_answers
from npsloop.surveys.models import Survey
from npsloop.surveys.responses import ResponseData, record_response
from npsloop.workspaces.membership import add_member
from npsloop.workspaces.models import Member, Role, Workspace

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def make_member(workspace: Workspace, email: str, role: str = Role.EDITOR) -> Member:
    user = User.objects.filter(username=email).first() or User.objects.create_user(
        username=email, email=email, first_name=email.split("@")[0].title()
    )
    return add_member(workspace, user, role)


def answer(
    workspace: Workspace, survey: Survey, score: int, who: str, at: datetime, **props: object
) -> Case | None:
    """An answer recorded at `at`, and the cases the worker would open for it then."""
    with time_machine.travel(at, tick=False):
        recorded = record_response(
            workspace,
            ResponseData(
                survey=survey,
                score=score,
                contact=ContactData(external_id=who, email=f"{who}@example.com", properties=props),
            ),
        )
        follow_answers(workspace.pk)
    return Case.objects.filter(response_id=recorded.response.pk).first()


def scope(workspace: Workspace, **params: str) -> CaseScope:
    filters = resolve_filters(workspace, {"period": "30d", **params}, NOW.date())
    return resolve_scope(workspace, filters, params)
