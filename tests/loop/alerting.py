"""What the alert tests share: answers from named people of named accounts, routed to an
owner by csm_email, and the parts of the emails that arrived."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage

from bench.smtp_sink import Received
from npsloop.contacts.fields import ContactData
from npsloop.loop.models import Case
from npsloop.loop.reactions import follow_answers
from npsloop.surveys.models import Survey
from npsloop.surveys.responses import ResponseData, record_response
from npsloop.workspaces.models import Workspace

NOON = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
Say = Callable[..., Case | None]


def say(
    workspace: Workspace,
    survey: Survey,
    score: int,
    comment: str = "",
    *,
    owner: str | None = None,
    who: str = "u-1",
    name: str = "",
    account: str | None = None,
) -> Case | None:
    """An answer recorded through the one door, and its case opened as the worker would."""
    recorded = record_response(
        workspace,
        ResponseData(
            survey=survey,
            score=score,
            comment=comment,
            contact=ContactData(
                external_id=who,
                email=f"{who}@example.com",
                name=name or None,
                account_external_id=account,
                account_name=account.title() if account else None,
                properties={"csm_email": owner} if owner else None,
            ),
        ),
    )
    follow_answers(workspace.pk)
    return Case.objects.filter(response_id=recorded.response.pk).first()


def html_of(received: Received) -> str:
    return _part(received.message, "text/html")


def text_of(received: Received) -> str:
    return _part(received.message, "text/plain")


def _part(message: EmailMessage, kind: str) -> str:
    body = message.get_body(preferencelist=(kind.split("/")[1],))
    assert body is not None and body.get_content_type() == kind
    return str(body.get_content())
