"""The widget against the real server, in Chromium: the demo page answered by keyboard, the
server's rules across channels, identity, hostile host pages, and axe-core."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from npsloop.channels.inapp.identity import user_hash
from npsloop.contacts.fields import ContactData
from npsloop.contacts.services import upsert_contact
from npsloop.program.asks import ask_contacts
from npsloop.program.models import AskStatus, SurveyRequest
from npsloop.surveys.configure import create_survey
from npsloop.surveys.models import Response, Survey
from npsloop.workspaces.configure import create_workspace
from npsloop.workspaces.models import Workspace

CARD = "npsloop-survey .card"
APP_SERVERS: list[AppServer] = []
AXE = Path(__file__).resolve().parents[2] / ".venv/axe/node_modules/axe-core/axe.min.js"
HOSTILE = "* { all: unset; color: red !important; font-size: 40px !important } "
NONCE = "c3RyaWN0LWN1c3RvbWVy"


class AppServer:
    """The customer's web app: another origin on loopback, serving whatever page a test
    sets. A real server, since Chromium keeps pages it can't place on the network (routed
    ones) from reaching loopback addresses."""

    def __init__(self) -> None:
        self.html = b""
        self.headers: dict[str, str] = {}
        app = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                for name, value in app.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(app.html)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def app_server() -> Iterator[AppServer]:
    app = AppServer()
    APP_SERVERS.append(app)
    yield app
    app.server.shutdown()


@pytest.fixture
def acme(transactional_db: None, app_server: AppServer) -> tuple[Workspace, Survey]:
    workspace = create_workspace("Acme Cloud")  # slug acme-cloud: the demo's workspace
    workspace.widget_origins = app_server.url
    workspace.save()
    survey = create_survey(workspace, name="Relationship NPS", product_name="Acme Cloud")
    return workspace, survey


def card_of(page: Page) -> Locator:
    card = page.locator(CARD)
    expect(card).to_be_visible()
    return card


def host_app(
    page: Page,
    live_server: LiveServer,
    workspace: Workspace,
    user: dict[str, object],
    user_hash_value: str | None,
    style: str = "",
    policy: str = "",
    widget_nonce: bool = False,
) -> None:
    """The customer's own web app on another origin, embedding the widget from our server;
    with a Content-Security-Policy, its inline style and snippet carry the nonce NONCE."""
    options = json.dumps({"userHash": user_hash_value}) if user_hash_value else "{}"
    tag_nonce = f' nonce="{NONCE}"' if widget_nonce else ""
    html = f"""<!doctype html><html lang="en"><head><title>Acme app</title>
