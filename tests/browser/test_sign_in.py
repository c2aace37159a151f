"""A visitor signs in and sees the score of their workspaces, in a real browser."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from npsloop.surveys.configure import create_survey
from npsloop.surveys.responses import ResponseData, record_response
from npsloop.workspaces.configure import create_workspace
from npsloop.workspaces.membership import add_member
from npsloop.workspaces.models import Role

PASSWORD = "a long passphrase 42"


@pytest.fixture
def member(transactional_db: None) -> AbstractUser:
    """A viewer of "Acme Cloud" (10 answers: 5 promoters, 3 passives, 2 detractors)."""
    user = get_user_model().objects.create_user("dana@example.com", "dana@example.com", PASSWORD)
    workspace = create_workspace("Acme Cloud")
    add_member(workspace, user, Role.VIEWER)
    survey = create_survey(workspace, name="Relationship NPS", product_name="Acme Cloud")
    for number, score in enumerate([10, 10, 9, 9, 9, 8, 7, 7, 3, 0]):
        record_response(workspace, ResponseData(survey=survey, score=score, key=f"r{number}"))
    create_workspace("Someone Else's")
    return user


def sign_in(page: Page, password: str) -> None:
    page.get_by_label("Username or email").fill("dana@example.com")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_it_sends_a_visitor_to_sign_in_and_then_shows_the_score(
    page: Page, live_server: LiveServer, member: AbstractUser
) -> None:
    response = page.goto(live_server.url + "/")
    assert response is not None and response.status == 200
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    # The stylesheet is served (by WhiteNoise): the sign-in button wears the accent colour.
    expect(page.get_by_role("button", name="Sign in")).to_have_css(
        "background-color", "rgb(47, 111, 222)"
    )
    page.screenshot(path="/tmp/npsloop-login.png")
    sign_in(page, PASSWORD)
    expect(page).to_have_url(live_server.url + "/")
    row = page.get_by_role("row", name=re.compile("Acme Cloud"))
    # 5 promoters and 2 detractors of 10: NPS 30, interval per STATISTICS.md.
    expect(row.get_by_role("cell").nth(1)).to_have_text("30")
    expect(row).to_contain_text("10")
    expect(row).to_contain_text(re.compile(r"-?\d+\.\d to -?\d+\.\d"))
    expect(page.get_by_text("Someone Else's")).to_have_count(0)
    page.screenshot(path="/tmp/npsloop-home.png", full_page=True)


def test_it_says_when_the_password_is_wrong(
    page: Page, live_server: LiveServer, member: AbstractUser
) -> None:
    page.goto(live_server.url + "/login/")
    sign_in(page, "not the password")
    expect(page.get_by_role("alert")).to_have_text(
        "That email/username and password don't match. Try again."
    )
    expect(page.get_by_label("Username or email")).to_have_value("dana@example.com")
    page.screenshot(path="/tmp/npsloop-login-error.png")
