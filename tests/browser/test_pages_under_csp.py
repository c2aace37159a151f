"""Each kind of page npsloop serves, in Chromium under its Content-Security-Policy: nothing
is refused (no "Refused to …" in the console, no securitypolicyviolation event, in the page or
its frames) and the page still does its job."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer
from site_pages import OWNER, PASSWORD, Site, make_site

from npsloop.surveys.models import Response

RECORDED = "Thank you — your score has been recorded."
# In every frame, before the page's own scripts: each violation the page is told of, onto
# the console, which the test reads across navigations.
WATCH_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("Refused (securitypolicyviolation): " + event.violatedDirective + " " +
    (event.blockedURI || "inline") + " at " + event.documentURI);
});
"""

Refusals = Callable[[], list[str]]


@pytest.fixture
def site(transactional_db: None, settings: Settings, live_server: LiveServer) -> Site:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.BASE_URL = live_server.url  # the widget snippet and email links point here
    return make_site()


@pytest.fixture
def refusals(page: Page) -> Iterator[Refusals]:
    """Everything the policy blocked on this page so far; the test ends by checking none."""
    console: list[str] = []
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or message.text.startswith("Refused"):
            console.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(WATCH_VIOLATIONS)

    def seen() -> list[str]:
        return console + errors

    yield seen
    assert seen() == []


def sign_in(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username or email").fill(OWNER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Workspaces")).to_be_visible()


def test_sign_in_and_the_dashboard(
    page: Page, live_server: LiveServer, site: Site, refusals: Refusals
) -> None:
    sign_in(page, live_server)
    pages = site.signed_in_pages()
    page.goto(live_server.url + pages["dashboard overview"])
    chart = page.locator("svg.npschart").first
    expect(chart).to_be_visible()
    # The chart's width limit lives in the stylesheet, not in a style attribute.
    box = chart.bounding_box()
    assert box is not None and 100 < box["width"] <= 1200
    page.goto(live_server.url + pages["dashboard trend"])
    trend = page.locator("svg.npschart-trend")
    expect(trend).to_be_visible()
    page.get_by_label("Period").select_option(index=1)  # dashboard.js applies it at once
    page.wait_for_url("**period=**")
    page.goto(live_server.url + pages["responses explorer"])
    expect(page.get_by_text("comment 3").first).to_be_visible()
    page.goto(live_server.url + pages["cases inbox"])
    expect(page.get_by_role("heading", name="Cases")).to_be_visible()
    assert refusals() == []


def test_the_survey_settings_and_their_live_preview(
    page: Page, live_server: LiveServer, site: Site, refusals: Refusals
) -> None:
    sign_in(page, live_server)
    page.goto(live_server.url + site.signed_in_pages()["survey settings"])
    email = page.frame_locator("#preview-email")
    expect(email.get_by_text("How likely are you to recommend Acme Cloud")).to_be_visible()
    survey_page = page.frame_locator("#preview-page")
    expect(survey_page.get_by_text("How likely are you to recommend Acme Cloud")).to_be_visible()
    page.get_by_label("Email intro").fill("Hello {first_name}, a quick one about {product}.")
    expect(email.get_by_text("Hello Alex, a quick one about Acme Cloud.")).to_be_visible()
    # The email's inline styles and the page's stylesheet are applied inside the previews.
    assert email.locator("body").evaluate("b => getComputedStyle(b).margin") == "0px"
    assert survey_page.locator("main.card").evaluate("m => getComputedStyle(m).display") != "inline"
    assert refusals() == []


def test_members_workspace_settings_and_the_api_docs(
    page: Page, live_server: LiveServer, site: Site, refusals: Refusals
) -> None:
    sign_in(page, live_server)
    pages = site.signed_in_pages()
    page.goto(live_server.url + pages["members"])
    expect(page.get_by_role("heading", name="Members and API keys")).to_be_visible()
    page.goto(live_server.url + pages["workspace settings"])
    expect(page.get_by_role("heading", name="Workspace settings")).to_be_visible()
    page.goto(live_server.url + pages["api docs"])
    expect(page.get_by_text("npsloop API").first).to_be_visible()
    operation = page.locator(".opblock-summary").first
    expect(operation).to_be_visible()
    operation.click()
    expect(page.get_by_role("button", name="Try it out").first).to_be_visible()
    assert refusals() == []


def test_the_public_link_and_its_follow_up(
    page: Page, live_server: LiveServer, site: Site, refusals: Refusals
) -> None:
    page.goto(live_server.url + site.public_pages()["public survey link"])
    page.get_by_role("radio", name="10").check()
    page.get_by_label("What is the primary reason for your score?").fill("Fast")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("We're delighted you would recommend Acme Cloud")).to_be_visible()
    assert refusals() == []


def test_the_email_score_page(
    page: Page, live_server: LiveServer, site: Site, refusals: Refusals
) -> None:
    """Through Django's view, as every request will be once nothing is answered beside it."""
    page.goto(live_server.url + site.public_pages()["email score page"])
    # An automated browser is asked for one click (followup.js) before anything is recorded.
    page.get_by_role("button", name="Send").first.click()
    expect(page.get_by_text(RECORDED)).to_be_visible()
    assert Response.objects.filter(survey=site.survey, channel="email").get().score == 9
    assert refusals() == []


def test_the_widget_demo(
    page: Page, live_server: LiveServer, site: Site, refusals: Refusals
) -> None:
    page.goto(live_server.url + site.public_pages()["widget demo"])
    card = page.locator("npsloop-survey .card")
    expect(card).to_be_visible()
    # The widget's own styles apply: the card is a positioned, bordered box.
    assert card.evaluate("c => getComputedStyle(c).borderTopStyle") == "solid"
    card.get_by_role("radio", name="8", exact=True).click()
    expect(card.get_by_role("status")).to_have_text(RECORDED)
    page.get_by_role("link", name="Reports").click()  # the demo's own script (nonce)
    expect(page.get_by_role("heading", name="Reports")).to_be_visible()
    assert refusals() == []


def test_every_other_page_of_a_member_and_the_admin(
    page: Page, live_server: LiveServer, site: Site, refusals: Refusals
) -> None:
    site.owner.is_staff = site.owner.is_superuser = True
    site.owner.save()
    sign_in(page, live_server)
    w, s = site.workspace.slug, site.survey.pk
    response = Response.objects.filter(survey=site.survey).first()
    assert response is not None
    for path in [
        f"/w/{w}/segments/",
        f"/w/{w}/cohorts/",
        f"/w/{w}/follow-up/",
        f"/w/{w}/accounts/",
        f"/w/{w}/responses/{response.pk}/",
        f"/w/{w}/surveys/",
        f"/w/{w}/surveys/{s}/programme/",
        f"/w/{w}/digest/",
        f"/w/{w}/alerts/",
        "/admin/",
        "/admin/surveys/response/",
        f"/admin/surveys/response/{response.pk}/change/",
        "/admin/auth/user/add/",
    ]:
        answer = page.goto(live_server.url + path)
        assert answer is not None and answer.status == 200, path
        page.wait_for_load_state("load")
    assert refusals() == []
