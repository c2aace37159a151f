"""The in-app survey card in a real Chromium, on a customer's page, against a fake npsloop.

What a customer and their users would notice: the snippet's calls reach the server as the
contract says, the card asks and records by mouse and keyboard, the host page neither breaks
nor moves nor restyles, and the card keeps its look on hostile pages, in the dark, at 320 px
and right to left.
"""

from __future__ import annotations

import gzip
import json
import re
import socket
import time
from collections.abc import Callable
from typing import Any

import pytest
from fake_server import (
    FOLLOWUPS,
    KEY,
    QUESTION,
    RECORDED,
    THANKS,
    WIDGET_JS,
    FakeServer,
    host_page,
    shown,
)
from playwright.sync_api import Locator, Page, expect

CARD = "npsloop-survey [role=dialog]"
OpenPage = Callable[..., Page]
HOSTILE_CSS = (
    "* { all: unset; color: red !important; font-size: 40px !important }"
    " button { display: none !important }"
    # Inherited properties the card doesn't set itself must not flow in from the page either.
    " body { letter-spacing: 3px !important; text-transform: uppercase !important }"
)
ANN = {
    "id": "u-42",
    "email": "ann@example.com",
    "name": "Ann Lee",
    "signedUpAt": "2026-01-03",
    "locale": "de-DE",
    "account": {"id": "acme", "name": "Acme GmbH"},
    "properties": {"plan": "pro", "role": "admin"},
}
IDENTIFY_ANN = f'npsloop("identify", {json.dumps(ANN)}, {{userHash: "c0ffee"}});'
EXTRA_QUESTIONS = [
    {
        "id": "ease",
        "type": "single",
        "label": "How easy is it to use?",
        "options": ["Hard", "Fine", "Easy"],
        "required": True,
    },
    {
        "id": "used",
        "type": "multiple",
        "label": "Which features do you use?",
        "options": ["Dashboards", "Backups", "Exports"],
        "required": False,
    },
    {"id": "why", "type": "text", "label": "Anything else?", "required": False},
    {"id": "docs", "type": "rating", "label": "How good are the docs?", "required": True},
    {"id": "grid", "type": "matrix", "label": "A kind of question we don't know"},
]
# The element boxes of the host page's own content, to see whether anything moved.
PAGE_BOXES = """() => [...document.body.children]
  .filter((e) => e.localName !== "npsloop-survey")
  .map((e) => e.getBoundingClientRect())
  .map((r) => [r.x, r.y, r.width, r.height])
  .concat([[document.documentElement.scrollWidth, document.documentElement.scrollHeight]])"""
LOOK = [
    "color",
    "font-size",
    "font-family",
    "display",
    "background-color",
    "width",
    "height",
    "padding-top",
    "border-top-width",
    "letter-spacing",
    "text-transform",
]


