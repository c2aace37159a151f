"""The members and API keys page: admins and owners add people, change roles, remove
members, and create and revoke API keys, under rules that keep a workspace governable."""

from __future__ import annotations

import re
import socket

import pytest
from api_client import ApiClient
from console_fixtures import SignedIn
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.core import mail
from django.test import Client
from pytest_django.fixtures import Settings

from npsloop.errors import InvalidInput
from npsloop.workspaces.keys import hash_secret
from npsloop.workspaces.membership import add_member
from npsloop.workspaces.models import ApiKey, Member, Workspace

NEW_PASSWORD = "quiet-harbour-lantern-42"
ONLY_OWNERS = (
    "only owners may make someone an owner, change an owner&#x27;s role or remove an owner"
)
OWN_ROLE = "you can&#x27;t change or remove your own membership as an admin"
LINK = re.compile(r'id="set-password-link">([^<]+)<')
EMAILED_LINK = re.compile(r"(http://\S+/reset/\S+/)")
SECRET = re.compile(r'id="new-key-secret">([^<]+)<')


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings: Settings) -> None:
    """Every test here makes accounts with passwords; the production hasher's deliberate
    slowness would make that most of the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def url(workspace: Workspace) -> str:
    return f"/w/{workspace.slug}/members/"


def make_user(username: str, email: str = "") -> AbstractUser:
    user: AbstractUser = get_user_model().objects.create_user(
        username, email=email, password="pw-1234"
    )
    return user


def member_of(workspace: Workspace, username: str, role: str) -> Member:
    return add_member(workspace, make_user(username, f"{username}@example.com"), role)


def me(workspace: Workspace, role: str) -> Member:
    """The member the `signed_in` fixture made for this role."""
    return Member.objects.get(workspace=workspace, user__username=f"{role}-{workspace.slug}")


def roles(workspace: Workspace) -> dict[str, str]:
    return dict(Member.objects.filter(workspace=workspace).values_list("user__username", "role"))


def local(link: str) -> str:
    assert link.startswith(settings.BASE_URL + "/reset/")
    return link[len(settings.BASE_URL) :]


def set_password_through(link: str, password: str) -> Client:
    """What the new person does with the link in a browser: open it, type a password twice."""
    browser = Client()
    opened = browser.get(local(link))
    assert opened.status_code == 302  # Django moves the token out of the URL into the session
    form = browser.get(opened.url)
    assert "Choose your password" in form.content.decode()
    done = browser.post(opened.url, {"new_password1": password, "new_password2": password})
    assert done.status_code == 302 and done.url == "/reset/done/"
    assert "Password set" in browser.get(done.url).content.decode()
    return browser


def signs_in(username: str, password: str) -> bool:
    reply = Client().post("/login/", {"username": username, "password": password})
    return reply.status_code == 302 and reply.url == "/"


# --- adding people ----------------------------------------------------------------------


def test_an_admin_adds_a_new_person_who_sets_a_password_and_signs_in(
    workspace: Workspace, signed_in: SignedIn
) -> None:
    client = signed_in(workspace, "admin")
    reply = client.post(
        url(workspace), {"action": "add", "email": "nia@example.com", "role": "editor"}
    )
    assert reply.status_code == 200
    page = reply.content.decode()
    user = get_user_model().objects.get(username="nia@example.com")
    assert user.email == "nia@example.com"
    assert not user.has_usable_password()
    assert Member.objects.get(workspace=workspace, user=user).role == "editor"
    assert "A link to choose their password was emailed to them" in page

    [message] = mail.outbox
    assert message.to == ["nia@example.com"]
    [link] = EMAILED_LINK.findall(message.body)
    assert "Acme Cloud" in message.subject
    assert link not in page and LINK.findall(page) == []  # it goes to the person only

    assert not signs_in("nia@example.com", NEW_PASSWORD)
    set_password_through(link, NEW_PASSWORD)
    assert signs_in("nia@example.com", NEW_PASSWORD)
    # The link worked once: with the password changed, its token no longer matches.
    again = Client().get(local(link), follow=True)
    assert "This link no longer works" in again.content.decode()


def test_the_new_person_s_password_must_pass_the_password_rules(
    workspace: Workspace, signed_in: SignedIn
) -> None:
    client = signed_in(workspace, "owner")
    client.post(url(workspace), {"action": "add", "email": "ola@example.com", "role": "viewer"})
    [link] = EMAILED_LINK.findall(mail.outbox[0].body)
    browser = Client()
    form_url = browser.get(local(link)).url
    refused = browser.post(form_url, {"new_password1": "short", "new_password2": "short"})
    assert refused.status_code == 200
    assert "This password is too short" in refused.content.decode()
    assert not get_user_model().objects.get(username="ola@example.com").has_usable_password()


def test_an_admin_adds_someone_who_already_has_an_account(
    workspace: Workspace, other_workspace: Workspace, signed_in: SignedIn
) -> None:
    ann = make_user("ann", "ann@example.com")
    add_member(other_workspace, ann, "owner")
    client = signed_in(workspace, "admin")
    users_before = get_user_model().objects.count()
    reply = client.post(
        url(workspace), {"action": "add", "email": "Ann@Example.com", "role": "viewer"}
    )
    assert reply.status_code == 302 and reply.url == url(workspace) + "?saved=1"
    assert Member.objects.get(workspace=workspace, user=ann).role == "viewer"
    assert get_user_model().objects.count() == users_before
    assert mail.outbox == []
    ann.refresh_from_db()
    assert ann.check_password("pw-1234")  # their account is untouched
    page = client.get(reply.url).content.decode()
    assert "Saved." in page and "ann@example.com" in page and "set-password-link" not in page


def test_adding_someone_who_is_already_a_member_says_so(
    workspace: Workspace, signed_in: SignedIn
) -> None:
    member_of(workspace, "bo", "editor")
    client = signed_in(workspace, "admin")
    reply = client.post(
        url(workspace), {"action": "add", "email": "bo@example.com", "role": "viewer"}
    )
    assert reply.status_code == 422
    assert (
        "bo@example.com is already a member of this workspace, as editor; change their role "
        "in the list instead"
    ) in reply.content.decode()
    assert Member.objects.filter(workspace=workspace, user__username="bo").count() == 1
    assert roles(workspace)["bo"] == "editor"


def test_without_email_set_up_the_admin_passes_the_link_on(
    workspace: Workspace,
    signed_in: SignedIn,
    settings: Settings,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    client = signed_in(workspace, "admin")
    page = client.post(
        url(workspace), {"action": "add", "email": "pia@example.com", "role": "viewer"}
    ).content.decode()
    [link] = LINK.findall(page)
    assert "Email is not set up on this server" in page
    assert link not in capsys.readouterr().out  # nothing went to the console backend
    set_password_through(link, NEW_PASSWORD)
    assert signs_in("pia@example.com", NEW_PASSWORD)


def test_when_the_email_fails_the_person_is_still_added_and_can_be_sent_another(
    workspace: Workspace, signed_in: SignedIn, settings: Settings
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    client = signed_in(workspace, "admin")
    page = client.post(
        url(workspace), {"action": "add", "email": "quin@example.com", "role": "viewer"}
    ).content.decode()
    assert "Emailing them the link to choose their password failed" in page
    assert LINK.findall(page) == []
    assert roles(workspace)["quin@example.com"] == "viewer"
    quin = Member.objects.get(workspace=workspace, user__username="quin@example.com")
    failed = client.post(url(workspace), {"action": "renew_link", "member": quin.pk})
    assert "Emailing <strong>quin@example.com</strong> a new link failed" in (
        failed.content.decode()
    )
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client.post(url(workspace), {"action": "renew_link", "member": quin.pk})
    [link] = EMAILED_LINK.findall(mail.outbox[0].body)
    set_password_through(link, NEW_PASSWORD)
    assert signs_in("quin@example.com", NEW_PASSWORD)


def test_a_member_who_never_set_a_password_gets_a_new_link(
    workspace: Workspace, signed_in: SignedIn
) -> None:
    client = signed_in(workspace, "admin")
    client.post(url(workspace), {"action": "add", "email": "rae@example.com", "role": "viewer"})
    rae = Member.objects.get(workspace=workspace, user__username="rae@example.com")
    assert "no password yet" in client.get(url(workspace)).content.decode()
    page = client.post(url(workspace), {"action": "renew_link", "member": rae.pk}).content.decode()
    assert "A new link to choose their password was emailed to" in page
    [first, renewed] = [EMAILED_LINK.findall(m.body)[0] for m in mail.outbox]
    set_password_through(renewed, NEW_PASSWORD)
    assert signs_in("rae@example.com", NEW_PASSWORD)
    again = Client().get(local(first), follow=True)
    assert "This link no longer works" in again.content.decode()
    again = client.post(url(workspace), {"action": "renew_link", "member": rae.pk})
    assert again.status_code == 422
    assert "rae@example.com has set a password already" in again.content.decode()


def test_without_email_no_new_link_for_an_account_other_workspaces_rely_on(
    workspace: Workspace, other_workspace: Workspace, signed_in: SignedIn, settings: Settings
) -> None:
    owner = signed_in(other_workspace, "owner")
    owner.post(url(other_workspace), {"action": "add", "email": "sam@example.com", "role": "owner"})
    sam = get_user_model().objects.get(username="sam@example.com")
    member = add_member(workspace, sam, "viewer")
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    admin = signed_in(workspace, "admin")
    reply = admin.post(url(workspace), {"action": "renew_link", "member": member.pk})
    assert reply.status_code == 422
    assert "sam@example.com also belongs to other workspaces" in reply.content.decode()
    assert LINK.findall(reply.content.decode()) == []


# --- changing and removing --------------------------------------------------------------


def test_an_admin_changes_a_role_and_removes_a_member(
    workspace: Workspace, signed_in: SignedIn
) -> None:
    cy = member_of(workspace, "cy", "viewer")
    dee = member_of(workspace, "dee", "editor")
    client = signed_in(workspace, "admin")
    reply = client.post(url(workspace), {"action": "change_role", "member": cy.pk, "role": "admin"})
    assert reply.status_code == 302 and reply.url.endswith("?saved=1")
    assert roles(workspace)["cy"] == "admin"
    reply = client.post(url(workspace), {"action": "remove", "member": dee.pk})
    assert reply.status_code == 302
    assert "dee" not in roles(workspace)
    assert get_user_model().objects.filter(username="dee").exists()  # the account stays


def test_an_owner_makes_another_owner_and_steps_down(
    workspace: Workspace, signed_in: SignedIn
) -> None:
    eve = member_of(workspace, "eve", "admin")
    client = signed_in(workspace, "owner")
    mine = me(workspace, "owner")
    client.post(url(workspace), {"action": "change_role", "member": eve.pk, "role": "owner"})
    reply = client.post(
        url(workspace), {"action": "change_role", "member": mine.pk, "role": "viewer"}
    )
    assert reply.status_code == 302 and reply.url == "/"  # the page is no longer theirs
    assert roles(workspace) == {"eve": "owner", f"owner-{workspace.slug}": "viewer"}


def test_the_page_lists_members_with_their_details(
    workspace: Workspace, signed_in: SignedIn
) -> None:
    fay = member_of(workspace, "fay", "editor")
    fay.digest = True
    fay.save()
    page = signed_in(workspace, "admin").get(url(workspace)).content.decode()
    row = page[page.index('data-member="fay"') :].split("</tr>")[0]
    assert "fay@example.com" in row and "yes" in row
    assert '<option value="editor" selected>' in row
    assert fay.created_at.strftime("%Y") in row
    mine = page[page.index(f'data-member="admin-{workspace.slug}"') :].split("</tr>")[0]
    assert "you" in mine and "<select" not in mine  # an admin can't change their own role


RULES = [
    # (acting role, the target: a username or "me", the post, the message)
    ("admin", "olive", {"action": "change_role", "role": "admin"}, ONLY_OWNERS),
    ("admin", "vic", {"action": "change_role", "role": "owner"}, ONLY_OWNERS),
    ("admin", "olive", {"action": "remove"}, ONLY_OWNERS),
    ("admin", None, {"action": "add", "email": "new@example.com", "role": "owner"}, ONLY_OWNERS),
    ("admin", "me", {"action": "change_role", "role": "editor"}, OWN_ROLE),
    ("admin", "me", {"action": "remove"}, OWN_ROLE),
    (
        "owner",
        "me",
        {"action": "change_role", "role": "admin"},
        "is the only owner, and a workspace always keeps at least one; make someone else an "
        "owner first",
    ),
    ("owner", "me", {"action": "remove"}, "is the only owner"),
    (
        "admin",
        "vic",
        {"action": "change_role", "role": "boss"},
        "must be one of owner, admin, editor, viewer, got &#x27;boss&#x27;",
    ),
    (
        "admin",
        None,
        {"action": "add", "email": "new@example.com", "role": "chief"},
        "must be one of owner, admin, editor, viewer, got &#x27;chief&#x27;",
    ),
    (
        "admin",
        None,
        {"action": "add", "email": "not-an-email", "role": "viewer"},
        "must be an email address like ann@example.com, got &#x27;not-an-email&#x27;",
    ),
    ("admin", "vic", {"action": "change_role", "member": "x1", "role": "editor"}, "must be the id"),
    ("admin", None, {"action": "promote"}, "must be one of add, change_role, remove"),
]


@pytest.mark.parametrize(("acting", "target", "post", "message"), RULES)
def test_every_rule_refuses_and_changes_nothing(
    workspace: Workspace,
    signed_in: SignedIn,
    acting: str,
    target: str | None,
    post: dict[str, object],
    message: str,
) -> None:
    client = signed_in(workspace, acting)
    if acting == "admin":
        member_of(workspace, "olive", "owner")
    member_of(workspace, "vic", "viewer")
    data = dict(post)
    if target == "me":
        data.setdefault("member", me(workspace, acting).pk)
    elif target is not None:
        data.setdefault("member", Member.objects.get(user__username=target).pk)
    before = (roles(workspace), get_user_model().objects.count())
    reply = client.post(url(workspace), data)
    assert reply.status_code == 422
    assert message in reply.content.decode()
    assert (roles(workspace), get_user_model().objects.count()) == before
    assert mail.outbox == []


def test_a_member_of_another_workspace_is_not_found(
    workspace: Workspace, other_workspace: Workspace, signed_in: SignedIn
) -> None:
    theirs = member_of(other_workspace, "gus", "viewer")
    client = signed_in(workspace, "owner")
    for post in (
        {"action": "change_role", "member": theirs.pk, "role": "editor"},
        {"action": "remove", "member": theirs.pk},
    ):
        assert client.post(url(workspace), post).status_code == 404
    assert roles(other_workspace) == {"gus": "viewer"}


# --- who may open the page --------------------------------------------------------------


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_editors_and_viewers_are_refused(
    workspace: Workspace, role: str, signed_in: SignedIn
) -> None:
    client = signed_in(workspace, role)
    reply = client.get(url(workspace))
    assert reply.status_code == 403
    assert "Only admins and owners see and manage the members" in reply.content.decode()
    post = {"action": "add", "email": "new@example.com", "role": "viewer"}
    assert client.post(url(workspace), post).status_code == 403
    assert not get_user_model().objects.filter(username="new@example.com").exists()
    assert client.post(url(workspace), {"action": "create_key", "name": "x"}).status_code == 403
    assert not ApiKey.objects.exists()


def test_another_workspace_s_page_is_not_found(
    workspace: Workspace, other_workspace: Workspace, signed_in: SignedIn
) -> None:
    client = signed_in(workspace, "owner")
    assert client.get(url(other_workspace)).status_code == 404
    assert (
        client.post(url(other_workspace), {"action": "create_key", "name": "x"}).status_code == 404
    )
    assert not ApiKey.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(workspace: Workspace) -> None:
    reply = Client().get(url(workspace))
    assert reply.status_code == 302
    assert reply.url == f"/login/?next={url(workspace)}"


def test_every_form_needs_the_csrf_token(workspace: Workspace) -> None:
    user = make_user("hal")
    add_member(workspace, user, "admin")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    page = browser.get(url(workspace)).content.decode()
    forms = re.findall(r"<form method=\"post\".*?</form>", page, re.S)
    assert forms and all("csrfmiddlewaretoken" in form for form in forms)
    post = {"action": "create_key", "name": "CRM sync"}
    assert browser.post(url(workspace), post).status_code == 403
    assert not ApiKey.objects.exists()
    [token] = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page))
    assert browser.post(url(workspace), {**post, "csrfmiddlewaretoken": token}).status_code == 200
    assert ApiKey.objects.count() == 1


# --- API keys ---------------------------------------------------------------------------


def test_an_admin_creates_a_key_that_works_and_revokes_it(
    workspace: Workspace, signed_in: SignedIn
) -> None:
    client = signed_in(workspace, "admin")
    reply = client.post(url(workspace), {"action": "create_key", "name": "CRM sync"})
    assert reply.status_code == 200
    [secret] = SECRET.findall(reply.content.decode())
    key = ApiKey.objects.get(workspace=workspace)
    assert key.name == "CRM sync" and secret.startswith(f"nps_{key.prefix}_")
    assert key.secret_hash == hash_secret(secret) and secret not in key.secret_hash

    page = client.get(url(workspace)).content.decode()
    assert secret not in page  # shown once only
    assert f"nps_{key.prefix}_…" in page and "CRM sync" in page and "never" in page

    api = ApiClient(secret)
    assert api.get("/api/v1/surveys").status_code == 200
    row = client.get(url(workspace)).content.decode().split(f'data-key="{key.prefix}"')[1]
    assert "never" not in row.split("</tr>")[0]  # last used is shown now

    reply = client.post(url(workspace), {"action": "revoke_key", "key": key.pk})
    assert reply.status_code == 302 and reply.url.endswith("?saved=1")
    assert api.get("/api/v1/surveys").status_code == 401
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert "revoked" in client.get(url(workspace)).content.decode()


@pytest.mark.parametrize("name", ["", "   ", "k" * 101])
def test_a_key_needs_a_name(workspace: Workspace, signed_in: SignedIn, name: str) -> None:
    reply = signed_in(workspace, "owner").post(
        url(workspace), {"action": "create_key", "name": name}
    )
    assert reply.status_code == 422
    assert "must be 1 to 100 characters saying where the key is used" in reply.content.decode()
    assert SECRET.findall(reply.content.decode()) == []
    assert not ApiKey.objects.exists()


def test_another_workspace_s_key_cannot_be_revoked(
    workspace: Workspace, other_workspace: Workspace, signed_in: SignedIn
) -> None:
    other_client = signed_in(other_workspace, "owner")
    other_client.post(url(other_workspace), {"action": "create_key", "name": "theirs"})
    theirs = ApiKey.objects.get(workspace=other_workspace)
    client = signed_in(workspace, "owner")
    assert (
        client.post(url(workspace), {"action": "revoke_key", "key": theirs.pk}).status_code == 404
    )
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


# --- the door of commands and the demo -------------------------------------------------------


def test_the_door_without_an_acting_member_keeps_an_owner_too(workspace: Workspace) -> None:
    only = add_member(workspace, make_user("ida"), "owner")
    with pytest.raises(InvalidInput) as refused:
        add_member(workspace, only.user, "viewer")
    assert "ida is the only owner" in refused.value.errors["member"]
    assert roles(workspace) == {"ida": "owner"}
    add_member(workspace, make_user("jon"), "owner")
    add_member(workspace, only.user, "viewer")
    assert roles(workspace) == {"ida": "viewer", "jon": "owner"}
