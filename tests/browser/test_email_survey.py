"""A person answers a survey email in a real Chromium: the score they click is recorded
once their input reaches the page, the follow-up page takes their reason and extra
answers, an automated browser records nothing until someone clicks, and the page works by
keyboard and right to left."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser

import pytest
from chromium import CHROMIUM, CHROMIUM_ARGS
from playwright.sync_api import Browser, ConsoleMessage, Locator, Page, Request, expect
from playwright.sync_api import Response as PlaywrightResponse
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from bench.smtp_sink import SmtpSink
from npsloop.channels.email.dispatch import send_due_asks
from npsloop.channels.email.message import score_url
from npsloop.contacts.fields import ContactData
from npsloop.contacts.models import Contact
from npsloop.contacts.services import upsert_contact
from npsloop.program.asks import ask_contacts
from npsloop.program.models import SurveyRequest
from npsloop.surveys.configure import update_survey
from npsloop.surveys.models import Response, Survey

QUESTION = "How likely are you to recommend Acme Cloud to a friend or colleague?"
ARABIC_QUESTION = "ما مدى احتمال أن ترشّح Acme Cloud لصديق أو زميل؟"
RECORDED = "Thank you — your score has been recorded."
EASE = "How easy is it to use?"
PASSIVE_QUESTION = "What would make it a 10?"
PROMOTER_QUESTION = "What do you like most about Acme Cloud?"
DETRACTOR_QUESTION = "What is the primary reason for your score?"
REVIEW_URL = "https://example.com/review"
# Closing the textarea first: inside one, an unescaped tag is still only text, so without
# it the page would look safe whether or not the comment is escaped.
HOSTILE_COMMENT = '</textarea><img src=x onerror="window.__xss=1">Great'
# Blink sets navigator.webdriver under automation; without this feature it doesn't, as in
# the browser of a person reading their mail.
LOOKS_LIKE_A_PERSON = "--disable-blink-features=AutomationControlled"


@pytest.fixture(scope="module")
def person_browser(browser: Browser) -> Iterator[Browser]:
    """A second Chromium whose pages report navigator.webdriver false."""
    launched = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, LOOKS_LIKE_A_PERSON],
    )
    yield launched
    launched.close()


@pytest.fixture
def person_page(person_browser: Browser) -> Iterator[Page]:
    context = person_browser.new_context(viewport={"width": 1200, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture(autouse=True)
def _links_to_the_live_server(settings: Settings, live_server: LiveServer) -> None:
    settings.BASE_URL = live_server.url


@pytest.fixture
def survey_with_extras(survey: Survey) -> Survey:
    """The shared survey (product "Acme Cloud") with an optional 1-5 rating question, a
    review link for promoters and its own follow-up question for passives and promoters."""
    return update_survey(
        survey,
        {
            "extra_questions": [{"id": "ease", "type": "rating", "label": EASE}],
            "cta_url": REVIEW_URL,
            "texts": {
                "en": {"followup_passive": PASSIVE_QUESTION, "followup_promoter": PROMOTER_QUESTION}
            },
        },
    )


def _contact(survey: Survey, external_id: str, name: str, locale: str) -> Contact:
    return upsert_contact(
        survey.workspace,
        ContactData(
            external_id=external_id,
            email=f"{external_id}@example.com",
            name=name,
            locale=locale,
        ),
    ).contact


@pytest.fixture
def ann(survey_with_extras: Survey) -> Contact:
    return _contact(survey_with_extras, "ann", "Ann Lee", "en")


@pytest.fixture
def ask(survey_with_extras: Survey, ann: Contact) -> SurveyRequest:
    return ask_contacts(survey_with_extras, ["ann"]).scheduled[0]


class _Anchors(HTMLParser):
    """Every <a> of an HTML document: its href and the text it shows."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href") or ""
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.found.append((self._href, "".join(self._text).strip()))
            self._href = None


def score_links(html: str) -> dict[int, str]:
    """The email's score buttons: the number each shows → the address it opens."""
    parser = _Anchors()
    parser.feed(html)
    return {int(text): href for href, text in parser.found if text.isdigit()}


def watch_errors(page: Page) -> list[str]:
    """Console errors and uncaught exceptions of the page, collected as they happen."""
    errors: list[str] = []

    def console(message: ConsoleMessage) -> None:
        url = message.location.get("url", "")
        if message.type == "error":
            errors.append(f"console: {message.text} ({url})")

    page.on("console", console)
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    return errors


