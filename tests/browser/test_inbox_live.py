"""The cases inbox in Chromium, as an editor works it: sign in, filter, pick two cases with
the keyboard (j and x), give both to a colleague in one go, see them leave the Unassigned tab;
Enter opens the focused case. Nothing on the page is refused by the Content-Security-Policy."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import ConsoleMessage, Page, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from npsloop.contacts.fields import ContactData
from npsloop.loop.models import Case
from npsloop.loop.reactions import follow_answers
from npsloop.surveys.responses import ResponseData, record_response
from npsloop.surveys.services import create_survey
from npsloop.workspaces.configure import create_workspace
from npsloop.workspaces.membership import add_member
from npsloop.workspaces.models import Member, Role, Workspace

PASSWORD = "a long passphrase 42"
EDITOR = "eve@example.com"
ANSWERS = [(1, "Exports time out"), (4, "Too pricey for what it does"), (8, "Fine, a bit slow")]


@pytest.fixture
def acme(transactional_db: None, settings: Settings) -> Workspace:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    workspace = create_workspace("Acme Cloud")
    survey = create_survey(workspace, name="Relationship NPS", product_name="Acme Cloud")
    users = get_user_model().objects
    add_member(workspace, users.create_user(EDITOR, EDITOR, PASSWORD), Role.EDITOR)
    cora = users.create_user("cora@example.com", "cora@example.com", first_name="Cora")
    add_member(workspace, cora, Role.EDITOR)
    for n, (score, comment) in enumerate(ANSWERS):
        record_response(
            workspace,
            ResponseData(
                survey=survey,
                score=score,
                comment=comment,
                contact=ContactData(external_id=f"u-{n}", email=f"u-{n}@example.com"),
            ),
        )
    follow_answers(workspace.pk)
    return workspace


def test_an_editor_assigns_two_cases_from_the_keyboard(
    page: Page, live_server: LiveServer, acme: Workspace
) -> None:
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    inbox = f"{live_server.url}/w/{acme.slug}/cases/"
    page.goto(inbox)
    page.get_by_label("Username or email").fill(EDITOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Cases")).to_be_visible()
    expect(page.get_by_text("No case matches these filters.")).to_be_visible()  # none of mine

    page.get_by_role("link", name=re.compile("^Unassigned")).click()
    expect(page.locator("#cases tbody tr[data-case]")).to_have_count(3)
    page.get_by_label("Category").select_option("detractor")  # applied at once
    page.wait_for_url(re.compile(r"category=detractor"))
    rows = page.locator("#cases tbody tr[data-case]")
    expect(rows).to_have_count(2)
    assert "tab=unassigned" in page.url

    page.keyboard.press("j")
    expect(rows.nth(0)).to_be_focused()
    page.keyboard.press("x")
    page.keyboard.press("j")
    expect(rows.nth(1)).to_be_focused()
    page.keyboard.press("x")
    boxes = page.get_by_role("checkbox", name=re.compile(r"^Select case"))
    expect(boxes.nth(0)).to_be_checked()
    expect(boxes.nth(1)).to_be_checked()
    expect(page.get_by_label("Select every case on this page")).to_be_checked()
    chosen = {int(rows.nth(i).get_attribute("data-case") or 0) for i in range(2)}

    page.get_by_label("Action").select_option("assign")
    page.get_by_label("New owner").select_option(label="Cora")
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.get_by_role("status")).to_contain_text("2 cases changed")
    expect(page.get_by_text("No case matches these filters.")).to_be_visible()
    # The counts follow the filters: no unassigned detractor is left.
    expect(page.get_by_role("link", name="Unassigned 0 cases")).to_be_visible()
    cora = Member.objects.get(workspace=acme, user__email="cora@example.com")
    assert set(Case.objects.filter(owner=cora).values_list("pk", flat=True)) == chosen

    page.get_by_role("link", name=re.compile("^All")).click()
    first = page.locator("#cases tbody tr[data-case]").first
    expect(first).to_contain_text("Cora")
    page.keyboard.press("j")
    expect(first).to_be_focused()
    case_id = first.get_attribute("data-case")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/w/{acme.slug}/cases/{case_id}/")
    assert [p for p in problems if "404" not in p] == []