def wait_until(page: Page, condition: Callable[[], bool], what: str, seconds: float = 5) -> None:
    """Polls while letting the browser run (Playwright's own wait pumps its events)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds}s waiting for {what}")
        page.wait_for_timeout(25)


def checks(page: Page, fake: FakeServer, count: int) -> list[dict[str, Any]]:
    wait_until(page, lambda: len(fake.received("check")) >= count, f"{count} /check requests")
    return fake.bodies("check")


def visit(page: Page, fake: FakeServer, calls: str = "", **options: Any) -> str:
    url = fake.add_page(host_page(fake, calls, **options))
    page.goto(url)
    return url


def show_card(page: Page, fake: FakeServer, calls: str = "", **survey: Any) -> Locator:
    fake.reply("check", shown(**survey))
    visit(page, fake, calls)
    card = page.locator(CARD)
    expect(card).to_be_visible()
    return card


def style_of(locator: Locator, properties: list[str]) -> dict[str, str]:
    return dict(
        locator.evaluate(
            "(e, names) => names.map((n) => [n, getComputedStyle(e).getPropertyValue(n)])",
            properties,
        )
    )


def luminance(css_color: str) -> float:
    red, green, blue = (int(part) for part in re.findall(r"\d+", css_color)[:3])
    return (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 255


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_it_is_small_and_plain_ascii() -> None:
    source = WIDGET_JS.read_bytes()
    size = len(gzip.compress(source, compresslevel=9))
    assert size <= 12 * 1024, f"widget.js is {size} bytes gzipped; the budget is 12 KB"
    # Host pages decode a script without a charset in their own encoding; ASCII reads the same.
    assert source.isascii()


def test_it_adds_no_global_but_npsloop(page: Page, fake: FakeServer) -> None:
    visit(page, fake, load_widget=False)
    before = page.evaluate("Object.keys(window)")
    fake.reply("check", shown())
    page.evaluate(
        """([src, key]) => {
          const script = document.createElement("script");
          script.async = true; script.src = src; script.dataset.key = key;
          document.body.appendChild(script);
        }""",
        [fake.widget_url, KEY],
    )
    page.get_by_role("radio", name="9", exact=True).click()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text(THANKS["promoter"])).to_be_visible()

    assert "npsloop" in before
    assert sorted(page.evaluate("Object.keys(window)")) == sorted(before)
    assert page.evaluate("typeof npsloop === 'function' && npsloop.q === undefined")


def test_it_checks_with_the_key_the_device_the_url_and_the_identified_user(
    page: Page, fake: FakeServer
) -> None:
    url = visit(page, fake, IDENTIFY_ANN)

    first = checks(page, fake, 1)[0]
    assert first == {
        "key": KEY,
        "device": first["device"],
        "url": url,
        "user": ANN,
        "userHash": "c0ffee",
    }
    assert re.fullmatch(r"[0-9a-f]{32}", first["device"])
    page.reload()
    assert checks(page, fake, 2)[1]["device"] == first["device"]
    assert page.evaluate("localStorage.getItem('npsloop.device')") == first["device"]


def test_it_sends_the_id_as_text_and_the_browser_locale_by_default(
    open_page: OpenPage, fake: FakeServer
) -> None:
    page = open_page(locale="fr-FR")
    visit(page, fake, 'npsloop("identify", {id: 42});')

    assert checks(page, fake, 1)[0]["user"] == {"id": "42", "locale": "fr-FR"}
    assert "userHash" not in fake.bodies("check")[0]


def test_it_keeps_the_device_in_memory_when_storage_is_blocked(
    page: Page, fake: FakeServer
) -> None:
    block = (
        "Object.defineProperty(window, 'localStorage', "
        "{get() { throw new DOMException('blocked', 'SecurityError'); }});"
    )
    visit(page, fake, block)

    assert re.fullmatch(r"[0-9a-f]{32}", checks(page, fake, 1)[0]["device"])


def test_it_shows_the_card_without_taking_focus(page: Page, fake: FakeServer) -> None:
    visit(page, fake)
    checks(page, fake, 1)
    page.locator("#name").focus()
    fake.reply("check", shown())
    page.evaluate("npsloop('page')")

    card = page.locator(CARD)
    expect(card).to_be_visible()
    expect(card.locator(".q")).to_have_text(QUESTION)
    expect(card.get_by_text("Not at all likely")).to_be_visible()
    expect(page.locator("#name")).to_be_focused()
    # Announced politely once on screen, since focus stays with the page.
    expect(card.locator("[aria-live=polite]")).to_have_text(QUESTION)


@pytest.mark.parametrize(
    "server",
    ["answers 500", "answers garbage", "answers null", "is unreachable", "sends half a survey"],
)
def test_it_never_throws_into_the_host_page(
    page: Page, fake: FakeServer, page_errors: list[str], server: str
) -> None:
    nonsense = """
      npsloop("identify", null); npsloop("nonsense"); npsloop("event", {}); npsloop();
      npsloop("init", 5); npsloop("identify", {id: {}}); npsloop("event", "");
    """
    if server == "answers 500":
        for endpoint in ("check", "answer", "followup", "dismiss"):
            fake.always(endpoint, b"Internal Server Error", status=500)
    elif server == "answers garbage":
        fake.always("check", b'{"show": true, "token": ')
    elif server == "answers null":
        fake.always("check", b"null")
    elif server == "is unreachable":
        unreachable = {"key": KEY, "host": f"http://127.0.0.1:{closed_port()}"}
        nonsense += f'npsloop("init", {json.dumps(unreachable)});'
    else:
        half = {"questions": [None, {"type": "single", "id": "a", "options": "x"}], "cta": "x"}
        fake.reply("check", {"show": True, "token": "t", "survey": {**half, "thanks": 5}})
        fake.always("answer", b"<html>", status=502)
        fake.always("followup", b"[]")
    visit(page, fake, nonsense)
    page.evaluate(f"() => {{ {nonsense}; npsloop('page'); npsloop('event', 'x'); }}")

    if server == "sends half a survey":
        page.locator(CARD).get_by_role("radio", name="9", exact=True).click()
        page.locator(CARD).locator(".send").click()
        expect(page.locator(CARD).locator(".done")).to_be_visible()
    elif server != "is unreachable":
        checks(page, fake, 3)
    page.wait_for_timeout(300)
    page.locator("#bump").click()
    expect(page.locator("#clicks")).to_have_text("1")
    assert page_errors == []
    if server != "sends half a survey":
        expect(page.locator(CARD)).to_have_count(0)


def test_it_does_not_move_the_page_when_the_card_appears(page: Page, fake: FakeServer) -> None:
    visit(page, fake)
    checks(page, fake, 1)
    before = page.evaluate(PAGE_BOXES)
    fake.reply("check", shown())
    page.evaluate("npsloop('page')")
    expect(page.locator(CARD)).to_be_visible()
    page.wait_for_timeout(300)  # the slide-in is over

    assert page.evaluate(PAGE_BOXES) == before
    host = page.locator("npsloop-survey")
    assert style_of(host, ["position"]) == {"position": "fixed"}


def test_it_works_by_keyboard_alone(page: Page, fake: FakeServer) -> None:
    card = show_card(page, fake, IDENTIFY_ANN)
    page.locator("#bump").focus()  # the page's last focusable element

    page.keyboard.press("Tab")
    expect(card.get_by_role("button", name="Close")).to_be_focused()
    page.keyboard.press("Tab")
    expect(card.get_by_role("radio", name="0", exact=True)).to_be_focused()
    for _ in range(9):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")
    expect(card.get_by_role("radio", name="8", exact=True)).to_be_focused()
    assert fake.received("answer") == []
    page.keyboard.press("Enter")

    wait_until(page, lambda: len(fake.received("answer")) == 1, "the /answer request")
    answer = fake.bodies("answer")[0]
    assert answer == {
        "key": KEY,
        "device": answer["device"],
        "token": "tok-1",
        "score": 8,
        "user": ANN,
        "userHash": "c0ffee",
    }
    chosen = card.get_by_role("radio", name="8", exact=True)
    expect(chosen).to_have_attribute("aria-checked", "true")
    expect(card.get_by_role("status")).to_have_text(RECORDED)
    page.keyboard.press("Tab")
    expect(card.get_by_role("textbox", name=FOLLOWUPS["passive"])).to_be_focused()
    page.keyboard.type("Faster exports, please")
    page.keyboard.press("Tab")
    expect(card.get_by_role("button", name="Send")).to_be_focused()
    page.keyboard.press("Enter")

    wait_until(page, lambda: len(fake.received("followup")) == 1, "the /followup request")
    followup = fake.bodies("followup")[0]
    assert followup["comment"] == "Faster exports, please"
    assert followup["answers"] == {}
    assert (followup["token"], followup["user"], followup["userHash"]) == ("tok-1", ANN, "c0ffee")
    expect(card.get_by_text(THANKS["passive"])).to_be_visible()
    expect(card.get_by_role("button", name="Close")).to_be_focused()
    page.keyboard.press("Enter")
    expect(card).to_have_count(0)
    assert fake.received("dismiss") == []


def test_it_dismisses_with_escape_before_a_score(page: Page, fake: FakeServer) -> None:
    card = show_card(page, fake)
    page.locator("#bump").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(card.get_by_role("radio", name="0", exact=True)).to_be_focused()

    page.keyboard.press("Escape")

    expect(card).to_have_count(0)
    wait_until(page, lambda: len(fake.received("dismiss")) == 1, "the /dismiss request")
    assert fake.bodies("dismiss")[0]["token"] == "tok-1"
    expect(page.locator("#bump")).to_be_focused()


def test_it_counts_the_close_button_as_a_dismissal(page: Page, fake: FakeServer) -> None:
    card = show_card(page, fake)

    card.get_by_role("button", name="Close").click()

    expect(card).to_have_count(0)
    wait_until(page, lambda: len(fake.received("dismiss")) == 1, "the /dismiss request")


def test_it_only_closes_with_escape_after_a_score(page: Page, fake: FakeServer) -> None:
    card = show_card(page, fake)
    card.get_by_role("radio", name="5", exact=True).click()
    wait_until(page, lambda: len(fake.received("answer")) == 1, "the /answer request")

    page.keyboard.press("Escape")

    expect(card).to_have_count(0)
    page.wait_for_timeout(300)
    assert fake.received("dismiss") == []


def test_it_keeps_its_look_on_a_hostile_page(page: Page, fake: FakeServer) -> None:
    looks: list[dict[str, Any]] = []
    for style in ("", HOSTILE_CSS):
        fake.reply("check", shown())
        visit(page, fake, style=style)
        card = page.locator(CARD)
        expect(card).to_be_visible()
        page.wait_for_timeout(300)
        looks.append(
            {
                "card": style_of(card, LOOK),
                "question": style_of(card.locator(".q"), LOOK),
                "score": style_of(card.get_by_role("radio", name="7", exact=True), LOOK),
                "box": card.bounding_box(),
            }
        )

    plain, hostile = looks
    assert hostile == plain
    assert plain["score"]["display"] != "none"
    assert plain["question"]["font-size"] == "15px"


def test_it_does_not_restyle_the_page(page: Page, fake: FakeServer) -> None:
    visit(page, fake)
    checks(page, fake, 1)
    properties = [*LOOK, "box-sizing", "margin-top", "line-height", "animation-name", "outline"]
    elements = ["body", "#intro", "#bump", "#name", "h1"]
    before = [style_of(page.locator(element), properties) for element in elements]
    fake.reply("check", shown())
    page.evaluate("npsloop('page')")
    expect(page.locator(CARD)).to_be_visible()
    page.locator(CARD).get_by_role("radio", name="3", exact=True).click()

    assert [style_of(page.locator(element), properties) for element in elements] == before


def test_it_checks_again_when_a_single_page_app_navigates(page: Page, fake: FakeServer) -> None:
    # The page's clock moves only when the test says: a loaded machine can't stretch the
    # debounce window past what the assertions assume.
    page.clock.install()
    visit(page, fake)
    checks(page, fake, 1)
    page.clock.pause_at(page.evaluate("Date.now()") + 1000)

    page.evaluate("['/app/a', '/app/b', '/app/c'].forEach((p) => history.pushState({}, '', p))")
    page.clock.run_for(150)
    assert len(fake.received("check")) == 1, "navigations are debounced"
    page.clock.run_for(200)
    assert checks(page, fake, 2)[1]["url"] == fake.site_url + "/app/c"
    page.clock.run_for(1000)
    assert len(fake.received("check")) == 2

    page.evaluate("history.replaceState({step: 2}, '', location.href)")
    page.clock.run_for(1000)
    assert len(fake.received("check")) == 2, "a state change without a new URL is no navigation"

    page.evaluate("location.hash = '#docs'")
    page.clock.run_for(400)
    assert checks(page, fake, 3)[2]["url"] == fake.site_url + "/app/c#docs"
    page.go_back()
    page.clock.run_for(400)
    assert checks(page, fake, 4)[3]["url"] == fake.site_url + "/app/c"


def test_it_checks_on_events_and_folds_queued_ones_into_the_first_check(
    page: Page, fake: FakeServer
) -> None:
    visit(page, fake, 'npsloop("event", "signed_up");')
    assert checks(page, fake, 1)[0]["event"] == "signed_up"
    page.wait_for_timeout(400)
    assert len(fake.received("check")) == 1

    page.evaluate("npsloop('event', 'completed_onboarding')")

    assert checks(page, fake, 2)[1]["event"] == "completed_onboarding"
    page.evaluate("npsloop('page')")
    assert "event" not in checks(page, fake, 3)[2]


def test_it_forgets_the_user_on_reset(page: Page, fake: FakeServer) -> None:
    card = show_card(page, fake, IDENTIFY_ANN)
    page.evaluate("npsloop('page')")
    page.wait_for_timeout(300)
    assert len(fake.received("check")) == 1, "no check while a card is on screen"

    page.evaluate("npsloop('reset')")

    expect(card).to_have_count(0)
    page.evaluate("npsloop('page')")
    anonymous = checks(page, fake, 2)[1]
    assert "user" not in anonymous
    assert "userHash" not in anonymous
    assert fake.received("dismiss") == []
    page.evaluate("npsloop('identify', {id: 'u-7', locale: 'en'})")
    assert checks(page, fake, 3)[2]["user"] == {"id": "u-7", "locale": "en"}


def test_it_shows_no_card_to_the_next_user_from_a_check_of_the_previous_one(
    page: Page, fake: FakeServer
) -> None:
    visit(page, fake, IDENTIFY_ANN)
    checks(page, fake, 1)
    fake.reply("check", shown(), delay=0.5)
    page.evaluate("npsloop('page')")
    checks(page, fake, 2)

    page.evaluate("npsloop('reset')")

    page.wait_for_timeout(800)
    expect(page.locator(CARD)).to_have_count(0)


def test_it_follows_dark_mode_and_reduced_motion(open_page: OpenPage, fake: FakeServer) -> None:
    light = show_card(open_page(), fake)
    dark = show_card(open_page(color_scheme="dark", reduced_motion="reduce"), fake)

    light_look = style_of(light, ["background-color", "color", "animation-name"])
    dark_look = style_of(dark, ["background-color", "color", "animation-name"])
    assert luminance(light_look["background-color"]) > 0.9
    assert light_look["animation-name"] != "none"
    assert luminance(dark_look["background-color"]) < 0.2
    assert luminance(dark_look["color"]) > 0.8
    assert dark_look["animation-name"] == "none"


def test_it_is_readable_at_320_px(open_page: OpenPage, fake: FakeServer) -> None:
    page = open_page(viewport={"width": 320, "height": 640})
    card = show_card(page, fake)
    page.wait_for_timeout(300)

    radios = card.get_by_role("radio")
    expect(radios).to_have_count(11)
    for score in range(11):
        radio = radios.nth(score)
        expect(radio).to_be_in_viewport(ratio=1)
        box = radio.bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 320
        assert box["width"] >= 18, "still a target a thumb can hit"
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    host = page.locator("npsloop-survey").bounding_box()
    assert host and (host["x"], host["width"]) == (8, 304), "full width but for the margins"
    radios.nth(10).click()
    expect(card.get_by_role("textbox")).to_be_in_viewport(ratio=1)


def test_it_is_a_dialog_with_a_radio_group(page: Page, fake: FakeServer) -> None:
    show_card(page, fake)

    dialog = page.get_by_role("dialog", name=QUESTION)
    expect(dialog).to_have_attribute("aria-modal", "false")
    labelled_by = dialog.get_attribute("aria-labelledby")
    expect(dialog.locator(f"#{labelled_by}")).to_have_text(QUESTION)
    radios = dialog.get_by_role("radiogroup", name=QUESTION).get_by_role("radio")
    expect(radios).to_have_count(11)
    expect(radios).to_have_text([str(score) for score in range(11)])
    for score in range(11):
        expect(radios.nth(score)).to_have_attribute("aria-checked", "false")

    radios.nth(3).click()
    expect(radios.nth(3)).to_have_attribute("aria-checked", "true")
    expect(dialog.get_by_text(FOLLOWUPS["detractor"])).to_be_visible()
    radios.nth(9).click()
    expect(radios.nth(3)).to_have_attribute("aria-checked", "false")
    expect(radios.nth(9)).to_have_attribute("aria-checked", "true")
    expect(dialog.get_by_text(FOLLOWUPS["promoter"])).to_be_visible()
    wait_until(page, lambda: len(fake.received("answer")) == 2, "two /answer requests")
    assert [body["score"] for body in fake.bodies("answer")] == [3, 9]


def test_it_reads_right_to_left_with_the_scale_still_from_0_to_10(
    page: Page, fake: FakeServer
) -> None:
    arabic = "ما مدى احتمال أن ترشّح Acme Cloud لصديق أو زميل؟"
    card = show_card(
        page,
        fake,
        direction="rtl",
        language="ar",
        question=arabic,
        low_label="غير محتمل",
        high_label="محتمل جدًا",
    )

    expect(card).to_have_attribute("dir", "rtl")
    expect(card).to_have_attribute("lang", "ar")
    boxes = [radio.bounding_box() for radio in card.get_by_role("radio").all()]
    lefts = [box["x"] for box in boxes if box]
    assert len(lefts) == 11
    assert lefts == sorted(lefts)
    low, high = card.get_by_text("غير محتمل"), card.get_by_text("محتمل جدًا")
    assert (low.bounding_box() or {"x": 1e9})["x"] < (high.bounding_box() or {"x": 0})["x"]
    card_box, close_box = card.bounding_box(), card.get_by_role("button").first.bounding_box()
    assert card_box and close_box
    assert close_box["x"] < card_box["x"] + card_box["width"] / 2, "close sits at the start: left"


def test_it_sits_in_the_corner_the_survey_asks_for(page: Page, fake: FakeServer) -> None:
    show_card(page, fake, position="top-left")

    box = page.locator("npsloop-survey").bounding_box()
    assert box is not None
    assert (box["x"], box["y"], box["width"]) == (16, 16, 400)


def test_it_sends_extra_answers_and_shows_errors_next_to_their_fields(
    page: Page, fake: FakeServer
) -> None:
    cta = {"url": "https://example.com/review", "label": "Leave a review", "audience": "promoters"}
    card = show_card(page, fake, questions=EXTRA_QUESTIONS, cta=cta)
    card.get_by_role("radio", name="10", exact=True).click()
    expect(card.get_by_text(FOLLOWUPS["promoter"])).to_be_visible()
    expect(card.get_by_text("A kind of question we don't know")).to_have_count(0)
    expect(card.get_by_text("Choose one")).to_be_visible()
    expect(card.get_by_text("Choose any")).to_be_visible()

    card.get_by_role("button", name="Send").click()
    ease = card.locator("fieldset", has_text="How easy is it to use?")
    docs = card.locator("fieldset", has_text="How good are the docs?")
    expect(ease.get_by_text("Please answer this question.")).to_be_visible()
    expect(docs.get_by_text("Please answer this question.")).to_be_visible()
    page.wait_for_timeout(200)
    assert fake.received("followup") == []

    card.get_by_role("textbox", name=FOLLOWUPS["promoter"]).fill("Great product")
    ease.get_by_role("radio", name="Easy").check()
    card.get_by_role("checkbox", name="Dashboards").check()
    card.get_by_role("checkbox", name="Exports").check()
    card.get_by_role("textbox", name="Anything else?").fill("  Keep it up  ")
    docs.get_by_role("radio", name="4", exact=True).check()
    errors = {"comment": "Keep it under 2000 characters.", "ease": "Pick one of the options."}
    fake.reply("followup", {"errors": errors}, status=422)
    card.get_by_role("button", name="Send").click()

    expect(ease.get_by_text("Pick one of the options.")).to_be_visible()
    expect(card.get_by_text("Keep it under 2000 characters.")).to_be_visible()
    expect(docs.get_by_text("Please answer this question.")).to_have_count(0)
    card.get_by_role("button", name="Send").click()

    expect(card.get_by_text(THANKS["promoter"])).to_be_visible()
    wait_until(page, lambda: len(fake.received("followup")) == 2, "the second /followup request")
    sent = fake.bodies("followup")[1]
    assert sent["comment"] == "Great product"
    assert sent["answers"] == {"ease": 2, "used": [0, 2], "why": "Keep it up", "docs": 4}
    link = card.get_by_role("link", name="Leave a review")
    expect(link).to_have_attribute("href", "https://example.com/review")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener")


def test_it_records_scores_in_the_order_chosen_and_the_follow_up_after_them(
    page: Page, fake: FakeServer
) -> None:
    card = show_card(page, fake)
    fake.reply("answer", {"score": 3, "category": "detractor"}, delay=0.6)
    card.get_by_role("radio", name="3", exact=True).click()
    card.get_by_role("radio", name="9", exact=True).click()
    card.get_by_role("textbox").fill("Quick")
    card.get_by_role("button", name="Send").click()

    expect(card.locator(".thanks")).to_have_text(THANKS["promoter"])
    first, second = fake.received("answer")
    (followup,) = fake.received("followup")
    assert [first.body and first.body["score"], second.body and second.body["score"]] == [3, 9]
    assert second.at - first.at >= 0.5, "the second score waited for the first answer"
    assert followup.at >= second.at
    page.wait_for_timeout(300)
    expect(card.locator(".thanks")).to_have_text(THANKS["promoter"])


def test_it_offers_the_promoters_link_to_promoters_only(page: Page, fake: FakeServer) -> None:
    cta = {"url": "https://example.com/review", "label": "Leave a review", "audience": "promoters"}
    card = show_card(page, fake, cta=cta)
    card.get_by_role("radio", name="7", exact=True).click()
    card.get_by_role("button", name="Send").click()

    expect(card.get_by_text(THANKS["passive"])).to_be_visible()
    expect(card.get_by_role("link")).to_have_count(0)


def test_it_shows_server_text_as_text(page: Page, fake: FakeServer) -> None:
    hostile = '<img src=x onerror="window.__xss=1">How likely?'
    options = {"id": "o", "type": "single", "label": hostile, "options": [hostile]}
    card = show_card(
        page,
        fake,
        question=hostile,
        followups={"promoter": hostile, "passive": hostile, "detractor": hostile},
        thanks={"promoter": hostile, "passive": hostile, "detractor": hostile},
        questions=[options],
    )
    card.get_by_role("radio", name="9", exact=True).click()
    card.get_by_role("button", name="Send").click()
    expect(card.locator(".thanks")).to_have_text(hostile)

    expect(card.locator(".q")).to_have_text(hostile)
    expect(page.locator("npsloop-survey img")).to_have_count(0)
    assert page.evaluate("window.__xss") is None


def test_it_takes_the_key_and_host_from_init(page: Page, fake: FakeServer) -> None:
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    own_copy = fake.site_url + "/widget.js"
    visit(page, fake, key=None, widget_src=own_copy)
    page.wait_for_function("typeof npsloop === 'function' && npsloop.loaded")
    page.wait_for_timeout(200)
    assert fake.received("check") == []
    assert any("no publishable key" in message for message in messages)

    init = {"key": KEY, "host": fake.api_url + "/"}
    visit(page, fake, f"npsloop('init', {json.dumps(init)});", key=None, widget_src=own_copy)

    checks(page, fake, 1)
    request = fake.received("check")[0]
    assert (request.host, request.body and request.body["key"]) == (fake.api_url[7:], KEY)


NOT_NOW = {"show": False, "reason": "cooldown", "recheck_after": 600}


def page_checks(page: Page, fake: FakeServer, marker: str) -> list[dict[str, Any]]:
    """The checks sent so far, other than markers: a check for a new event (never kept)
    marks the point after which every earlier check has been sent. Sent once the widget
    has started (and made the page's own check, if any): before, it would be folded into
    that check."""
    page.wait_for_function("window.npsloop && window.npsloop.loaded === true")
    page.evaluate(f"npsloop('event', {json.dumps(marker)})")
    wait_until(
        page,
        lambda: any(body.get("event") == marker for body in fake.bodies("check")),
        f"the check of {marker}",
    )
    return [b for b in fake.bodies("check") if not str(b.get("event", "")).startswith("marker")]


def kept(page: Page) -> int:
    """How many "not now" verdicts the browser keeps."""
    return int(
        page.evaluate("Object.keys(JSON.parse(localStorage['npsloop.verdicts'] || '{}')).length")
    )


def test_it_keeps_the_servers_not_now_across_page_views(page: Page, fake: FakeServer) -> None:
    fake.always("check", NOT_NOW)
    url = visit(page, fake, IDENTIFY_ANN)
    page_checks(page, fake, "marker-first")
    wait_until(page, lambda: kept(page) == 2, "the page view's and the marker's verdicts")
    for view in range(20):
        page.goto(url)
        assert len(page_checks(page, fake, f"marker-{view}")) == 1, f"page view {view + 2}"


def test_it_asks_again_for_other_details_another_event_a_reset_or_after_the_time(
    page: Page, fake: FakeServer
) -> None:
    fake.always("check", {**NOT_NOW, "recheck_after": 2})
    visit(page, fake, IDENTIFY_ANN)
    assert len(page_checks(page, fake, "marker-1")) == 1
    page.evaluate("npsloop('page')")
    assert len(page_checks(page, fake, "marker-2")) == 1

    page.evaluate(
        f"npsloop('identify', {json.dumps({**ANN, 'plan': 'pro'})}, {{userHash: 'c0ffee'}})"
    )
    assert checks(page, fake, 4)[-1]["user"]["plan"] == "pro"
    page.evaluate("npsloop('event', 'exported')")
    assert page_checks(page, fake, "marker-3")[-1]["event"] == "exported"
    page.evaluate("npsloop('event', 'exported')")
    assert len(page_checks(page, fake, "marker-4")) == 3

    page.evaluate("npsloop('reset')")
    page.evaluate("npsloop('page')")
    assert "user" not in page_checks(page, fake, "marker-5")[-1]

    before = len(page_checks(page, fake, "marker-6"))
    wait_until(
        page,
        lambda: (
            page.evaluate("npsloop('page')") is None and len(fake.received("check")) > before + 6
        ),  # six markers so far
        "a check once the kept verdict's 2 seconds are over",
    )


def test_it_asks_on_every_page_when_the_server_keeps_nothing(page: Page, fake: FakeServer) -> None:
    fake.always("check", {**NOT_NOW, "recheck_after": 0})
    url = visit(page, fake, IDENTIFY_ANN)
    checks(page, fake, 1)
    page.goto(url)
    assert len(page_checks(page, fake, "marker-1")) == 2
