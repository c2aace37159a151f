"""The insights dashboard in Chromium, as a viewer sees it, against the live server: the
overview's numbers equal the API's /metrics for the same filters, the exports, a response in
its person's context, the charts, printing, and what a viewer may not open.

Every page is saved as a screenshot in $NPSLOOP_TEST_ARTIFACTS (default: test-artifacts/ at
the repository root), named for the page and the database of the run.
"""

from __future__ import annotations

import csv
import os
import random
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.template.defaultfilters import floatformat
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from npsloop.contacts.fields import ContactData
from npsloop.contacts.models import Account, Contact
from npsloop.contacts.services import upsert_contact
from npsloop.insights.dashboard import change_text
from npsloop.program.models import Release
from npsloop.stats import Histogram, compare
from npsloop.surveys.configure import create_survey
from npsloop.surveys.models import Response, Survey
from npsloop.surveys.responses import ResponseData, record_response
from npsloop.workspaces.configure import create_workspace
from npsloop.workspaces.keys import create_api_key
from npsloop.workspaces.membership import add_member
from npsloop.workspaces.models import Role, Workspace

PASSWORD = "a long passphrase 42"
VIEWER = "vic@example.com"
ZONE = "America/New_York"  # days that are not UTC days: the page and the API must agree
SCRIPT_COMMENT = '<script>alert("x")</script> pricing'
ARTIFACTS = Path(
    os.environ.get("NPSLOOP_TEST_ARTIFACTS")
    or Path(__file__).resolve().parents[2] / "test-artifacts"
)
PLANS = ("free", "pro", "enterprise")
METRICS = ("nps", "ci_low", "ci_high", "n")


@dataclass
class Acme:
    """The viewer's workspace with 200 days of answers, and a workspace they are not in."""

    workspace: Workspace
    survey: Survey
    secret: str
    today: date  # in the workspace's time zone
    pricing: Response  # the one whose comment carries a <script>
    release_day: date
    other: Workspace
    theirs: Response


@pytest.fixture
def acme(transactional_db: None, settings: Settings) -> Acme:
    # Signing in checks a password; the default hasher spends a second on it, for nothing here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    workspace = create_workspace("Acme Cloud", time_zone=ZONE)
    survey = create_survey(workspace, name="Relationship NPS", product_name="Acme Cloud")
    onboarding = create_survey(workspace, name="Onboarding", product_name="Acme Cloud")
    now = timezone.now()
    accounts = [("acct-1", "Globex"), ("acct-2", "Initech"), ("acct-3", "Umbrella")]
    people = [
        ContactData(
            external_id=f"u{i}",
            email=f"user{i}@example.com",
            name=f"User {i}",
            signed_up_at=now - timedelta(days=120 + 9 * i),
            account_external_id=accounts[i % 3][0],
            account_name=accounts[i % 3][1],
            properties={
                "plan": PLANS[i % 3],
                "region": ("eu", "us", "apac")[i // 2 % 3],
                "modules": ("compute", "billing,compute", "billing,storage,compute")[i % 3],
            },
        )
        for i in range(30)
    ]
    contacts = [upsert_contact(workspace, data).contact for data in people]
    rng = random.Random(6)
    weights = [2, 1, 1, 2, 2, 3, 3, 5, 8, 10, 9]
    for i in range(150):
        channel = rng.choice(["email", "email", "in-app", "link"])
        anonymous = channel == "link" and rng.random() < 0.5
        record_response(
            workspace,
            ResponseData(
                survey=onboarding if i % 12 == 0 else survey,
                score=rng.choices(range(11), weights)[0],
                contact=None if anonymous else rng.choice(contacts),
                comment=rng.choice(["", "", "Fast support", "Docs are thin", "Too pricey"]),
                channel=channel,
                wave=None if channel == "link" else rng.choice([None, 1, 2]),
                created_at=now - timedelta(days=rng.uniform(0.01, 199.5)),
            ),
        )
    person = contacts[7]  # plan "pro" when they answer; upgraded afterwards
    pricing = record_response(
        workspace,
        ResponseData(
            survey=survey,
            score=4,
            contact=person,
            comment=SCRIPT_COMMENT,
            channel="email",
            wave=1,
            created_at=now - timedelta(days=3),
        ),
    ).response
    upsert_contact(workspace, ContactData(external_id="u7", properties={"plan": "enterprise"}))
    released_at = now - timedelta(days=60)
    Release.objects.create(
        workspace=workspace, name="Version 3.0", released_at=released_at, major=True
    )
    Release.objects.create(workspace=workspace, name="3.0.1", released_at=now - timedelta(days=40))
    user = get_user_model().objects.create_user(VIEWER, VIEWER, PASSWORD)
    add_member(workspace, user, Role.VIEWER)
    _, secret = create_api_key(workspace, "dashboard test")
    other = create_workspace("Other Corp")
    their_survey = create_survey(other, name="Their NPS", product_name="Other")
    theirs = record_response(other, ResponseData(survey=their_survey, score=2)).response
    zone = ZoneInfo(ZONE)
    return Acme(
        workspace=workspace,
        survey=survey,
        secret=secret,
        today=now.astimezone(zone).date(),
        pricing=pricing,
        release_day=released_at.astimezone(zone).date(),
        other=other,
        theirs=theirs,
    )


def sign_in(page: Page, live_server: LiveServer, path: str) -> None:
    page.goto(live_server.url + path)
    page.get_by_label("Username or email").fill(VIEWER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(live_server.url + path.split("?")[0])))