<style nonce="{NONCE}">{style}</style></head><body><main><h1>Acme app</h1><p id="para">Work</p>
</main>
<script nonce="{NONCE}">
window.npsloop = window.npsloop || function () {{ (npsloop.q = npsloop.q || []).push(arguments); }};
npsloop("identify", {json.dumps(user)}, {options});
</script>
<script async src="{live_server.url}/widget.js" data-key="{workspace.publishable_key}"{tag_nonce}>
</script>
</body></html>"""

    app = APP_SERVERS[-1]
    app.html = html.encode()
    app.headers = {"Content-Security-Policy": policy} if policy else {}
    page.goto(f"{app.url}/dashboard")


def test_the_demo_page_is_answered_by_keyboard_alone(
    page: Page, live_server: LiveServer, acme: tuple[Workspace, Survey]
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/widget/demo")
    card = card_of(page)
    expect(card.locator(".q")).to_have_text(
        "How likely are you to recommend Acme Cloud to a friend or colleague?"
    )
    page.locator("#onboarded").focus()
    # Tab from the page into the card: the close button, then the scale.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.tagName") == (
            "NPSLOOP-SURVEY"
        ) and card.get_by_role("radio", name="0", exact=True).evaluate(
            "e => e === e.getRootNode().activeElement"
        ):
            break
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Enter")  # 8
    expect(card.get_by_role("radio", name="8", exact=True)).to_have_attribute(
        "aria-checked", "true"
    )
    expect(card.get_by_role("status")).to_have_text("Thank you — your score has been recorded.")
    page.keyboard.press("Tab")
    page.keyboard.type("Exports are slow")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(
        card.get_by_text("Thank you for your feedback. We'll use it to make Acme Cloud better.")
    ).to_be_visible()
    response = Response.objects.get()
    assert (response.score, response.channel, response.comment) == (8, "in-app", "Exports are slow")
    assert response.contact is not None and response.contact.external_id.startswith("demo_")
    page.reload()
    page.wait_for_timeout(800)
    expect(page.locator(CARD)).to_have_count(0)
    assert errors == []


def test_a_dismissed_survey_returns_after_seven_days(
    page: Page, live_server: LiveServer, acme: tuple[Workspace, Survey]
) -> None:
    page.goto(f"{live_server.url}/widget/demo")
    card_of(page).get_by_role("button", name="Close").click()
    expect(page.locator(CARD)).to_have_count(0)
    page.wait_for_timeout(300)
    ask = SurveyRequest.objects.get()
    assert ask.dismissals == 1
    page.reload()
    page.wait_for_timeout(800)
    expect(page.locator(CARD)).to_have_count(0)
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=5)):
        # Only the server's clock travels: the browser would keep its "not now" for the
        # verdict's 10 minutes, which in a real week have long passed.
        page.evaluate("localStorage.removeItem('npsloop.verdicts')")
        page.reload()
        card_of(page)
    assert SurveyRequest.objects.get().status == AskStatus.SENT


def test_twenty_page_views_of_a_user_in_cooldown_cost_one_check(
    page: Page, live_server: LiveServer, acme: tuple[Workspace, Survey]
) -> None:
    workspace, _ = acme
    kim = {"id": "kim", "email": "kim@example.com"}
    host_app(page, live_server, workspace, kim, user_hash(workspace, "kim"))
    card = card_of(page)
    card.get_by_role("radio", name="9", exact=True).click()
    expect(card.get_by_role("status")).to_have_text("Thank you — your score has been recorded.")
    sent: list[str] = []
    page.on(
        "request",
        lambda request: (
            sent.append(request.post_data or "")
            if request.url.endswith("/widget/v1/check")
            else None
        ),
    )
    for view in range(20):
        host_app(page, live_server, workspace, kim, user_hash(workspace, "kim"))
        # A check for an event of its own (never kept) marks the point by which any check
        # of this page view was sent.
        name = f"marker-{view}"
        with page.expect_response(
            lambda r, name=name: name in (r.request.post_data or "")
        ) as marker:
            page.evaluate(f"npsloop('event', '{name}')")
        assert marker.value.json()["reason"] == f"no survey for event '{name}'"
        if view == 0:
            page.wait_for_function("(localStorage['npsloop.verdicts'] || '').includes('kim')")
    page_views = [body for body in sent if '"marker-' not in body]
    assert len(page_views) == 1
    assert json.loads(page_views[0])["user"]["id"] == "kim"


def test_the_widget_and_email_keep_each_others_cooldown(
    page: Page, live_server: LiveServer, acme: tuple[Workspace, Survey]
) -> None:
    workspace, survey = acme
    ann = {"id": "ann", "email": "ann@example.com", "name": "Ann"}
    host_app(page, live_server, workspace, ann, user_hash(workspace, "ann"))
    card = card_of(page)
    card.get_by_role("radio", name="10", exact=True).click()
    expect(card.get_by_role("status")).to_have_text("Thank you — your score has been recorded.")
    assert Response.objects.get().channel == "in-app"
    report = ask_contacts(survey, ["ann"])
    assert [(s.contact, s.reason) for s in report.skipped] == [("ann", "cooldown")]
    # Bob was emailed yesterday: the widget leaves him alone today.
    upsert_contact(workspace, ContactData(external_id="bob", email="bob@example.com"))
    asked = ask_contacts(survey, ["bob"]).scheduled[0]
    yesterday = timezone.now() - timedelta(days=1)
    SurveyRequest.objects.filter(pk=asked.pk).update(
        status=AskStatus.SENT, sent_at=yesterday, last_sent_at=yesterday
    )
    other = page.context.new_page()
    host_app(other, live_server, workspace, {"id": "bob"}, user_hash(workspace, "bob"))
    other.wait_for_timeout(1000)
    expect(other.locator(CARD)).to_have_count(0)


def test_a_wrong_user_hash_shows_nothing_and_cannot_answer(
    page: Page, live_server: LiveServer, acme: tuple[Workspace, Survey]
) -> None:
    workspace, _ = acme
    workspace.require_identity = True
    workspace.save()
    checks: list[str] = []
    page.on(
        "request",
        lambda r: checks.append(r.method) if r.url.endswith("/widget/v1/check") else None,
    )
    host_app(page, live_server, workspace, {"id": "mallory"}, "0" * 64)
    page.wait_for_timeout(1000)
    expect(page.locator(CARD)).to_have_count(0)
    assert "POST" in checks  # it asked, and was refused (403, no CORS header)
    assert not SurveyRequest.objects.exists()
    # Straight to the API with someone's token and a forged hash: refused.
    ask = SurveyRequest.objects.create(
        workspace=workspace,
        survey=acme[1],
        contact=upsert_contact(workspace, ContactData(external_id="ann")).contact,
        channel="in-app",
        token="t" * 22,
        status=AskStatus.SENT,
        due_at=timezone.now(),
        sent_at=timezone.now(),
    )
    reply = page.request.post(
        f"{live_server.url}/widget/v1/answer",
        data=json.dumps(
            {
                "key": workspace.publishable_key,
                "device": "d",
                "token": ask.token,
                "score": 10,
                "user": {"id": "ann"},
                "userHash": "f" * 64,
            }
        ),
        headers={"Content-Type": "application/json"},
    )
    assert reply.status == 403
    assert not Response.objects.exists()


def test_a_hostile_page_does_not_restyle_the_card_and_axe_finds_nothing_serious(
    page: Page, live_server: LiveServer, acme: tuple[Workspace, Survey]
) -> None:
    workspace, _ = acme
    looks = []
    for style in ("", HOSTILE):
        host_app(page, live_server, workspace, {"id": "cara"}, user_hash(workspace, "cara"), style)
        card = card_of(page)
        looks.append(
            card.locator(".q").evaluate(
                "e => { const s = getComputedStyle(e); return [s.color, s.fontSize, s.display]; }"
            )
        )
    assert looks[0] == looks[1]
    assert looks[0][0] != "rgb(255, 0, 0)"
    page.add_script_tag(path=str(AXE))
    # Only the widget: the bare test page around it is not ours to judge.
    results = page.evaluate("axe.run({include: [['npsloop-survey']]})")
    checked = {rule["id"] for rule in results["passes"]}
    assert {"button-name", "aria-allowed-role", "color-contrast"} <= checked  # it looked inside
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]])
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []


@pytest.mark.parametrize("constructed", [True, False])
def test_it_works_on_a_page_with_a_strict_policy_that_allows_npsloop(
    page: Page, live_server: LiveServer, acme: tuple[Workspace, Survey], constructed: bool
) -> None:
    """What docs/widget.md tells a customer to add to their policy is enough: npsloop's
    origin in script-src and connect-src. Its styles need no 'unsafe-inline'; a browser
    without constructed stylesheets uses the nonce the page put on the widget's script tag."""
    workspace, _ = acme
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    if not constructed:
        page.add_init_script("delete CSSStyleSheet.prototype.replaceSync")
    policy = (
        f"default-src 'self'; script-src 'self' 'nonce-{NONCE}' {live_server.url}; "
        f"connect-src 'self' {live_server.url}; style-src 'self' 'nonce-{NONCE}'; "
        "img-src 'self'; object-src 'none'; base-uri 'self'"
    )
    ann = {"id": "ann", "name": "Ann"}
    hashed = user_hash(workspace, "ann")
    host_app(page, live_server, workspace, ann, hashed, policy=policy, widget_nonce=not constructed)
    card = card_of(page)
    # Styled: not the browser's default look for a div.
    assert card.evaluate("c => getComputedStyle(c).borderTopStyle") == "solid"
    card.get_by_role("radio", name="9", exact=True).click()
    expect(card.get_by_role("status")).to_have_text("Thank you — your score has been recorded.")
    assert Response.objects.get().score == 9
    assert refused == []
