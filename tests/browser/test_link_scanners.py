"""Link scanners that run the page in a real Chromium record no score, however they open
the email's links; a person who clicks a score in the email is counted without an extra
click. The scanners and people are those of bench/link_visitors.py, which the scanner
bench runs many times over to report both rates."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator

import pytest
from chromium import CHROMIUM, CHROMIUM_ARGS
from playwright.sync_api import Browser, Page, Request, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from bench import link_visitors
from bench.link_visitors import HIDE_AUTOMATION, EmailLinks, email_links, new_context
from bench.smtp_sink import SmtpSink
from npsloop.channels.email.dispatch import send_due_asks
from npsloop.contacts.models import Contact
from npsloop.events.models import Event
from npsloop.program.asks import ask_contacts
from npsloop.program.models import AskStatus, SurveyRequest
from npsloop.surveys.models import Response, ScoreDay, Survey

RECORDED = "Thank you — your score has been recorded."


@pytest.fixture(scope="module")
def hidden_browser(browser: Browser) -> Iterator[Browser]:
    """A Chromium launched without its automation flag: the browser of a scanner that
    hides it, and a person's (whose browser nobody drives)."""
    launched = browser.browser_type.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, HIDE_AUTOMATION]
    )
    yield launched
    launched.close()


@pytest.fixture(autouse=True)
def _links_to_the_live_server(settings: Settings, live_server: LiveServer) -> None:
    settings.BASE_URL = live_server.url


@pytest.fixture
def ask(survey: Survey, ann: Contact) -> SurveyRequest:
    return ask_contacts(survey, ["u-1"]).scheduled[0]


@pytest.fixture
def links(ask: SurveyRequest, smtp_sink: SmtpSink) -> EmailLinks:
    """The links of the email as it was sent."""
    assert send_due_asks().sent == 1
    html = smtp_sink.wait_for(1)[0].message.get_body(("html",))
    assert html is not None
    return email_links(html.get_content())


def assert_nothing_counted(ask: SurveyRequest) -> None:
    assert not Response.objects.exists()
    assert not ScoreDay.objects.exists()
    assert not Event.objects.filter(type__startswith="response.").exists()
    ask.refresh_from_db()
    assert (ask.status, ask.response_id) == (AskStatus.SENT, None)


def test_the_email_holds_a_decoy_link_that_people_never_reach(
    page: Page, links: EmailLinks, ask: SurveyRequest
) -> None:
    """Hidden from sight, from the keyboard and from screen readers, and first in the
    HTML, where a scanner walking the links in order meets it before any score."""
    decoy = f"/r/{ask.token}/scan"
    assert links.every[0].endswith(decoy) and links.every[-1].endswith(decoy)
    assert all(not url.endswith(decoy) for url in links.scores.values())
    page.set_content(links.html)
    # What a screen reader or a keyboard user can reach: the 11 scores and unsubscribe.
    expect(page.get_by_role("link")).to_have_count(12)
    hidden = page.locator(f"a[href$='{decoy}']")
    expect(hidden).to_have_count(2)
    for n in range(2):
        expect(hidden.nth(n)).to_have_attribute("aria-hidden", "true")
        expect(hidden.nth(n)).to_have_attribute("tabindex", "-1")
        assert hidden.nth(n).inner_text() == ""
        box = hidden.nth(n).bounding_box()
        assert box is None or box["width"] * box["height"] == 0
    for _ in range(14):
        page.keyboard.press("Tab")
        assert not page.evaluate("document.activeElement.href || ''").endswith(decoy)


@pytest.mark.parametrize("strategy", list(link_visitors.SCANNERS))
def test_a_scanner_running_the_page_records_nothing(
    strategy: str,
    browser: Browser,
    hidden_browser: Browser,
    links: EmailLinks,
    ask: SurveyRequest,
) -> None:
    scan, hide = link_visitors.SCANNERS[strategy]
    context = new_context(hidden_browser if hide else browser, hide_automation=hide)
    try:
        scan(context, links)
        if hide:
            assert context.pages[0].evaluate("navigator.webdriver") is False
    finally:
        context.close()
    assert_nothing_counted(ask)


def test_a_plain_fetcher_of_every_link_records_nothing(
    links: EmailLinks, ask: SurveyRequest, ann: Contact
) -> None:
    for url in links.every:
        for method in ("HEAD", "GET"):
            with urllib.request.urlopen(urllib.request.Request(url, method=method)) as reply:
                assert reply.status == 200
    assert_nothing_counted(ask)
    ann.refresh_from_db()
    assert ann.unsubscribed_at is None


def _records(request: Request) -> bool:
    return request.url.endswith("/record")


def test_a_person_who_clicks_a_score_is_counted_once_they_move_the_mouse(
    hidden_browser: Browser, links: EmailLinks, ask: SurveyRequest
) -> None:
    """The usual case: the page opens, the person's pointer moves over it. Until then the
    score is only chosen on the page, recorded nowhere."""
    context = new_context(hidden_browser, hide_automation=False)
    recordings: list[str] = []
    context.on(
        "request", lambda request: recordings.append(request.url) if _records(request) else None
    )
    page = link_visitors.open_from_email(context, links, 8)
    assert page.evaluate("navigator.webdriver") is False
    link_visitors.settle(page)
    assert recordings == []
    assert_nothing_counted(ask)
    with page.expect_response(lambda reply: _records(reply.request)) as recorded:
        page.mouse.move(600, 300, steps=5)
    assert recorded.value.status == 200
    expect(page.locator("#status")).to_have_text(RECORDED)
    context.close()
    response = Response.objects.get()
    assert (response.score, response.channel, response.contact_id) == (8, "email", ask.contact_id)
    assert ScoreDay.objects.get().count == 1
    assert list(Event.objects.values_list("type", flat=True)) == ["ask.sent", "response.created"]


@pytest.mark.parametrize(
    "habit", [name for name in link_visitors.PEOPLE if name != "phone: looks and leaves untouched"]
)
def test_a_person_is_counted_without_an_extra_click(
    habit: str, hidden_browser: Browser, links: EmailLinks, ask: SurveyRequest
) -> None:
    behave, touch, _ = link_visitors.PEOPLE[habit]
    context = new_context(hidden_browser, hide_automation=False, touch=touch)
    try:
        behave(context, links, 3)
    finally:
        context.close()
    response = Response.objects.get()
    assert (response.score, response.category) == (3, "detractor")
    if habit == "writes a reason and sends":
        assert response.comment == "Setting up alerts took a while"
    assert Event.objects.filter(type="response.created").count() == 1


def test_a_person_who_never_touches_the_page_is_not_counted(
    hidden_browser: Browser, links: EmailLinks, ask: SurveyRequest
) -> None:
    """The price of the rule, stated in docs/security.md: no input, no score, since a
    scanner that opens one link and waits looks exactly the same."""
    behave, touch, _ = link_visitors.PEOPLE["phone: looks and leaves untouched"]
    context = new_context(hidden_browser, hide_automation=False, touch=touch)
    try:
        behave(context, links, 9)
    finally:
        context.close()
    assert_nothing_counted(ask)
