"""The dashboard's numbers: on random data every one equals what npsloop.stats computes from
the raw responses, filtered by hand."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from npsloop.contacts.fields import ContactData
from npsloop.contacts.models import Account, Contact
from npsloop.contacts.services import upsert_contact
from npsloop.errors import InvalidInput
from npsloop.insights import accounts, dashboard
from npsloop.insights.filters import Filters, Period, resolve_filters, resolve_period, today_in
from npsloop.program.models import Release
from npsloop.stats import Histogram, Summary, compare, summarize
from npsloop.surveys.models import Response, ScoreDay, Survey
from npsloop.surveys.responses import ResponseData, record_response
from npsloop.surveys.rollups import count_responses, stored_rollups
from npsloop.workspaces.configure import create_workspace
from npsloop.workspaces.models import Workspace

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
ZONE = "America/New_York"
CHANNELS = ("email", "in-app", "link")
PLANS = ("free", "pro", "enterprise")


@dataclass(frozen=True)
class Raw:
    score: int
    created_at: datetime
    channel: str
    wave: int | None
    plan: str

    def day(self) -> date:
        return self.created_at.astimezone(ZoneInfo(ZONE)).date()


def _expected(raws: list[Raw], keep: Callable[[Raw], bool]) -> Summary:
    return summarize(Histogram.from_scores([r.score for r in raws if keep(r)]))


def _inside(period: Period) -> Callable[[Raw], bool]:
    return lambda r: period.since <= r.day() < period.until


raw_responses = st.lists(
    st.builds(
        Raw,
        score=st.integers(0, 10),
        created_at=st.integers(0, 200 * 24 * 60).map(lambda m: NOW - timedelta(minutes=m)),
        channel=st.sampled_from(CHANNELS),
        wave=st.one_of(st.none(), st.integers(1, 3)),
        plan=st.sampled_from(PLANS),
    ),
    max_size=60,
)


@pytest.fixture
def zoned(db: None) -> tuple[Workspace, Survey, dict[str, Contact]]:
    from npsloop.surveys.configure import create_survey

    workspace = create_workspace("Zoned", time_zone=ZONE)
    survey = create_survey(workspace, name="NPS", product_name="Zoned")
    people = {
        plan: upsert_contact(
            workspace, ContactData(email=f"{plan}@example.com", properties={"plan": plan})
        ).contact
        for plan in PLANS
    }
    return workspace, survey, people


def _store(
    workspace: Workspace, survey: Survey, people: dict[str, Contact], raws: list[Raw]
) -> None:
    Response.objects.filter(workspace=workspace).delete()
    ScoreDay.objects.filter(workspace=workspace).delete()
    for raw in raws:
        record_response(
            workspace,
            ResponseData(
                survey=survey,
                score=raw.score,
                contact=people[raw.plan],
                channel=raw.channel,
                wave=raw.wave,
                created_at=raw.created_at,
            ),
        )


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raws=raw_responses, period_key=st.sampled_from(["30d", "90d", "quarter"]))
def test_every_dashboard_number_equals_the_raw_computation(
    zoned: tuple[Workspace, Survey, dict[str, Contact]], raws: list[Raw], period_key: str
) -> None:
    workspace, survey, people = zoned
    with time_machine.travel(NOW, tick=False):
        _store(workspace, survey, people, raws)
        today = today_in(workspace)
        filters = resolve_filters(workspace, {"period": period_key}, today)
        period = filters.period
        inside = _inside(period)

        data = dashboard.overview(workspace, filters)
        assert data.summary == _expected(raws, inside)
        assert data.previous == _expected(raws, _inside(period.previous()))
        here = Histogram.from_scores([r.score for r in raws if inside(r)])
        before = Histogram.from_scores([r.score for r in raws if _inside(period.previous())(r)])
        assert data.comparison == compare(here, before)
        assert list(data.histogram.bins) == list(here.bins)
        for row in data.funnels:
            assert row.summary == _expected(
                raws, lambda r, c=row.channel: inside(r) and r.channel == c
            )

        for grain in dashboard.GRAINS:
            buckets = dashboard.trend(workspace, filters, grain)
            assert sum(b.summary.n for b in buckets) == data.summary.n
            for bucket in buckets:
                expected = _expected(raws, lambda r, b=bucket: b.start <= r.day() < b.end)
                assert bucket.summary == expected, (grain, bucket.label)

        for by, value_of in (
            ("channel", lambda r: r.channel),
            ("wave", lambda r: None if r.wave is None else str(r.wave)),
            ("plan", lambda r: r.plan),
        ):
            total, rows = dashboard.segments(workspace, filters, by)
            assert total == data.summary
            for row in rows:
                mine = _expected(raws, lambda r, v=row.value, f=value_of: inside(r) and f(r) == v)
                assert row.summary == mine, (by, row.value)

        wave_two = resolve_filters(workspace, {"period": period_key, "wave": "2"}, today)
        assert dashboard.overview(workspace, wave_two).summary == _expected(
            raws, lambda r: inside(r) and r.wave == 2
        )
        by_link = resolve_filters(workspace, {"period": period_key, "channel": "link"}, today)
        assert dashboard.overview(workspace, by_link).summary == _expected(
            raws, lambda r: inside(r) and r.channel == "link"
        )


def test_periods_end_today_and_a_custom_period_includes_its_last_day() -> None:
    today = date(2026, 11, 20)
    thirty = resolve_period("30d", "", "", today)
    assert (thirty.since, thirty.until, thirty.days) == (date(2026, 10, 22), date(2026, 11, 21), 30)
    assert thirty.previous() == Period("30d", date(2026, 9, 22), date(2026, 10, 22))
    assert resolve_period("quarter", "", "", today).since == date(2026, 10, 1)
    assert resolve_period("year", "", "", today).days == 365
    custom = resolve_period("custom", "2026-03-01", "2026-03-31", today)
    assert (custom.since, custom.until, custom.days) == (date(2026, 3, 1), date(2026, 4, 1), 31)


@pytest.mark.parametrize(
    ("key", "since", "until", "field", "message"),
    [
        ("week", "", "", "period", "must be one of 30d, 90d, quarter, year, custom"),
        ("custom", "", "2026-03-01", "since", "needs a date like 2026-03-01"),
        ("custom", "2026-13-01", "2026-03-01", "since", "must be a date like 2026-03-01"),
        ("custom", "2026-03-02", "2026-03-01", "until", "must be on or after since"),
        ("custom", "2000-01-01", "2026-03-01", "until", "at most 3660 days"),
        ("custom", "0001-01-01", "0001-12-31", "since", "from 1970-01-01 to 2099-12-31"),
        ("custom", "2099-01-01", "9999-12-31", "until", "from 1970-01-01 to 2099-12-31"),
        ("custom", "1969-12-31", "1970-01-31", "since", "from 1970-01-01 to 2099-12-31"),
    ],
)
def test_a_bad_period_says_what_is_accepted(
    key: str, since: str, until: str, field: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        resolve_period(key, since, until, date(2026, 11, 20))
    assert message in raised.value.errors[field]


def test_bad_filters_name_each_problem(workspace: Workspace, other_survey: Survey) -> None:
    with pytest.raises(InvalidInput) as raised:
        resolve_filters(
            workspace,
            {"survey": str(other_survey.pk), "channel": "fax", "wave": "two"},
            date(2026, 11, 20),
        )
    assert set(raised.value.errors) == {"survey", "channel", "wave"}
    assert "email, in-app, link, other" in raised.value.errors["channel"]


def test_a_segment_that_differs_from_the_rest_is_flagged_and_small_groups_are_marked(
    workspace: Workspace, survey: Survey
) -> None:
    when = datetime(2026, 11, 10, 12, tzinfo=UTC)
    for plan, scores in (("pro", [10] * 80 + [0] * 5), ("free", [0] * 60 + [10] * 20), ("x", [9])):
        contact = upsert_contact(
            workspace, ContactData(email=f"{plan}@example.com", properties={"plan": plan})
        ).contact
        for score in scores:
            record_response(
                workspace,
                ResponseData(survey=survey, score=score, contact=contact, created_at=when),
            )
    with time_machine.travel(NOW, tick=False):
        filters = resolve_filters(workspace, {"period": "30d"}, date(2026, 11, 20))
        total, rows = dashboard.segments(workspace, filters, "plan")
    assert [r.value for r in rows] == ["x", "pro", "free"]  # best first
    by_value = {r.value: r for r in rows}
    assert by_value["pro"].versus_rest.significant and by_value["pro"].versus_rest.difference > 0
    assert by_value["free"].versus_rest.significant and by_value["free"].versus_rest.difference < 0
    assert by_value["x"].small and not by_value["pro"].small
    assert total.n == 166


def test_cohorts_compare_before_and_after_each_major_release(
    workspace: Workspace, survey: Survey
) -> None:
    released = datetime(2026, 9, 15, tzinfo=UTC)
    Release.objects.create(workspace=workspace, name="v2 UI", released_at=released, major=True)
    Release.objects.create(workspace=workspace, name="patch", released_at=released, major=False)
    early = upsert_contact(
        workspace,
        ContactData(email="early@example.com", signed_up_at=datetime(2026, 2, 1, tzinfo=UTC)),
    ).contact
    for days, score in [(-10, 10)] * 40 + [(10, 2)] * 40:
        record_response(
            workspace,
            ResponseData(
                survey=survey,
                score=score,
                contact=early,
                created_at=released + timedelta(days=days),
            ),
        )
    filters = Filters(Period("custom", date(2026, 6, 1), date(2026, 11, 1)))
    releases, rows = dashboard.cohorts_by_release(workspace, filters, cohort="signup_quarter")
    assert [r.name for r in releases] == ["v2 UI"]
    [row] = rows
    assert row.cohort == "2026-Q1"
    [change] = row.changes
    assert change is not None
    assert (change.before.nps, change.after.nps) == (100, -100)
    assert change.comparison.significant
    assert change.change.startswith("down 200")
    with pytest.raises(InvalidInput):
        dashboard.cohorts_by_release(workspace, filters, cohort="signup_year")


def test_an_account_with_new_detractors_is_at_risk(workspace: Workspace, survey: Survey) -> None:
    person = upsert_contact(
        workspace,
        ContactData(email="a@example.com", account_external_id="acc-1", account_name="Acme"),
    ).contact
    calm = upsert_contact(
        workspace,
        ContactData(email="b@example.com", account_external_id="acc-2", account_name="Calm"),
    ).contact
    for contact, score, days in ((person, 9, 40), (person, 3, 5), (calm, 9, 40), (calm, 10, 5)):
        record_response(
            workspace,
            ResponseData(
                survey=survey, score=score, contact=contact, created_at=NOW - timedelta(days=days)
            ),
        )
    filters = Filters(resolve_period("30d", "", "", NOW.date()))
    rows = {r.external_id: r for r in accounts.accounts(workspace, filters)}
    assert rows["acc-1"].at_risk and "1 new detractor" in rows["acc-1"].risk_reason
    assert not rows["acc-2"].at_risk
    people = accounts.account_people(workspace, person.account_id, filters)
    assert [(p.email, p.latest_score, p.responses) for p in people] == [("a@example.com", 3, 1)]


def test_rollups_rebuild_counts_waves_and_equals_the_responses(
    workspace: Workspace, survey: Survey, capsys: pytest.CaptureFixture[str]
) -> None:
    for wave in (None, 1, 2, 2):
        record_response(workspace, ResponseData(survey=survey, score=8, wave=wave))
    incremental = stored_rollups(workspace)
    assert sorted(key[3] for key in incremental) == [0, 1, 2]
    ScoreDay.objects.filter(workspace=workspace).update(count=99)
    call_command("rollups_rebuild", workspace=workspace.slug)
    assert stored_rollups(workspace) == incremental == count_responses(workspace)
    assert f"{workspace.slug}: 3 rollup rows" in capsys.readouterr().out


def test_a_response_refuses_a_wave_that_is_no_wave_number(
    workspace: Workspace, survey: Survey
) -> None:
    for bad in (0, -1, 1001, "2", True):
        with pytest.raises(InvalidInput) as raised:
            record_response(workspace, ResponseData(survey=survey, score=8, wave=bad))  # type: ignore[arg-type]
        assert "whole number from 1 to 1000" in raised.value.errors["wave"]
    assert not Response.objects.exists()


def test_the_url_of_a_custom_period_gives_back_the_same_period(workspace: Workspace) -> None:
    today = date(2026, 11, 20)
    filters = resolve_filters(
        workspace, {"period": "custom", "since": "2026-06-25", "until": "2026-11-02"}, today
    )
    assert filters.params()["until"] == "2026-11-02"
    assert resolve_filters(workspace, filters.params(), today) == filters


def test_each_table_of_the_overview_exports_as_csv(workspace: Workspace, survey: Survey) -> None:
    import csv as csv_module
    import io

    from django.contrib.auth import get_user_model
    from django.test import Client

    from npsloop.workspaces.membership import add_member

    user = get_user_model().objects.create_user("viewer-csv")
    add_member(workspace, user, "viewer")
    client = Client()
    client.force_login(user)
    for score in (10, 9, 7, 3):
        record_response(workspace, ResponseData(survey=survey, score=score, channel="email"))

    def table(name: str) -> list[list[str]]:
        answer = client.get(f"/w/{workspace.slug}/?period=30d&format=csv&table={name}")
        assert answer.status_code == 200, answer.content
        return list(csv_module.reader(io.StringIO(answer.content.decode())))

    histogram = table("histogram")
    assert histogram[0] == ["score", "responses", "percent"]
    assert [row[1] for row in histogram[1:]] == [
        "0",
        "0",
        "0",
        "1",
        "0",
        "0",
        "0",
        "1",
        "0",
        "1",
        "1",
    ]
    funnel = table("funnel")
    assert funnel[1][:2] == ["email", "0"] and funnel[1][6:8] == ["4", "25"]  # n, nps
    benchmarks = table("benchmarks")
    assert [row[0] for row in benchmarks[1:]] == [
        "SaaS average",
        "Good for SaaS",
        "previous period",
    ]
    assert table("summary")[1][3] == "4"  # n
    refused = client.get(f"/w/{workspace.slug}/?format=csv&table=comments")
    assert refused.status_code == 400
    assert "must be one of summary, histogram, funnel, benchmarks" in refused.content.decode()


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    raws=st.lists(
        st.builds(
            Raw,
            score=st.integers(0, 10),
            # Around the release 45 days ago and both ends of its 30-day windows.
            created_at=st.integers(10 * 24 * 60, 80 * 24 * 60).map(
                lambda m: NOW - timedelta(minutes=m)
            ),
            channel=st.sampled_from(CHANNELS),
            wave=st.none(),
            plan=st.sampled_from(PLANS),
        ),
        min_size=20,
        max_size=80,
    )
)
def test_account_and_cohort_numbers_equal_the_raw_computation(
    zoned: tuple[Workspace, Survey, dict[str, Contact]], raws: list[Raw]
) -> None:
    workspace, survey, people = zoned
    signups = {"free": datetime(2025, 2, 1, tzinfo=UTC), "pro": datetime(2025, 8, 1, tzinfo=UTC)}
    for plan, contact in people.items():
        contact.account = Account.objects.get_or_create(
            workspace=workspace, external_id=f"acc-{plan}"
        )[0]
        contact.signed_up_at = signups.get(plan)
        contact.save()
    released = NOW - timedelta(days=45)
    Release.objects.get_or_create(workspace=workspace, name="v2", released_at=released, major=True)
    with time_machine.travel(NOW, tick=False):
        _store(workspace, survey, people, raws)
        filters = resolve_filters(workspace, {"period": "90d"}, today_in(workspace))
        inside = _inside(filters.period)
        before = _inside(filters.period.previous())
        rows = {row.external_id: row for row in accounts.accounts(workspace, filters)}
        for plan in PLANS:
            mine = [r for r in raws if r.plan == plan]
            expected = _expected(mine, inside)
            if not expected.n:
                assert f"acc-{plan}" not in rows
                continue
            row = rows[f"acc-{plan}"]
            assert row.summary == expected
            assert row.previous == _expected(mine, before)

        day = released.astimezone(ZoneInfo(ZONE)).date()
        releases, cohorts = dashboard.cohorts_by_release(
            workspace, filters, cohort="signup_quarter", window=30
        )
        assert [r.name for r in releases] == ["v2"]
        quarter_of = {"free": "2025-Q1", "pro": "2025-Q3", "enterprise": None}
        by_cohort = {row.cohort: row.changes[0] for row in cohorts}
        for plan, cohort in quarter_of.items():
            mine = [r for r in raws if r.plan == plan]
            earlier = _expected(mine, lambda r: day - timedelta(days=30) <= r.day() < day)
            later = _expected(mine, lambda r: day <= r.day() < day + timedelta(days=30))
            change = by_cohort.get(cohort)
            if not earlier.n and not later.n:
                assert change is None
                continue
            assert change is not None
            assert (change.before, change.after) == (earlier, later)
