"""Who opens the links of a survey email, in a real Chromium: link scanners (several
strategies) and people (several habits). The browser tests run each one and check what
was recorded (tests/browser/test_link_scanners.py); bench_scanners.py runs many and
reports the rates. One definition of each, so the rates measure what the tests check.

Scanners never produce input events: they open pages, let them run (time advanced by
Playwright's clock, so "waiting ten seconds" is exact and instant) and move on. The one
exception, `MouseOnEveryLink`, moves the mouse on every page the way some sandboxes do,
following the email's links in document order. People click a score in the rendered
email and then do what people do on the page that opens.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser

from playwright.sync_api import Browser, BrowserContext, Page

# Blink sets navigator.webdriver under automation; without this feature it doesn't.
HIDE_AUTOMATION = "--disable-blink-features=AutomationControlled"
# What scanners that hide their automation run first in every page.
WEBDRIVER_FALSE = (
    "Object.defineProperty(Navigator.prototype, 'webdriver',"
    " {get: () => false, configurable: true})"
)
# How long a scanner lets a page run (its timers included) before it moves on, in ms.
SCANNER_DWELL_MS = 10_000
WALKER_DWELL_MS = 1_500


@dataclass(frozen=True)
class EmailLinks:
    """The links of one survey email's HTML: every href in document order, and the score
    buttons (the number each shows → its address)."""

    html: str
    every: list[str]
    scores: dict[int, str]


class _Anchors(HTMLParser):
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


def email_links(html: str) -> EmailLinks:
    parser = _Anchors()
    parser.feed(html)
    return EmailLinks(
        html=html,
        every=[href for href, _ in parser.found],
        scores={int(text): href for href, text in parser.found if text.isdigit()},
    )


def new_context(browser: Browser, *, hide_automation: bool, touch: bool = False) -> BrowserContext:
    """A fresh profile, as each scanner visit and each person is. `hide_automation` also
    needs the browser launched with HIDE_AUTOMATION."""
    context = browser.new_context(
        viewport={"width": 390, "height": 800} if touch else {"width": 1200, "height": 800},
        has_touch=touch,
        is_mobile=touch,
    )
    if hide_automation:
        context.add_init_script(WEBDRIVER_FALSE)
    context.set_default_timeout(10_000)
    return context


def settle(page: Page) -> None:
    """Until the page has stopped talking to the server: anything it was going to record
    has been recorded."""
    page.wait_for_load_state("networkidle")


def _open(page: Page, url: str, dwell_ms: int) -> None:
    page.goto(url)
    page.clock.run_for(dwell_ms)


# --- Scanners -------------------------------------------------------------------------

Scanner = Callable[[BrowserContext, EmailLinks], None]


def one_link(context: BrowserContext, links: EmailLinks) -> None:
    """Opens the first score link and lets the page run for ten seconds."""
    page = context.new_page()
    page.clock.install()
    _open(page, links.scores[0], SCANNER_DWELL_MS)
    settle(page)


def every_score_link(context: BrowserContext, links: EmailLinks) -> None:
    """Opens the eleven score links in order, one after another in the same tab."""
    page = context.new_page()
    page.clock.install()
    for score in range(11):
        _open(page, links.scores[score], WALKER_DWELL_MS)
    settle(page)


def _visible_and_focused(context: BrowserContext) -> Page:
    page = context.new_page()
    page.clock.install()
    page.bring_to_front()
    context.new_cdp_session(page).send("Emulation.setFocusEmulationEnabled", {"enabled": True})
    return page


def visible_focused_one_link(context: BrowserContext, links: EmailLinks) -> None:
    """Opens one score link in a tab brought to the front with focus emulated, and stays
    ten seconds: the page is visible and has focus all along."""
    page = _visible_and_focused(context)
    _open(page, links.scores[9], SCANNER_DWELL_MS)
    assert page.evaluate("document.visibilityState === 'visible' && document.hasFocus()")
    settle(page)


def visible_focused_every_score_link(context: BrowserContext, links: EmailLinks) -> None:
    """The same, for each of the eleven score links, ten seconds each."""
    page = _visible_and_focused(context)
    for score in range(11):
        _open(page, links.scores[score], SCANNER_DWELL_MS)
    settle(page)


def every_link(context: BrowserContext, links: EmailLinks) -> None:
    """Follows every link of the email's HTML in document order, hidden ones included."""
    page = context.new_page()
    page.clock.install()
    for url in links.every:
        _open(page, url, WALKER_DWELL_MS)
    settle(page)


def mouse_on_every_link(context: BrowserContext, links: EmailLinks) -> None:
    """Follows every link in document order and moves the mouse across each page (real
    input events, as a person's), as sandboxes that play a user do."""
    page = _visible_and_focused(context)
    for url in links.every:
        page.goto(url)
        page.mouse.move(200, 200)
        page.mouse.move(420, 310, steps=8)
        page.clock.run_for(WALKER_DWELL_MS)
    settle(page)