def watch(page: Page) -> list[str]:
    """Everything the page reports as broken: console errors, uncaught exceptions, and any
    dialog (a comment's script that ran would open one)."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))

    def dialog(d: Any) -> None:
        problems.append(f"dialog: {d.message}")
        d.dismiss()

    page.on("dialog", dialog)
    return problems


def snap(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"dashboard-{name}-{connection.vendor}.png", full_page=True)


def settled(page: Page, pattern: str) -> None:
    """Wait until the filter form's submission has loaded the page its URL names."""
    expect(page).to_have_url(re.compile(pattern))
    page.wait_for_load_state()


def api_metrics(page: Page, live_server: LiveServer, acme: Acme, **params: str) -> list[Any]:
    reply = page.request.get(
        f"{live_server.url}/api/v1/metrics?{urlencode(params)}",
        headers={"Authorization": f"Bearer {acme.secret}"},
    )
    assert reply.status == 200, reply.text()
    rows: list[Any] = reply.json()
    return rows


def one_row(page: Page, live_server: LiveServer, acme: Acme, **params: str) -> dict[str, Any]:
    [row] = api_metrics(page, live_server, acme, **params)
    assert row["group"] == {}
    result: dict[str, Any] = row
    return result


def as_shown(row: dict[str, Any]) -> dict[str, str]:
    """The API's numbers as the overview displays them: NPS rounded, interval to 1 decimal."""
    return {
        "nps": str(row["nps"]),
        "ci_low": str(floatformat(row["ci_low"], 1)),
        "ci_high": str(floatformat(row["ci_high"], 1)),
        "n": str(row["n"]),
    }


def headline(page: Page) -> dict[str, str]:
    return {name: page.locator(f'[data-metric="{name}"]').inner_text() for name in METRICS}


def counts(row: dict[str, Any]) -> Histogram:
    """A histogram with the API's promoters, passives and detractors: all an NPS, its
    interval and a comparison depend on."""
    bins = [0] * 11
    bins[10], bins[7], bins[0] = row["promoters"], row["passives"], row["detractors"]
    return Histogram(tuple(bins))