def scale(page: Page, question: str) -> Locator:
    """The 0-10 radio group, named by the survey question as a screen reader reads it."""
    return page.get_by_role("radiogroup", name=question)


def score_button(page: Page, question: str, score: int) -> Locator:
    return scale(page, question).get_by_role("radio", name=str(score), exact=True)


def send_followup(page: Page, press: Callable[[], None]) -> None:
    """Submit the follow-up form by `press` and check that the server stored it."""
    with page.expect_response(lambda reply: reply.url.endswith("/answers")) as answered:
        press()
    reply = answered.value
    assert reply.status == 302, (
        f"the follow-up form was refused with {reply.status}; its POST carried Origin: "
        f"{reply.request.header_value('origin')!r}. Django's CSRF check refuses the origin "
        "'null', which browsers send because respond/base.html sets "
        '<meta name="referrer" content="no-referrer">'
    )


def is_recording(message: Request | PlaywrightResponse) -> bool:
    """Whether this is the page's script recording the chosen score."""
    return message.url.endswith("/record")


def test_a_person_answers_the_email_once_and_can_change_their_answers(
    person_page: Page,
    live_server: LiveServer,
    smtp_sink: SmtpSink,
    ask: SurveyRequest,
    ann: Contact,
) -> None:
    page = person_page
    errors = watch_errors(page)
    assert send_due_asks().sent == 1
    message = smtp_sink.wait_for(1)[0].message
    html_part = message.get_body(("html",))
    assert html_part is not None
    links = score_links(html_part.get_content())
    assert links == {n: f"{live_server.url}/r/{ask.token}/{n}" for n in range(11)}

    page.goto(links[8])
    assert page.evaluate("navigator.webdriver") is False
    # Recorded once a person's input reaches the page (test_link_scanners.py: scanners).
    page.mouse.move(600, 300, steps=5)
    expect(page.locator("#status")).to_have_text(RECORDED)
    expect(score_button(page, QUESTION, 8)).to_be_checked()
    response = Response.objects.get()
    assert (response.score, response.channel, response.contact_id) == (8, "email", ann.pk)
    expect(page.locator("#followup-question")).to_have_text(PASSIVE_QUESTION)

    with page.expect_response(is_recording) as recorded:
        score_button(page, QUESTION, 9).click()
    assert recorded.value.status == 200
    expect(score_button(page, QUESTION, 9)).to_be_checked()
    expect(page.locator("#followup-question")).to_have_text(PROMOTER_QUESTION)
    response.refresh_from_db()
    assert (response.score, response.category) == (9, "promoter")

    page.get_by_label(PROMOTER_QUESTION).fill(HOSTILE_COMMENT)
    page.get_by_role("group", name=EASE).get_by_role("radio", name="4", exact=True).check()
    send_followup(page, page.get_by_role("button", name="Send").click)
    expect(page).to_have_url(f"{live_server.url}/r/{ask.token}/?saved=1")
    page.wait_for_load_state("load")  # an injected image would have failed (and run) by now
    expect(
        page.get_by_text("Thank you! We're delighted you would recommend Acme Cloud.")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Write a review")).to_have_attribute("href", REVIEW_URL)
    expect(page.get_by_label(PROMOTER_QUESTION)).to_have_value(HOSTILE_COMMENT)
    assert page.evaluate("typeof window.__xss") == "undefined"
    expect(page.locator("img")).to_have_count(0)
    response.refresh_from_db()
    assert (response.score, response.comment, response.answers) == (
        9,
        HOSTILE_COMMENT,
        {"ease": 4},
    )

    page.goto(links[8])
    expect(page).to_have_url(f"{live_server.url}/r/{ask.token}/")
    expect(score_button(page, QUESTION, 9)).to_be_checked()
    expect(page.locator("#status")).to_have_text("Your score: 9")
    assert list(Response.objects.values_list("score", flat=True)) == [9]
    assert errors == []


def test_an_automated_browser_records_nothing_until_someone_confirms(
    page: Page, ask: SurveyRequest
) -> None:
    errors = watch_errors(page)
    recordings: list[str] = []
    page.on(
        "request", lambda request: recordings.append(request.url) if is_recording(request) else None
    )
    page.goto(score_url(ask, 3))
    assert page.evaluate("navigator.webdriver") is True
    expect(page.locator("#confirm-button")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert recordings == []
    assert not Response.objects.exists()

    with page.expect_response(is_recording) as recorded:
        page.locator("#confirm-button").click()
    assert recorded.value.status == 200
    expect(page.locator("#status")).to_have_text(RECORDED)
    expect(page.locator("#confirm-button")).to_be_hidden()
    response = Response.objects.get()
    assert (response.score, response.category, response.contact_id) == (
        3,
        "detractor",
        ask.contact_id,
    )
    assert errors == []


def test_the_follow_up_page_works_with_the_keyboard_alone(
    person_page: Page, live_server: LiveServer, ask: SurveyRequest
) -> None:
    page = person_page
    errors = watch_errors(page)
    page.goto(score_url(ask, 8))
    page.keyboard.press("Tab")  # the first key pressed on the page records the score
    expect(page.locator("#status")).to_have_text(RECORDED)
    expect(score_button(page, QUESTION, 8)).to_be_focused()
    for score in (7, 6):
        with page.expect_response(is_recording) as recorded:
            page.keyboard.press("ArrowLeft")
        assert recorded.value.status == 200
        expect(score_button(page, QUESTION, score)).to_be_checked()
        expect(score_button(page, QUESTION, score)).to_be_focused()
    assert Response.objects.get().score == 6
    expect(page.locator("#followup-question")).to_have_text(DETRACTOR_QUESTION)

    page.keyboard.press("Tab")
    expect(page.get_by_label(DETRACTOR_QUESTION)).to_be_focused()
    page.keyboard.type("Too slow on Mondays")
    page.keyboard.press("Tab")
    ease = page.get_by_role("group", name=EASE)
    expect(ease.get_by_role("radio", name="1", exact=True)).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(ease.get_by_role("radio", name="3", exact=True)).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Send")).to_be_focused()
    send_followup(page, lambda: page.keyboard.press("Enter"))
    expect(page).to_have_url(f"{live_server.url}/r/{ask.token}/?saved=1")
    response = Response.objects.get()
    assert (response.score, response.comment, response.answers) == (
        6,
        "Too slow on Mondays",
        {"ease": 3},
    )

    # Back on the saved page: change the score and the reason, and send with Space.
    page.keyboard.press("Tab")
    expect(score_button(page, QUESTION, 6)).to_be_focused()
    with page.expect_response(is_recording) as recorded:
        page.keyboard.press("ArrowRight")
    assert recorded.value.status == 200
    expect(page.locator("#followup-question")).to_have_text(PASSIVE_QUESTION)
    page.keyboard.press("Tab")
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("Faster now")
    page.keyboard.press("Tab")
    expect(ease.get_by_role("radio", name="3", exact=True)).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Send")).to_be_focused()
    send_followup(page, lambda: page.keyboard.press("Space"))
    expect(
        page.get_by_text("Thank you for your feedback. We'll use it to make Acme Cloud better.")
    ).to_be_visible()
    response.refresh_from_db()
    assert (response.score, response.comment, response.answers) == (7, "Faster now", {"ease": 3})
    assert Response.objects.count() == 1
    assert errors == []


def test_an_arabic_reader_gets_a_right_to_left_page_that_fits_a_small_phone(
    person_page: Page, survey_with_extras: Survey
) -> None:
    page = person_page
    errors = watch_errors(page)
    _contact(survey_with_extras, "amal", "Amal Haddad", "ar")
    ask = ask_contacts(survey_with_extras, ["amal"]).scheduled[0]
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(score_url(ask, 10))
    page.mouse.move(160, 300, steps=3)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.get_by_role("heading", level=1)).to_have_text(ARABIC_QUESTION)
    expect(page.locator("#status")).to_have_text("شكرًا لك، تم تسجيل تقييمك.")
    expect(score_button(page, ARABIC_QUESTION, 10)).to_be_checked()

    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    boxes = []
    for score in range(11):
        shown = scale(page, ARABIC_QUESTION).locator("label", has_text=re.compile(rf"^{score}$"))
        expect(shown).to_be_in_viewport(ratio=1)
        box = shown.bounding_box()
        assert box is not None
        # 24 px is WCAG 2.2's smallest target size.
        assert box["width"] >= 24 and box["height"] >= 24, (score, box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= 320, (score, box)
        boxes.append(box)
    # The scale reads 0 to 10 from left to right in every language, as in the email.
    assert [box["x"] for box in boxes] == sorted(box["x"] for box in boxes)
    low = page.get_by_text("غير محتمل إطلاقًا", exact=True).bounding_box()
    high = page.get_by_text("محتمل للغاية", exact=True).bounding_box()
    assert low is not None and high is not None
    assert low["x"] < high["x"], "the end labels must sit under 0 and 10"
    page.screenshot(path="/tmp/npsloop-followup-ar-320.png", full_page=True)
    assert errors == []