def mouse_on_one_link(context: BrowserContext, links: EmailLinks) -> None:
    """Opens one score link, moves the mouse and stays: indistinguishable from a person
    who does the same, and recorded (docs/security.md, "Limits"). Measured, not defended."""
    page = _visible_and_focused(context)
    page.goto(links.scores[10])
    page.mouse.move(200, 200)
    page.mouse.move(420, 310, steps=8)
    page.clock.run_for(SCANNER_DWELL_MS)
    settle(page)


# name → (strategy, whether the browser hides its automation)
SCANNERS: dict[str, tuple[Scanner, bool]] = {
    "one link": (one_link, False),
    "every score link": (every_score_link, False),
    "every score link, automation hidden": (every_score_link, True),
    "one link, visible and focused, 10 s": (visible_focused_one_link, True),
    "every score link, visible and focused, 10 s each": (visible_focused_every_score_link, True),
    "every link of the HTML, decoy included": (every_link, True),
    "every link in order, moving the mouse": (mouse_on_every_link, True),
}
# Strategies npsloop cannot tell from a person (docs/security.md, "Limits").
UNDEFENDED: dict[str, tuple[Scanner, bool]] = {
    "one link, moving the mouse": (mouse_on_one_link, True),
}


# --- People ---------------------------------------------------------------------------

Person = Callable[[BrowserContext, EmailLinks, int], None]


def open_from_email(
    context: BrowserContext, links: EmailLinks, score: int, *, touch: bool = False
) -> Page:
    """The email on screen, and a real click (or tap) on one of its score buttons."""
    page = context.new_page()
    page.clock.install()
    page.set_content(links.html)
    button = page.get_by_role("link", name=str(score), exact=True)
    if touch:
        button.tap()
    else:
        button.click()
    page.wait_for_url(links.scores[score])
    return page


def moves_the_mouse(context: BrowserContext, links: EmailLinks, score: int) -> None:
    """Clicks a score, reads the thank-you while the mouse drifts, closes the tab."""
    page = open_from_email(context, links, score)
    page.mouse.move(640, 300, steps=6)
    page.clock.run_for(4_000)
    settle(page)


def quick_close_with_mouse(context: BrowserContext, links: EmailLinks, score: int) -> None:
    """Clicks a score and, a second later, heads for the tab's close button: the pointer
    crosses the page on its way up."""
    page = open_from_email(context, links, score)
    page.clock.run_for(1_000)
    page.mouse.move(900, 5, steps=4)
    settle(page)


def writes_a_reason(context: BrowserContext, links: EmailLinks, score: int) -> None:
    """Clicks a score, clicks the reason box, types and sends."""
    page = open_from_email(context, links, score)
    page.locator("#comment").click()
    page.keyboard.type("Setting up alerts took a while")
    with page.expect_navigation():
        page.locator("#rest button[type=submit]").click()
    settle(page)


def keyboard_only(context: BrowserContext, links: EmailLinks, score: int) -> None:
    """Opens the link from the email by keyboard (focus on the button, Enter), then tabs
    into the page to read it."""
    page = context.new_page()
    page.clock.install()
    page.set_content(links.html)
    page.get_by_role("link", name=str(score), exact=True).focus()
    page.keyboard.press("Enter")
    page.wait_for_url(links.scores[score])
    page.keyboard.press("Tab")
    page.clock.run_for(3_000)
    settle(page)


def taps_and_scrolls(context: BrowserContext, links: EmailLinks, score: int) -> None:
    """On a phone: taps a score, then touches the page to scroll it."""
    page = open_from_email(context, links, score, touch=True)
    page.touchscreen.tap(200, 600)
    page.clock.run_for(3_000)
    settle(page)


def looks_and_leaves(context: BrowserContext, links: EmailLinks, score: int) -> None:
    """Taps a score on a phone, reads the page for a few seconds without touching it and
    closes it. Nothing tells this person from a scanner: not recorded."""
    page = open_from_email(context, links, score, touch=True)
    page.clock.run_for(4_000)
    settle(page)


# name → (behaviour, on a touch screen, weight in the bench's mix of people)
PEOPLE: dict[str, tuple[Person, bool, int]] = {
    "moves the mouse and reads": (moves_the_mouse, False, 35),
    "closes after a second, mouse": (quick_close_with_mouse, False, 15),
    "writes a reason and sends": (writes_a_reason, False, 15),
    "keyboard only": (keyboard_only, False, 5),
    "phone: taps the page": (taps_and_scrolls, True, 20),
    "phone: looks and leaves untouched": (looks_and_leaves, True, 10),
}