def label(since: date, until: date) -> str:
    return f"{since:%-d %b %Y} \u2013 {until - timedelta(days=1):%-d %b %Y}"


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def test_the_overview_shows_the_apis_numbers_for_every_filter(
    page: Page, live_server: LiveServer, acme: Acme
) -> None:
    problems = watch(page)
    slug = acme.workspace.slug
    sign_in(page, live_server, f"/w/{slug}/")
    filters = page.get_by_role("form", name="Filters")
    tomorrow = acme.today + timedelta(days=1)

    def matches(since: date, until: date, name: str, **filters: str) -> dict[str, Any]:
        row = one_row(
            page, live_server, acme, since=since.isoformat(), until=until.isoformat(), **filters
        )
        assert row["n"] > 0, f"{name}: no responses, so nothing is compared"
        expect(page.locator("p.period")).to_contain_text(label(since, until))
        assert headline(page) == as_shown(row), name
        snap(page, f"overview-{name}")
        return row

    # The default: the last 90 days, today included, in the workspace's time zone.
    since = tomorrow - timedelta(days=90)
    now = matches(since, tomorrow, "90d")
    before = one_row(
        page,
        live_server,
        acme,
        since=(since - timedelta(days=90)).isoformat(),
        until=since.isoformat(),
    )
    change = page.locator(".headline .change")
    expect(change).to_contain_text(f"before: {before['nps']} (n = {before['n']})")
    expect(page.locator('[data-metric="change"]')).to_have_text(
        change_text(compare(counts(now), counts(before)))
    )

    filters.get_by_label("Period").select_option("year")
    settled(page, r"[?&]period=year(&|$)")
    year = matches(tomorrow - timedelta(days=365), tomorrow, "year")
    assert year["n"] == Response.objects.filter(workspace=acme.workspace).count()

    filters.get_by_label("Period").select_option("custom")
    first, last = acme.today - timedelta(days=150), acme.today - timedelta(days=20)
    filters.get_by_label("From").fill(first.isoformat())
    filters.get_by_label("To", exact=True).fill(last.isoformat())
    page.get_by_role("button", name="Show").click()
    settled(page, rf"period=custom&since={first}&until={last}")
    custom = matches(first, last + timedelta(days=1), "custom")

    filters.get_by_label("Channel").select_option("email")
    settled(page, r"[?&]channel=email(&|$)")
    email = matches(first, last + timedelta(days=1), "custom-email", channel="email")

    filters.get_by_label("Wave").select_option("1")
    settled(page, r"[?&]wave=1(&|$)")
    wave = matches(first, last + timedelta(days=1), "custom-email-wave1", channel="email", wave="1")
    assert year["n"] > custom["n"] > email["n"] > wave["n"]

    # The export holds the same numbers, for this period and the one before.
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    saved = ARTIFACTS / f"dashboard-overview-{connection.vendor}.csv"
    download.value.save_as(saved)
    period, previous = read_csv(saved)
    earlier = one_row(
        page,
        live_server,
        acme,
        since=(first - timedelta(days=131)).isoformat(),
        until=first.isoformat(),
        channel="email",
        wave="1",
    )
    for exported, row, bounds in (
        (period, wave, (first, last)),
        (previous, earlier, (first - timedelta(days=131), first - timedelta(days=1))),
    ):
        assert (exported["since"], exported["until"]) == tuple(d.isoformat() for d in bounds)
        assert int(exported["n"]) == row["n"]
        if row["n"]:
            assert int(exported["nps"]) == row["nps"]
            assert float(exported["ci_low"]) == pytest.approx(row["ci_low"], abs=5e-5)
            assert float(exported["ci_high"]) == pytest.approx(row["ci_high"], abs=5e-5)

    # The tabs carry the same filters: the trend covers the same days.
    page.get_by_role("navigation", name="Dashboard").get_by_role("link", name="Trend").click()
    settled(page, r"/trend/\?")
    expect(page.locator("p.period")).to_contain_text(label(first, last + timedelta(days=1)))
    assert problems == []


