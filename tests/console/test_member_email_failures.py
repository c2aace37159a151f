"""What the admin is told when the set-password email to a new member did not go out: the
mail server's answer, in the words every other email's failures use."""

from __future__ import annotations

import re

import pytest
from console_fixtures import SignedIn
from pytest_django.fixtures import Settings

from bench.smtp_sink import SmtpSink
from npsloop.workspaces.models import Member, Workspace

LINK = re.compile(r'id="set-password-link">([^<]+)<')


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings: Settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def add(signed_in: SignedIn, workspace: Workspace, email: str) -> str:
    client = signed_in(workspace, "admin")
    reply = client.post(
        f"/w/{workspace.slug}/members/", {"action": "add", "email": email, "role": "viewer"}
    )
    assert reply.status_code == 200
    page = reply.content.decode()
    assert not LINK.search(page)  # with email set up, the link goes to the person only
    assert Member.objects.filter(workspace=workspace, user__username=email).exists()
    return page


def test_a_refused_address_is_named_as_such(
    smtp_sink: SmtpSink, workspace: Workspace, signed_in: SignedIn
) -> None:
    smtp_sink.fail_recipients = {"quin@example.com": "550 5.1.1 No such user"}
    page = add(signed_in, workspace, "quin@example.com")
    assert (
        "Emailing them the link to choose their password failed "
        "(recipient refused: 550 5.1.1 No such user)" in page
    )


def test_a_server_that_says_later_is_reported(
    smtp_sink: SmtpSink, workspace: Workspace, signed_in: SignedIn
) -> None:
    smtp_sink.mode = "tempfail"
    page = add(signed_in, workspace, "quin@example.com")
    assert (
        "Emailing them the link to choose their password failed "
        "(mail server refused the message: 451 4.3.0 Try again later)" in page
    )


def test_a_broken_handover_says_it_may_have_arrived(
    smtp_sink: SmtpSink, workspace: Workspace, signed_in: SignedIn
) -> None:
    smtp_sink.mode = "drop"
    page = add(signed_in, workspace, "quin@example.com")
    assert "link to choose their password failed (the connection to the mail server broke" in page
    assert "may or may not have been delivered" in page
