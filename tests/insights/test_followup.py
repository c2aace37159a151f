"""The follow-up dashboard's numbers against a small history worked out by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from case_history import NOW, answer, make_member, scope

from npsloop.errors import InvalidInput
from npsloop.insights.case_scope import CaseScope
from npsloop.insights.filters import resolve_filters
from npsloop.insights.followup import Tally, follow_up
from npsloop.loop.cases import Actor, change, move
from npsloop.loop.models import CaseRule, Outcome, Team
from npsloop.loop.rules import case_settings
from npsloop.surveys.models import Response, Survey
from npsloop.workspaces.models import Member, Workspace

pytestmark = pytest.mark.django_db

CORA = Actor("Cora")


@pytest.fixture
def history(workspace: Workspace, survey: Survey) -> dict[str, object]:
    """Five cases (detractors due in 48 h, promoters in 7 days):

    c1 detractor of Cora's, contacted after 2 h (in time), resolved after 26 h: Fixed
    c2 detractor of Cora's, contacted after 60 h (late), resolved after 72 h: Explained
    c3 detractor of Dev's, never contacted: overdue now
    c4 detractor, Support's turn (Cora), opened an hour ago: not due yet
    c5 promoter, nobody's, closed without contact after 1 h
    """
    cora = make_member(workspace, "cora@acme.test")
    dev = make_member(workspace, "dev@acme.test")
    team = Team.objects.create(workspace=workspace, name="Support")
    team.members.add(cora)
    case_settings(workspace)
    CaseRule.objects.filter(workspace=workspace, name="Detractors").update(team=team)
    opened = NOW - timedelta(days=10)
    c1 = answer(workspace, survey, 2, "u-1", opened, csm_email="cora@acme.test")
    c2 = answer(workspace, survey, 5, "u-2", opened, csm_email="cora@acme.test")
    c3 = answer(workspace, survey, 0, "u-3", NOW - timedelta(days=9), csm_email="dev@acme.test")
    c4 = answer(workspace, survey, 6, "u-4", NOW - timedelta(hours=1))
    c5 = answer(workspace, survey, 10, "u-5", NOW - timedelta(days=5))
    assert c1 and c2 and c3 and c4 and c5
    fixed = Outcome.objects.get(workspace=workspace, name="Fixed")
    explained = Outcome.objects.get(workspace=workspace, name="Explained")
    move(c1, "contacted", by=CORA, at=opened + timedelta(hours=2))
    move(c1, "resolved", by=CORA, at=opened + timedelta(hours=26))
    change(c1, outcome=fixed, by=CORA, at=opened + timedelta(hours=26))
    move(c2, "contacted", by=CORA, at=opened + timedelta(hours=60))
    move(c2, "resolved", by=CORA, at=opened + timedelta(hours=72))
    change(c2, outcome=explained, by=CORA, at=opened + timedelta(hours=72))
    move(c5, "closed", by=CORA, at=NOW - timedelta(days=5) + timedelta(hours=1))
    return {"cora": cora, "dev": dev, "team": team}


def counts(tally: Tally) -> tuple[int, ...]:
    return (
        tally.opened,
        tally.decided,
        tally.in_time,
        tally.contacted,
        tally.resolved,
        tally.open_now,
        tally.overdue_now,
    )


def test_it_counts_cases_contacted_in_time_and_the_medians(
    workspace: Workspace, history: dict[str, object]
) -> None:
    data = follow_up(workspace, scope(workspace), now=NOW)
    # opened, settled, in time, contacted, resolved, open now, overdue now
    assert counts(data.total) == (5, 4, 1, 2, 2, 2, 1)
    assert data.total.in_time_percent == 25.0
    assert data.median_first_contact == timedelta(hours=31)  # (2 h + 60 h) / 2
    assert data.median_resolution == timedelta(hours=49)  # (26 h + 72 h) / 2
    assert data.outcomes == [("Fixed", 1), ("Explained", 1)]
    assert data.without_outcome == 1


def test_it_breaks_the_counts_down_by_owner_team_and_category(
    workspace: Workspace, history: dict[str, object]
) -> None:
    data = follow_up(workspace, scope(workspace), now=NOW)
    assert {t.label: counts(t) for t in data.by_owner} == {
        "Cora": (3, 2, 1, 2, 2, 1, 0),
        "Dev": (1, 1, 0, 0, 0, 1, 1),
        "Unassigned": (1, 1, 0, 0, 0, 0, 0),
    }
    assert [t.label for t in data.by_owner] == ["Cora", "Dev", "Unassigned"]
    assert {t.label: counts(t) for t in data.by_team} == {
        "Support": (4, 3, 1, 2, 2, 2, 1),
        "No team": (1, 1, 0, 0, 0, 0, 0),
    }
    assert [(t.label, t.opened, t.in_time) for t in data.by_category] == [
        ("promoter", 1, 0),
        ("detractor", 4, 1),
    ]
    # Every group is under the workspace's 30: all marked unreliable.
    assert all(t.small for t in data.by_owner + data.by_team + data.by_category)


def test_a_smaller_small_group_size_marks_fewer_groups(
    workspace: Workspace, history: dict[str, object]
) -> None:
    workspace.small_group_n = 2
    workspace.save(update_fields=["small_group_n"])
    data = follow_up(workspace, scope(workspace), now=NOW)
    assert {t.label: t.small for t in data.by_owner} == {
        "Cora": False,
        "Dev": True,
        "Unassigned": True,
    }


def test_it_filters_by_owner_team_and_unassigned(
    workspace: Workspace, history: dict[str, object]
) -> None:
    dev, team = history["dev"], history["team"]
    assert isinstance(dev, Member) and isinstance(team, Team)
    only_dev = follow_up(workspace, scope(workspace, owner=str(dev.pk)), now=NOW)
    assert counts(only_dev.total) == (1, 1, 0, 0, 0, 1, 1)
    assert only_dev.median_first_contact is None and only_dev.median_resolution is None
    nobody = follow_up(workspace, scope(workspace, owner="none"), now=NOW)
    assert counts(nobody.total) == (1, 1, 0, 0, 0, 0, 0)
    support = follow_up(workspace, scope(workspace, team=str(team.pk)), now=NOW)
    assert counts(support.total) == (4, 3, 1, 2, 2, 2, 1)
    assert support.median_first_contact == timedelta(hours=31)


def test_it_filters_by_period_survey_and_channel(
    workspace: Workspace, survey: Survey, history: dict[str, object]
) -> None:
    week = resolve_filters(
        workspace,
        {"period": "custom", "since": "2026-03-03", "until": "2026-03-10"},
        NOW.date(),
    )
    data = follow_up(workspace, CaseScope(week), now=NOW)
    assert data.total.opened == 2  # c4 and c5; the others opened 9 and 10 days ago
    by_survey = follow_up(workspace, scope(workspace, survey=str(survey.pk)), now=NOW)
    assert by_survey.total.opened == 5
    by_link = follow_up(workspace, scope(workspace, channel="link"), now=NOW)
    assert by_link.total.opened == 0  # recorded through the API: channel "api"/other
    Response.objects.filter(case__isnull=False).update(channel="link")
    assert follow_up(workspace, scope(workspace, channel="link"), now=NOW).total.opened == 5


def test_the_backlog_counts_open_and_overdue_cases_at_each_week_end(
    workspace: Workspace, history: dict[str, object]
) -> None:
    data = follow_up(workspace, scope(workspace), now=NOW)
    assert data.grain == "week"
    points = [(p.label, p.backlog, p.overdue) for p in data.backlog]
    # The 30 days run from Monday 9 February to today, Tuesday 10 March. c1 and c2 opened
    # Sat 28 Feb noon; c1 closed Sun 1 Mar 14:00; c2 fell due Mon 2 Mar noon, was
    # contacted Tue 3 Mar 00:00 and closed at noon; c3 opened Sun 1 Mar noon, fell due
    # Tue 3 Mar noon and is still open; c5 opened and closed Thu 5 Mar; c4 an hour ago.
    assert points == [
        ("2026-W07", 0, 0),
        ("2026-W08", 0, 0),
        ("2026-W09", 2, 0),  # at Mon 2 Mar 00:00: c2, c3 open, none due yet
        ("2026-W10", 1, 1),  # at Mon 9 Mar 00:00: c3, overdue
        ("2026-W11", 2, 1),  # now: c3 (overdue) and c4
    ]
    assert [(p.start, p.end) for p in data.backlog][::4] == [
        (day("2026-02-09"), day("2026-02-16")),
        (day("2026-03-09"), day("2026-03-11")),
    ]


def test_a_past_period_ends_its_backlog_on_its_last_day(
    workspace: Workspace, history: dict[str, object]
) -> None:
    params = {"period": "custom", "since": "2026-02-23", "until": "2026-03-04"}
    data = follow_up(workspace, CaseScope(resolve_filters(workspace, params, NOW.date())), now=NOW)
    # At Mon 2 Mar 00:00: c2 and c3; at the end of Wed 4 Mar: c3 alone, overdue since
    # Tue noon (c2 was contacted Tue 00:00 and closed at noon; c5 opened on Thursday).
    assert [(p.label, p.backlog, p.overdue) for p in data.backlog] == [
        ("2026-W09", 2, 0),
        ("2026-W10", 1, 1),
    ]


def test_an_empty_workspace_has_no_numbers(workspace: Workspace, survey: Survey) -> None:
    data = follow_up(workspace, scope(workspace), now=NOW)
    assert counts(data.total) == (0, 0, 0, 0, 0, 0, 0)
    assert data.total.in_time_percent is None
    assert data.median_first_contact is None and data.median_resolution is None
    assert data.outcomes == [] and data.by_owner == []
    assert all(p.backlog == 0 and p.overdue == 0 for p in data.backlog)


def test_another_workspaces_owner_or_team_is_refused(
    workspace: Workspace, other_workspace: Workspace
) -> None:
    stranger = make_member(other_workspace, "spy@other.test")
    theirs = Team.objects.create(workspace=other_workspace, name="Theirs")
    with pytest.raises(InvalidInput) as refused:
        scope(workspace, owner=str(stranger.pk), team=str(theirs.pk))
    assert refused.value.errors == {
        "owner": f"no member '{stranger.pk}' in this workspace; choose one from the list, "
        "or 'none' for unassigned cases",
        "team": f"no team '{theirs.pk}' in this workspace; choose one from the list",
    }
    with pytest.raises(InvalidInput, match="owner"):
        scope(workspace, owner="cora")


def test_another_workspaces_cases_are_not_counted(
    workspace: Workspace,
    other_workspace: Workspace,
    other_survey: Survey,
    history: dict[str, object],
) -> None:
    answer(other_workspace, other_survey, 1, "x-1", NOW - timedelta(days=2))
    assert follow_up(workspace, scope(workspace), now=NOW).total.opened == 5
    theirs = follow_up(other_workspace, scope(other_workspace), now=NOW)
    assert theirs.total.opened == 1
    assert theirs.by_owner[0].label == "Unassigned"


def day(text: str) -> date:
    return date.fromisoformat(text)
