"""One of each kind of page npsloop serves, for the tests of the headers every page must carry
(tests/ops/test_content_security_policy.py, tests/browser/test_pages_under_csp.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.utils import timezone

from npsloop.contacts.fields import ContactData
from npsloop.contacts.services import upsert_contact
from npsloop.program.asks import ask_contacts
from npsloop.surveys.models import Channel, Survey
from npsloop.surveys.responses import ResponseData, record_response
from npsloop.surveys.services import create_survey
from npsloop.workspaces.configure import create_workspace
from npsloop.workspaces.membership import add_member
from npsloop.workspaces.models import Role, Workspace

OWNER = "owner@example.com"
PASSWORD = "a long passphrase 42"


@dataclass
class Site:
    """The demo workspace (the widget's demo page needs its slug), with answers on several
    days so the charts draw, an email ask not yet answered, and an owner."""

    workspace: Workspace
    survey: Survey
    owner: AbstractUser
    ask_token: str

    def signed_in_pages(self) -> dict[str, str]:
        w, s = self.workspace.slug, self.survey.pk
        return {
            "dashboard overview": f"/w/{w}/",
            "dashboard trend": f"/w/{w}/trend/",
            "responses explorer": f"/w/{w}/responses/",
            "cases inbox": f"/w/{w}/cases/",
            "survey settings": f"/w/{w}/surveys/{s}/",
            "members": f"/w/{w}/members/",
            "workspace settings": f"/w/{w}/settings/",
            "api docs": "/api/v1/docs",
        }

    def public_pages(self) -> dict[str, str]:
        return {
            "sign-in": "/login/",
            "public survey link": f"/s/{self.survey.slug}",
            "email score page": f"/r/{self.ask_token}/9",
            "widget demo": "/widget/demo",
        }


def make_site() -> Site:
    workspace = create_workspace("Acme Cloud")  # slug acme-cloud: the widget demo's
    survey = create_survey(workspace, name="Relationship NPS", product_name="Acme Cloud")
    now = timezone.now()
    for day, score in enumerate([10, 9, 7, 3, 10, 8, 6, 9, 10, 2] * 3):
        record_response(
            workspace,
            ResponseData(
                survey=survey,
                score=score,
                comment=f"comment {day}",
                channel=Channel.LINK,
                created_at=now - timedelta(days=day),
            ),
        )
    upsert_contact(workspace, ContactData(external_id="ann", email="ann@example.com"))
    ask = ask_contacts(survey, ["ann"]).scheduled[0]
    owner: AbstractUser = get_user_model().objects.create_user(OWNER, OWNER, PASSWORD)
    add_member(workspace, owner, Role.OWNER)
    return Site(workspace, survey, owner, ask.token)
