"""The page where each member chooses which case emails they get."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.test import Client

from npsloop.workspaces.membership import add_member
from npsloop.workspaces.models import CaseAlerts, Member, Role, Workspace

pytestmark = pytest.mark.django_db
PAGE = "/w/acme-cloud/alerts/"


@pytest.fixture
def vic(workspace: Workspace) -> Member:
    user = get_user_model().objects.create_user("vic", "vic@acme.test", "pw")
    return add_member(workspace, user, Role.VIEWER)


def _signed_in(member: Member) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(member.user)
    return client


def _post(client: Client, data: dict[str, str]) -> HttpResponse:
    """A form post the way a browser makes it: with the token from the page."""
    token = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get(PAGE).content.decode()
    )
    assert token is not None
    response: HttpResponse = client.post(PAGE, {"csrfmiddlewaretoken": token[1], **data})
    return response


def test_a_member_sees_the_four_choices_with_theirs_checked(vic: Member) -> None:
    html = _signed_in(vic).get(PAGE).content.decode()
    assert 'value="every" checked' in html
    for value, label in CaseAlerts.choices:
        assert f'value="{value}"' in html and label in html
    assert "vic@acme.test" in html


@pytest.mark.parametrize("choice", [CaseAlerts.DETRACTORS, CaseAlerts.DAILY, CaseAlerts.NONE])
def test_a_member_chooses(vic: Member, choice: str) -> None:
    client = _signed_in(vic)
    response = _post(client, {"case_alerts": choice})
    assert response.status_code == 302 and response["Location"] == f"{PAGE}?saved=1"
    vic.refresh_from_db()
    assert vic.case_alerts == choice
    assert f'value="{choice}" checked' in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize("value", [None, "weekly", "EVERY"])
def test_it_refuses_a_choice_it_does_not_offer(vic: Member, value: str | None) -> None:
    response = _post(_signed_in(vic), {} if value is None else {"case_alerts": value})
    assert response.status_code == 422
    html = response.content.decode()
    assert "must be one of every, detractors, daily, none, got" in html
    vic.refresh_from_db()
    assert vic.case_alerts == CaseAlerts.EVERY_CASE


def test_it_refuses_a_post_without_the_csrf_token(vic: Member) -> None:
    assert _signed_in(vic).post(PAGE, {"case_alerts": "none"}).status_code == 403
    vic.refresh_from_db()
    assert vic.case_alerts == CaseAlerts.EVERY_CASE


def test_it_hides_another_workspace(vic: Member, other_workspace: Workspace) -> None:
    client = Client()
    client.force_login(vic.user)
    path = f"/w/{other_workspace.slug}/alerts/"
    assert client.get(path).status_code == 404
    assert client.post(path, {"case_alerts": "none"}).status_code == 404
    vic.refresh_from_db()
    assert vic.case_alerts == CaseAlerts.EVERY_CASE


def test_a_superuser_who_is_not_a_member_is_told_to_become_one(workspace: Workspace) -> None:
    root = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client = Client()
    client.force_login(root)
    page = client.get(PAGE)
    assert page.status_code == 403
    assert "Add yourself as a member" in page.content.decode()


def test_visitors_are_sent_to_sign_in(workspace: Workspace) -> None:
    page = Client().get(PAGE)
    assert page.status_code == 302 and page["Location"].startswith("/login/")


def test_the_digest_page_links_here(vic: Member) -> None:
    assert f'href="{PAGE}"' in _signed_in(vic).get("/w/acme-cloud/digest/").content.decode()
