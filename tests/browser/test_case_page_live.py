"""A case worked in Chromium against the live server: a note in Markdown (a script in it
stays text), a new tag, a reply by email that reaches a real SMTP server on loopback, and
the case contacted with all of it in its history; nothing refused by the page's CSP."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import ConsoleMessage, Page, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from bench.smtp_sink import SmtpSink
from npsloop.contacts.fields import ContactData
from npsloop.loop.models import Case, CaseStatus
from npsloop.loop.reactions import follow_answers
from npsloop.surveys.configure import create_survey
from npsloop.surveys.responses import ResponseData, record_response
from npsloop.workspaces.configure import create_workspace
from npsloop.workspaces.membership import add_member
from npsloop.workspaces.models import Role

PASSWORD = "a long passphrase 42"
NOTE = (
    "**Called** Ann: see [the ticket](https://help.example.com/t/1)\n\n"
    "<script>window.__xss = 1</script> [x](javascript:window.__xss=2) "
    '<img src=x onerror="window.__xss=3">'
)


@pytest.fixture
def case(transactional_db: None, settings: Settings) -> Case:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    workspace = create_workspace("Acme Cloud")
    survey = create_survey(workspace, name="Relationship NPS", product_name="Acme Cloud")
    user = User.objects.create_user(
        "cora@acme.test", "cora@acme.test", PASSWORD, first_name="Cora", last_name="Diaz"
    )
    add_member(workspace, user, Role.EDITOR)
    recorded = record_response(
        workspace,
        ResponseData(
            survey=survey,
            score=2,
            comment="The invoices are wrong every month.",
            contact=ContactData(external_id="ann", email="ann@example.com", name="Ann Lee"),
        ),
    )
    follow_answers(workspace.pk)
    return Case.objects.get(response=recorded.response)


def test_working_a_case_in_the_browser(
    page: Page, live_server: LiveServer, smtp_sink: SmtpSink, case: Case
) -> None:
    refused: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or message.text.startswith("Refused"):
            refused.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: refused.append(str(error)))
    page.on("dialog", lambda dialog: refused.append(f"dialog: {dialog.message}"))

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username or email").fill("cora@acme.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Workspaces")).to_be_visible()

    page.goto(f"{live_server.url}/w/{case.workspace.slug}/cases/{case.pk}/")
    expect(page.locator("#status")).to_have_text("Open")
    expect(page.locator("#comment")).to_have_text("The invoices are wrong every month.")

    notes = page.get_by_role("form", name="Add a note")
    notes.get_by_label("Note").fill(NOTE)
    notes.get_by_role("button", name="Add the note").click()
    shown = page.locator("#notes .note-body").first
    expect(shown.locator("strong")).to_have_text("Called")
    link = shown.get_by_role("link", name="the ticket")
    expect(link).to_have_attribute("rel", "noopener nofollow")
    expect(shown).to_contain_text("<script>window.__xss = 1</script>")
    expect(shown.locator("script, img")).to_have_count(0)
    expect(shown.locator("a[href^='javascript']")).to_have_count(0)

    tags = page.get_by_role("form", name="New tag")
    tags.get_by_label("New tag").fill("billing")
    tags.get_by_role("button", name="Create and add").click()
    expect(page.locator("#tags ul.tags")).to_contain_text("billing")

    form = page.get_by_role("form", name="Reply by email")
    expect(form.get_by_label("Message")).to_have_value(
        "Hi Ann,\n\nThank you for your feedback on Acme Cloud. You wrote:\n\n"
        "> The invoices are wrong every month.\n\n\n\nBest regards,\nCora Diaz"
    )
    form.get_by_label("Subject").fill("Your invoices")
    form.get_by_role("button", name="Send the reply").click()
    expect(page.get_by_role("status")).to_have_text("The reply was sent.")
    expect(page.locator("#status")).to_have_text("Contacted")

    [received] = smtp_sink.wait_for(1)
    assert received.message["From"] == "Cora Diaz <nps@localhost>"
    assert received.message["Reply-To"] == "cora@acme.test"
    history = page.locator("#case-history li")
    expect(history.nth(0)).to_contain_text("Cora Diaz replied by email to ann@example.com")
    expect(history.nth(1)).to_contain_text("Cora Diaz moved it from open to contacted")
    expect(page.locator("#case-history")).to_contain_text("Cora Diaz wrote a note")
    assert page.evaluate("window.__xss") is None

    # The response page shows the same tags and notes, and leads back to the case.
    page.goto(f"{live_server.url}/w/{case.workspace.slug}/responses/{case.response_id}/")
    expect(page.locator("#tags ul.tags")).to_contain_text("billing")
    expect(page.locator("#notes .note-body strong")).to_have_text("Called")
    page.locator("#case-link").get_by_role("link").click()
    expect(page.locator("#status")).to_have_text("Contacted")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CONTACTED
    assert refused == []