def test_segments_by_plan_list_every_plan_with_the_apis_numbers(
    page: Page, live_server: LiveServer, acme: Acme
) -> None:
    problems = watch(page)
    slug = acme.workspace.slug
    sign_in(page, live_server, f"/w/{slug}/?period=year")
    page.get_by_role("navigation", name="Dashboard").get_by_role("link", name="Segments").click()
    settled(page, r"/segments/\?period=year")
    page.get_by_label("Segment by").fill("plan")
    page.get_by_role("button", name="Show").click()
    settled(page, r"[?&]by=plan(&|$)")
    tomorrow = acme.today + timedelta(days=1)
    groups = api_metrics(
        page,
        live_server,
        acme,
        since=(tomorrow - timedelta(days=365)).isoformat(),
        until=tomorrow.isoformat(),
        group_by="plan",
    )
    expected = {
        row["group"]["plan"] or "(none)": (str(row["nps"]), str(row["n"])) for row in groups
    }
    assert set(expected) == {*PLANS, "(none)"}  # "(none)": the anonymous link answers
    shown = {}
    for row in page.locator("#segments tbody tr").all():
        cells = row.locator("td")
        name = cells.nth(0).inner_text().split(" unreliable")[0].strip()
        shown[name] = (cells.nth(1).inner_text(), cells.nth(4).inner_text())
    assert shown == expected
    snap(page, "segments-plan")
    assert problems == []


