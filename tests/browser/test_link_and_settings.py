"""The public survey link answered in a real browser, and the survey settings page's live
preview following what an editor types."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from npsloop.surveys.configure import create_survey
from npsloop.surveys.models import Response, Survey
from npsloop.workspaces.configure import create_workspace
from npsloop.workspaces.membership import add_member
from npsloop.workspaces.models import Role, Workspace

PASSWORD = "a long passphrase 42"


@pytest.fixture
def acme(transactional_db: None) -> tuple[Workspace, Survey]:
    workspace = create_workspace("Acme Cloud")
    survey = create_survey(workspace, name="Relationship NPS", product_name="Acme Cloud")
    return workspace, survey


def test_a_visitor_answers_the_public_link_once(
    page: Page, live_server: LiveServer, acme: tuple[Workspace, Survey]
) -> None:
    _, survey = acme
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/s/{survey.slug}")
    page.get_by_role("radio", name="10").check()
    page.get_by_label("What is the primary reason for your score?").fill("Fast & <b>friendly</b>")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("We're delighted you would recommend Acme Cloud")).to_be_visible()
    response = Response.objects.get()
    assert (response.score, response.comment, response.channel) == (
        10,
        "Fast & <b>friendly</b>",
        "link",
    )
    # The same device comes back: its answer, not a new one.
    page.goto(f"{live_server.url}/s/{survey.slug}")
    expect(
        page.get_by_text("You have already answered this survey from this device.")
    ).to_be_visible()
    expect(page.get_by_role("radio", name="10")).to_be_checked()
    assert Response.objects.count() == 1
    assert errors == []


def test_the_settings_preview_follows_the_editor(
    page: Page, live_server: LiveServer, acme: tuple[Workspace, Survey]
) -> None:
    workspace, survey = acme
    user = get_user_model().objects.create_user("ed@example.com", "ed@example.com", PASSWORD)
    add_member(workspace, user, Role.EDITOR)
    page.goto(f"{live_server.url}/w/{workspace.slug}/surveys/{survey.pk}/")
    page.get_by_label("Username or email").fill("ed@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    email = page.frame_locator("#preview-email")
    expect(email.get_by_text("How likely are you to recommend Acme Cloud")).to_be_visible()
    page.get_by_label("Email intro").fill("Hello {first_name}, a quick one about {product}.")
    expect(email.get_by_text("Hello Alex, a quick one about Acme Cloud.")).to_be_visible()
    page.get_by_label("Follow-up question for detractors").fill("What should we fix first?")
    survey.refresh_from_db()
    assert survey.texts == {}  # the preview saves nothing
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    survey.refresh_from_db()
    assert survey.texts["en"]["followup_detractor"] == "What should we fix first?"


def test_the_programme_page_draws_the_waves_and_the_forecast(
    page: Page, live_server: LiveServer, acme: tuple[Workspace, Survey]
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from npsloop.contacts.fields import ContactData
    from npsloop.contacts.services import upsert_contacts

    workspace, survey = acme
    now = timezone.now()
    upsert_contacts(
        workspace,
        [
            ContactData(
                external_id=f"c{n}", email=f"c{n}@x.com", signed_up_at=now - timedelta(days=n % 120)
            )
            for n in range(300)
        ],
    )
    user = get_user_model().objects.create_user("ed@example.com", "ed@example.com", PASSWORD)
    add_member(workspace, user, Role.EDITOR)
    page.goto(f"{live_server.url}/w/{workspace.slug}/surveys/{survey.pk}/programme/?days=90")
    page.get_by_label("Username or email").fill("ed@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("img", name="Asks per day over the next 90 days")).to_be_visible()
    expect(page.get_by_text("initial: 7-14 days after signup")).to_be_visible()
    page.screenshot(path="/tmp/npsloop-programme.png", full_page=True)
