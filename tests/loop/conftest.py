"""Members who work cases, and answers recorded through the one door."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User

from npsloop.contacts.fields import ContactData
from npsloop.loop.reactions import follow_answers
from npsloop.surveys.models import Response, Survey
from npsloop.surveys.responses import ResponseData, record_response
from npsloop.workspaces.membership import add_member
from npsloop.workspaces.models import Member, Role, Workspace

Answer = Callable[..., Response]


def make_member(workspace: Workspace, email: str, role: str = Role.EDITOR) -> Member:
    user = User.objects.filter(username=email).first() or User.objects.create_user(
        username=email, email=email, first_name=email.split("@")[0].title()
    )
    return add_member(workspace, user, role)


@pytest.fixture
def cora(workspace: Workspace) -> Member:
    return make_member(workspace, "cora@acme.test")


@pytest.fixture
def dev(workspace: Workspace) -> Member:
    return make_member(workspace, "dev@acme.test")


@pytest.fixture
def answer(workspace: Workspace, survey: Survey) -> Answer:
    """Record an answer and let the follower of answers see it (as the worker would)."""

    def answer(score: int, *, comment: str = "", who: str = "u-1", **props: object) -> Response:
        recorded = record_response(
            workspace,
            ResponseData(
                survey=survey,
                score=score,
                comment=comment,
                contact=ContactData(external_id=who, email=f"{who}@example.com", properties=props),
            ),
        )
        follow_answers(workspace.pk)
        return Response.objects.get(pk=recorded.response.pk)

    return answer
