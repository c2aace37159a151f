"""No member of one workspace gains access to another through the accounts they add: a
set-password link reaches only the person it is for, and a link an admin was shown stops
working once the account has a password or belongs to a second workspace (issue 21)."""

from __future__ import annotations

import re

import pytest
from console_fixtures import SignedIn
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.core import mail
from django.test import Client
from pytest_django.fixtures import Settings

from npsloop.workspaces.membership import add_member
from npsloop.workspaces.models import Member, Workspace

NEW_PASSWORD = "quiet-harbour-lantern-42"
LINK = re.compile(r'id="set-password-link">([^<]+)<')
EMAILED_LINK = re.compile(r"(http://\S+/reset/\S+/)")
SET_UP_ELSEWHERE = "was set up by an admin of another workspace, without email"


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings: Settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def no_email(settings: Settings) -> None:
    """A self-hosted server with no NPSLOOP_EMAIL_URL: nothing can be emailed."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"


def url(workspace: Workspace) -> str:
    return f"/w/{workspace.slug}/members/"


def add(client: Client, workspace: Workspace, email: str, role: str = "viewer") -> str:
    reply = client.post(url(workspace), {"action": "add", "email": email, "role": role})
    return reply.content.decode() if reply.status_code != 302 else ""


def account(email: str) -> AbstractUser:
    user: AbstractUser = get_user_model().objects.get(username=email)
    return user


def local(link: str) -> str:
    assert link.startswith(settings.BASE_URL + "/reset/")
    return link[len(settings.BASE_URL) :]


def link_works(link: str) -> bool:
    page = Client().get(local(link), follow=True).content.decode()
    return 'name="new_password1"' in page


def set_password_through(link: str, password: str) -> bool:
    """Open the link, type a password twice: whether the password was set."""
    browser = Client()
    opened = browser.get(local(link))
    if opened.status_code != 302:
        return False
    done = browser.post(opened.url, {"new_password1": password, "new_password2": password})
    return done.status_code == 302 and done.url == "/reset/done/"


def signed_in_as(username: str, password: str) -> Client | None:
    browser = Client()
    reply = browser.post("/login/", {"username": username, "password": password})
    return browser if reply.status_code == 302 and reply.url == "/" else None


def sees(browser: Client, workspace: Workspace) -> bool:
    """Whether this browser reaches anything of the workspace: its members page, its
    dashboard or its responses as CSV."""
    pages = (
        url(workspace),
        f"/w/{workspace.slug}/",
        f"/w/{workspace.slug}/responses/?format=csv",
    )
    return any(browser.get(page).status_code == 200 for page in pages)


# --- the reported takeover ----------------------------------------------------------------


def test_a_link_shown_in_one_workspace_never_opens_another(
    workspace: Workspace, other_workspace: Workspace, signed_in: SignedIn, no_email: None
) -> None:
    a_admin = signed_in(workspace, "admin")
    [link] = LINK.findall(add(a_admin, workspace, "ivy@example.com"))
    b_owner = signed_in(other_workspace, "owner")
    refused = add(b_owner, other_workspace, "ivy@example.com")
    assert SET_UP_ELSEWHERE in refused
    assert LINK.findall(refused) == []
    assert not Member.objects.filter(workspace=other_workspace, user__username="ivy@example.com")

    # Whoever A's admin handed the link to reaches A, and only A.
    assert set_password_through(link, NEW_PASSWORD)
    browser = signed_in_as("ivy@example.com", NEW_PASSWORD)
    assert browser is not None
    assert browser.get(f"/w/{workspace.slug}/").status_code == 200
    assert not sees(browser, other_workspace)


def test_an_account_whose_password_was_set_through_a_shown_link_stays_in_its_workspace(
    workspace: Workspace, other_workspace: Workspace, signed_in: SignedIn, no_email: None
) -> None:
    a_admin = signed_in(workspace, "admin")
    [link] = LINK.findall(add(a_admin, workspace, "jo@example.com"))
    assert set_password_through(link, NEW_PASSWORD)
    # Removing them from A doesn't free the account for another workspace either.
    a_owner = signed_in(workspace, "owner")
    jo = Member.objects.get(workspace=workspace, user__username="jo@example.com")
    a_owner.post(url(workspace), {"action": "remove", "member": jo.pk})
    b_owner = signed_in(other_workspace, "owner")
    assert SET_UP_ELSEWHERE in add(b_owner, other_workspace, "Jo@Example.com")
    browser = signed_in_as("jo@example.com", NEW_PASSWORD)
    assert browser is not None and not sees(browser, other_workspace)


def test_a_shown_link_stops_working_once_another_workspace_adds_the_person(
    workspace: Workspace, other_workspace: Workspace, signed_in: SignedIn, no_email: None
) -> None:
    """However the second membership comes about (here a superuser's door), the link of the
    first workspace's admin dies with it, even in a form opened before."""
    a_admin = signed_in(workspace, "admin")
    [link] = LINK.findall(add(a_admin, workspace, "kit@example.com"))
    opened = Client()
    form = opened.get(local(link)).url
    add_member(other_workspace, account("kit@example.com"), "admin")
    assert not link_works(link)
    typed = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert "This link no longer works" in opened.post(form, typed).content.decode()
    assert not account("kit@example.com").has_usable_password()


def test_a_shown_link_stops_working_when_the_person_is_removed(
    workspace: Workspace, signed_in: SignedIn, no_email: None
) -> None:
    a_admin = signed_in(workspace, "owner")
    [link] = LINK.findall(add(a_admin, workspace, "lou@example.com"))
    lou = Member.objects.get(workspace=workspace, user__username="lou@example.com")
    a_admin.post(url(workspace), {"action": "remove", "member": lou.pk})
    assert not link_works(link)


def test_a_shown_link_works_once(workspace: Workspace, signed_in: SignedIn, no_email: None) -> None:
    a_admin = signed_in(workspace, "admin")
    [link] = LINK.findall(add(a_admin, workspace, "max@example.com"))
    assert link_works(link)
    assert set_password_through(link, NEW_PASSWORD)
    assert not link_works(link)
    assert not set_password_through(link, "another-long-passphrase-7")
    assert signed_in_as("max@example.com", NEW_PASSWORD) is not None


def test_a_set_password_link_never_changes_a_password_that_is_set(
    workspace: Workspace, no_email: None
) -> None:
    """Even a link made for an account that has a password (no page makes one) is void."""
    from npsloop.workspaces.membership import set_password_url

    ned = get_user_model().objects.create_user("ned@example.com", "ned@example.com", "pw-1234")
    add_member(workspace, ned, "viewer")
    assert not link_works(set_password_url(ned))


# --- adding someone who has an account ------------------------------------------------------


def test_adding_someone_with_a_password_shows_no_link_and_sends_none(
    workspace: Workspace, other_workspace: Workspace, signed_in: SignedIn
) -> None:
    olga = get_user_model().objects.create_user("olga@example.com", "olga@example.com", "pw-1234")
    add_member(other_workspace, olga, "owner")
    admin = signed_in(workspace, "admin")
    reply = admin.post(
        url(workspace), {"action": "add", "email": "olga@example.com", "role": "viewer"}
    )
    assert reply.status_code == 302
    page = admin.get(reply.url).content.decode()
    assert LINK.findall(page) == [] and "set-password-link" not in page
    assert mail.outbox == []
    renew = admin.post(
        url(workspace),
        {"action": "renew_link", "member": Member.objects.get(workspace=workspace, user=olga).pk},
    )
    assert renew.status_code == 422 and LINK.findall(renew.content.decode()) == []


def test_adding_someone_who_has_no_password_yet_but_another_workspace_emails_them(
    workspace: Workspace, other_workspace: Workspace, signed_in: SignedIn
) -> None:
    """The account was made by B with email working: the person, not A's admin, gets a fresh
    link, and B's first link dies (it was for an account with one workspace)."""
    b_owner = signed_in(other_workspace, "owner")
    add(b_owner, other_workspace, "pat@example.com")
    [first] = EMAILED_LINK.findall(mail.outbox[0].body)
    a_admin = signed_in(workspace, "admin")
    page = add(a_admin, workspace, "pat@example.com")
    assert LINK.findall(page) == [] and "set-password-link" not in page
    assert "emailed" in page
    assert [m.to for m in mail.outbox] == [["pat@example.com"], ["pat@example.com"]]
    [second] = EMAILED_LINK.findall(mail.outbox[1].body)
    assert not link_works(first)
    assert set_password_through(second, NEW_PASSWORD)
    browser = signed_in_as("pat@example.com", NEW_PASSWORD)
    assert browser is not None
    assert browser.get(f"/w/{workspace.slug}/").status_code == 200
    assert browser.get(f"/w/{other_workspace.slug}/").status_code == 200


def test_without_email_no_link_for_someone_another_workspace_relies_on(
    workspace: Workspace, other_workspace: Workspace, signed_in: SignedIn, no_email: None
) -> None:
    """Pat has no password yet and belongs to B, whose link went by email before email was
    switched off: A may add them, but sees no link; a superuser sets the password."""
    pat = get_user_model().objects.create_user("pat@example.com", "pat@example.com")
    add_member(other_workspace, pat, "viewer")
    a_admin = signed_in(workspace, "admin")
    page = add(a_admin, workspace, "pat@example.com")
    assert LINK.findall(page) == [] and "set-password-link" not in page
    assert "They have no password yet and already belong to another workspace" in page
    member = Member.objects.get(workspace=workspace, user=pat)
    renew = a_admin.post(url(workspace), {"action": "renew_link", "member": member.pk})
    assert renew.status_code == 422 and LINK.findall(renew.content.decode()) == []


# --- with email working, links go only by email ----------------------------------------------


def test_with_email_the_admin_never_sees_the_link(
    workspace: Workspace, signed_in: SignedIn
) -> None:
    admin = signed_in(workspace, "admin")
    page = add(admin, workspace, "quinn@example.com")
    assert "set-password-link" not in page
    assert "emailed" in page
    [message] = mail.outbox
    [link] = EMAILED_LINK.findall(message.body)
    assert link not in page
    member = Member.objects.get(workspace=workspace, user__username="quinn@example.com")
    renewed = admin.post(url(workspace), {"action": "renew_link", "member": member.pk})
    assert "set-password-link" not in renewed.content.decode()
    assert len(mail.outbox) == 2 and mail.outbox[1].to == ["quinn@example.com"]
    [fresh] = EMAILED_LINK.findall(mail.outbox[1].body)
    assert fresh not in renewed.content.decode()
    assert set_password_through(fresh, NEW_PASSWORD)
    assert signed_in_as("quinn@example.com", NEW_PASSWORD) is not None