def test_the_trend_draws_its_chart_and_printing_drops_the_controls(
    page: Page, live_server: LiveServer, acme: Acme
) -> None:
    problems = watch(page)
    slug = acme.workspace.slug
    sign_in(page, live_server, f"/w/{slug}/trend/?period=year")
    chart = page.locator('svg[role="img"]')
    expect(chart).to_have_count(1)
    expect(page.get_by_role("img", name="Net Promoter Score over time")).to_be_visible()
    # The major release is marked on the chart; the minor one only listed below it.
    expect(chart.locator("desc")).to_contain_text(f"Version 3.0 on {acme.release_day}")
    expect(chart.locator("desc")).not_to_contain_text("3.0.1")
    expect(page.locator("ul.releases")).to_contain_text("Version 3.0 (major)")
    tomorrow = acme.today + timedelta(days=1)
    months = api_metrics(
        page,
        live_server,
        acme,
        since=(tomorrow - timedelta(days=365)).isoformat(),
        until=tomorrow.isoformat(),
        group_by="month",
    )
    expected = {row["group"]["month"]: str(row["n"]) for row in months}
    shown = {}
    for row in page.locator("#trend-table tbody tr").all():
        cells = row.locator("td")
        if cells.count() > 3:
            shown[cells.nth(0).inner_text()] = cells.nth(4).inner_text()
    assert shown == expected
    snap(page, "trend")

    page.emulate_media(media="print")
    expect(page.locator("form.filters")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Dashboard")).to_be_hidden()
    expect(page.get_by_role("link", name="Export CSV")).to_be_hidden()
    expect(chart).to_be_visible()
    snap(page, "trend-print")
    page.goto(f"{live_server.url}/w/{slug}/")
    expect(page.locator("form.filters")).to_be_hidden()
    expect(page.locator('[data-metric="nps"]')).to_be_visible()
    snap(page, "overview-print")
    assert problems == []


def test_a_response_opens_with_its_persons_context_and_the_list_exports(
    page: Page, live_server: LiveServer, acme: Acme
) -> None:
    problems = watch(page)
    slug = acme.workspace.slug
    sign_in(page, live_server, f"/w/{slug}/responses/")
    page.get_by_label("Comment contains").fill("pricing")
    page.get_by_role("button", name="Show").click()
    settled(page, r"[?&]q=pricing(&|$)")
    rows = page.locator("#responses tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.locator("td.comment")).to_have_text(SCRIPT_COMMENT)
    snap(page, "responses-search")
    rows.get_by_role("link").click()
    settled(page, rf"/responses/{acme.pricing.pk}/\?")

    # The comment is text: shown as typed, no script element, and nothing ran.
    expect(page.locator("#comment")).to_have_text(SCRIPT_COMMENT)
    expect(page.locator("#comment script")).to_have_count(0)
    person = page.locator("#person")
    expect(person).to_contain_text("User 7")
    expect(person).to_contain_text("user7@example.com")
    expect(person.locator("ul.modules li")).to_have_text(["billing", "compute"])
    plan = page.locator("#properties tbody tr", has_text="plan")
    expect(plan.locator("td")).to_have_text(["plan", "enterprise", "pro"])
    expect(page.locator("#account")).to_contain_text("Initech")
    theirs = Response.objects.filter(contact=Contact.objects.get(external_id="u7")).count()
    expect(page.locator("#history tbody tr")).to_have_count(theirs)
    expect(page.locator("#history tr.current")).to_contain_text("this one")
    snap(page, "response")

    page.get_by_role("link", name="Back to the responses").click()
    settled(page, r"/responses/\?.*q=pricing")

    # The export of the list holds every matching response, not only the first page.
    page.goto(f"{live_server.url}/w/{slug}/responses/?period=year")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    saved = ARTIFACTS / f"dashboard-responses-{connection.vendor}.csv"
    download.value.save_as(saved)
    exported = read_csv(saved)
    tomorrow = acme.today + timedelta(days=1)
    year = one_row(
        page,
        live_server,
        acme,
        since=(tomorrow - timedelta(days=365)).isoformat(),
        until=tomorrow.isoformat(),
    )
    assert len(exported) == year["n"] > 50
    ids = {int(row["id"]) for row in exported}
    assert ids == set(
        Response.objects.filter(workspace=acme.workspace).values_list("pk", flat=True)
    )
    [script] = [row for row in exported if row["id"] == str(acme.pricing.pk)]
    assert (script["comment"], script["contact_email"], script["channel"]) == (
        SCRIPT_COMMENT,
        "user7@example.com",
        "email",
    )
    assert problems == []


def test_every_dashboard_page_loads_without_errors(
    page: Page, live_server: LiveServer, acme: Acme
) -> None:
    problems = watch(page)
    slug = acme.workspace.slug
    account = Account.objects.get(workspace=acme.workspace, external_id="acct-1")
    sign_in(page, live_server, f"/w/{slug}/")
    pages = {
        "overview": (f"/w/{slug}/", "Response rate by channel"),
        "trend": (f"/w/{slug}/trend/?grain=week", "NPS by week"),
        "segments": (f"/w/{slug}/segments/?by=region", "apac"),
        "cohorts": (f"/w/{slug}/cohorts/", "Version 3.0"),
        "accounts": (f"/w/{slug}/accounts/?period=year", "Umbrella"),
        "account": (f"/w/{slug}/accounts/{account.pk}/?period=year", "user3@example.com"),
        "responses": (f"/w/{slug}/responses/", "newest first"),
        "response": (f"/w/{slug}/responses/{acme.pricing.pk}/", "Every ask"),
        "digest": (f"/w/{slug}/digest/", "Weekly digest"),
    }
    for name, (path, text) in pages.items():
        reply = page.goto(live_server.url + path)
        assert reply is not None and reply.status == 200, path
        expect(page.locator("main")).to_contain_text(text)
        snap(page, name)
    assert problems == []


def test_a_viewer_is_refused_settings_and_sees_no_other_workspace(
    page: Page, live_server: LiveServer, acme: Acme
) -> None:
    slug, survey = acme.workspace.slug, acme.survey.pk
    sign_in(page, live_server, f"/w/{slug}/")
    refused = {
        "settings-403": (f"/w/{slug}/settings/", "Only admins and owners"),
        "survey-403": (f"/w/{slug}/surveys/{survey}/", "Viewers see the dashboards"),
        "programme-403": (f"/w/{slug}/surveys/{survey}/programme/", "Viewers see the dashboards"),
    }
    for name, (path, text) in refused.items():
        reply = page.goto(live_server.url + path)
        assert reply is not None and reply.status == 403, path
        expect(page.locator("body")).to_contain_text(text)
        snap(page, name)
    other = acme.other.slug
    for path in (
        f"/w/{other}/",
        f"/w/{other}/trend/",
        f"/w/{other}/responses/",
        f"/w/{other}/responses/{acme.theirs.pk}/",
        f"/w/{slug}/responses/{acme.theirs.pk}/",
    ):
        reply = page.goto(live_server.url + path)
        assert reply is not None and reply.status == 404, path
        expect(page.locator("body")).not_to_contain_text("Other Corp")
    snap(page, "other-workspace-404")
    for path in (f"/w/{other}/?format=csv", f"/w/{other}/responses/?format=csv"):
        assert page.request.get(live_server.url + path).status == 404, path
