"""The follow-up tab: who may see it, its filters, its CSV tables, another workspace's ids."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from case_history import NOW, answer
from console_fixtures import SignedIn
from django.contrib.auth.models import User

from npsloop.loop.cases import Actor, move
from npsloop.loop.models import Team
from npsloop.surveys.models import Survey
from npsloop.workspaces.membership import add_member
from npsloop.workspaces.models import Workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(workspace: Workspace, survey: Survey) -> None:
    """A detractor contacted in time, one never contacted (now overdue), routed to a
    member whose name a spreadsheet would run as a formula."""
    user = User.objects.create_user("eve", email="eve@acme.test", first_name="=HYPERLINK(1)")
    add_member(workspace, user, "editor")
    first = answer(workspace, survey, 1, "u-1", NOW - timedelta(days=6), csm_email="eve@acme.test")
    answer(workspace, survey, 3, "u-2", NOW - timedelta(days=5))
    assert first is not None
    move(first, "contacted", by=Actor("Eve"), at=NOW - timedelta(days=6) + timedelta(hours=3))


def page(client: object, workspace: Workspace, **params: str) -> tuple[int, str]:
    with time_machine.travel(NOW, tick=False):
        reply = client.get(f"/w/{workspace.slug}/follow-up/", params)  # type: ignore[attr-defined]
    return reply.status_code, reply.content.decode()


def test_a_viewer_sees_the_tab_with_its_numbers(
    workspace: Workspace, cases: None, signed_in: SignedIn
) -> None:
    status, html = page(signed_in(workspace, "viewer"), workspace, period="30d")
    assert status == 200
    assert 'aria-current="page">Follow-up</a>' in html
    assert '<span class="value" id="cases-opened">2</span>' in html
    assert '<span class="value" id="in-time">50%</span>' in html
    assert '<span class="value" id="median-contact">3 h 0 min</span>' in html
    assert "=HYPERLINK(1)" in html  # shown as text on the page, escaped by the template
    assert "npschart-backlog" in html
    assert "Recovery: do contacted detractors answer better next time?" in html


def test_every_dashboard_tab_links_to_it(workspace: Workspace, signed_in: SignedIn) -> None:
    html = signed_in(workspace, "viewer").get(f"/w/{workspace.slug}/trend/").content.decode()
    assert f'href="/w/{workspace.slug}/follow-up/?period=90d">Follow-up</a>' in html


def test_an_empty_workspace_shows_dashes(
    workspace: Workspace, survey: Survey, signed_in: SignedIn
) -> None:
    status, html = page(signed_in(workspace, "viewer"), workspace)
    assert status == 200
    assert '<span class="value" id="cases-opened">0</span>' in html
    assert '<span class="value" id="in-time">\u2013</span>' in html
    assert "No cases in this period" in html
    assert "not enough data" in html


def test_another_workspace_is_not_found(
    workspace: Workspace, other_workspace: Workspace, signed_in: SignedIn
) -> None:
    status, _ = page(signed_in(workspace, "owner"), other_workspace)
    assert status == 404


def test_another_workspaces_member_or_team_is_a_clear_400(
    workspace: Workspace, other_workspace: Workspace, cases: None, signed_in: SignedIn
) -> None:
    client = signed_in(workspace, "viewer")
    stranger = signed_in(other_workspace, "editor")
    assert stranger is not None
    theirs = Team.objects.create(workspace=other_workspace, name="Theirs")
    member = other_workspace.members.get()
    status, html = page(client, workspace, owner=str(member.pk), team=str(theirs.pk))
    assert status == 400
    assert f"no member &#x27;{member.pk}&#x27; in this workspace" in html
    assert f"no team &#x27;{theirs.pk}&#x27; in this workspace" in html
    # The numbers shown instead are the whole workspace's, as the message says.
    assert '<span class="value" id="cases-opened">2</span>' in html


def test_the_owner_filter_keeps_its_cases(
    workspace: Workspace, cases: None, signed_in: SignedIn
) -> None:
    client = signed_in(workspace, "viewer")
    status, html = page(client, workspace, owner="none")
    assert status == 200
    assert '<span class="value" id="cases-opened">1</span>' in html
    assert "owner=none" in html  # the CSV links keep the filter


@pytest.mark.parametrize(
    ("table", "header"),
    [
        ("owners", "owner,opened,decided,contacted_in_time"),
        ("teams", "team,opened"),
        ("categories", "category,opened"),
        ("backlog", "bucket,since,until,open,overdue"),
        ("outcomes", "outcome,cases"),
        ("recovery", "group,n,nps"),
    ],
)
def test_each_table_downloads_as_csv(
    workspace: Workspace, cases: None, signed_in: SignedIn, table: str, header: str
) -> None:
    client = signed_in(workspace, "viewer")
    with time_machine.travel(NOW, tick=False):
        reply = client.get(f"/w/{workspace.slug}/follow-up/", {"format": "csv", "table": table})
    assert reply.status_code == 200
    assert reply["Content-Type"].startswith("text/csv")
    text = reply.content.decode()
    assert text.startswith(header)
    if table == "owners":
        rows = {row[0]: row for row in csv.reader(io.StringIO(text))}
        assert "'=HYPERLINK(1)" in rows  # neutralised for spreadsheets
        assert rows["All cases"][1:4] == ["2", "2", "1"]


def test_an_unknown_csv_table_is_refused(
    workspace: Workspace, survey: Survey, signed_in: SignedIn
) -> None:
    reply = signed_in(workspace, "viewer").get(
        f"/w/{workspace.slug}/follow-up/", {"format": "csv", "table": "secrets"}
    )
    assert reply.status_code == 400
    assert "table: must be one of owners, teams, categories, backlog, outcomes, recovery" in (
        reply.content.decode()
    )
