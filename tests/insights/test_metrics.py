from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from npsloop.contacts.fields import ContactData
from npsloop.contacts.services import upsert_contact
from npsloop.errors import InvalidInput
from npsloop.insights.metrics import MetricsQuery, compute_metrics
from npsloop.stats import Histogram, summarize
from npsloop.surveys.models import Survey
from npsloop.surveys.responses import ResponseData, record_response
from npsloop.workspaces.models import Workspace


def _answer(workspace: Workspace, survey: Survey, score: int, when: datetime, **kw: str) -> None:
    plan = kw.pop("plan", "pro")
    contact = upsert_contact(
        workspace, ContactData(email=f"p{plan}@example.com", properties={"plan": plan})
    ).contact
    record_response(
        workspace,
        ResponseData(survey=survey, score=score, contact=contact, created_at=when, **kw),  # type: ignore[arg-type]
    )


def test_it_reproduces_the_statistics_test_vector(workspace: Workspace, survey: Survey) -> None:
    when = datetime(2026, 3, 1, tzinfo=UTC)
    for score, count in ((10, 60), (8, 30), (3, 10)):
        for _ in range(count):
            _answer(workspace, survey, score, when)
    [(group, histogram)] = compute_metrics(workspace, MetricsQuery(survey_id=survey.pk))
    summary = summarize(histogram)
    assert group == {}
    assert summary.nps == 50
    assert summary.ci_low == pytest.approx(35.47, abs=0.005)
    assert summary.ci_high == pytest.approx(61.62, abs=0.005)


def test_it_gives_the_same_numbers_from_rollups_and_from_responses(
    workspace: Workspace, survey: Survey
) -> None:
    _answer(workspace, survey, 9, datetime(2026, 1, 10, 8, tzinfo=UTC), channel="email")
    _answer(workspace, survey, 3, datetime(2026, 2, 10, 8, tzinfo=UTC), channel="in-app")
    _answer(workspace, survey, 7, datetime(2026, 2, 11, 8, tzinfo=UTC), channel="email")
    by_day = MetricsQuery(group_by=["month"], since=date(2026, 1, 1), until=date(2026, 3, 1))
    by_moment = MetricsQuery(
        group_by=["month"],
        since=datetime(2026, 1, 1, tzinfo=UTC),
        until=datetime(2026, 3, 1, tzinfo=UTC),
    )
    expected = [
        ({"month": "2026-01"}, Histogram.from_scores([9])),
        ({"month": "2026-02"}, Histogram.from_scores([3, 7])),
    ]
    assert compute_metrics(workspace, by_day) == expected
    assert compute_metrics(workspace, by_moment) == expected


def test_it_groups_by_channel_and_by_a_contact_property(
    workspace: Workspace, survey: Survey
) -> None:
    when = datetime(2026, 1, 10, tzinfo=UTC)
    _answer(workspace, survey, 9, when, channel="email", plan="pro")
    _answer(workspace, survey, 2, when, channel="link", plan="free")
    by_channel = compute_metrics(workspace, MetricsQuery(group_by=["channel"]))
    assert [g for g, _ in by_channel] == [{"channel": "email"}, {"channel": "link"}]
    by_plan = compute_metrics(workspace, MetricsQuery(group_by=["plan"]))
    assert by_plan == [
        ({"plan": "free"}, Histogram.from_scores([2])),
        ({"plan": "pro"}, Histogram.from_scores([9])),
    ]


def test_it_counts_nothing_of_another_workspace(
    workspace: Workspace, other_workspace: Workspace, other_survey: Survey
) -> None:
    _answer(other_workspace, other_survey, 10, datetime(2026, 1, 1, tzinfo=UTC))
    [(_, histogram)] = compute_metrics(workspace, MetricsQuery())
    assert histogram.n == 0
    assert summarize(histogram).nps is None


def test_it_rejects_an_unknown_channel_and_an_empty_period(workspace: Workspace) -> None:
    with pytest.raises(InvalidInput) as error:
        compute_metrics(
            workspace,
            MetricsQuery(channel="fax", since=date(2026, 2, 1), until=date(2026, 1, 1)),
        )
    assert "must be one of email, in-app, link, other" in error.value.errors["channel"]
    assert error.value.errors["until"] == "must be after since"


def test_it_groups_by_account_external_id(workspace: Workspace, survey: Survey) -> None:
    when = datetime(2026, 1, 10, tzinfo=UTC)
    for external_id, account, score in (("a", "acc-1", 9), ("b", "acc-2", 3), ("c", None, 8)):
        contact = upsert_contact(
            workspace, ContactData(external_id=external_id, account_external_id=account)
        ).contact
        record_response(
            workspace, ResponseData(survey=survey, score=score, contact=contact, created_at=when)
        )
    assert compute_metrics(workspace, MetricsQuery(group_by=["account"])) == [
        ({"account": "acc-1"}, Histogram.from_scores([9])),
        ({"account": "acc-2"}, Histogram.from_scores([3])),
        ({"account": None}, Histogram.from_scores([8])),
    ]


def test_it_groups_by_account_with_other_dimensions(workspace: Workspace, survey: Survey) -> None:
    answers = [
        ("a", "acc-1", "pro", "email", 9, datetime(2026, 1, 10, tzinfo=UTC)),
        ("b", "acc-1", "free", "link", 3, datetime(2026, 2, 10, tzinfo=UTC)),
        ("c", "acc-2", "pro", "email", 10, datetime(2026, 2, 11, tzinfo=UTC)),
        ("d", "acc-2", "pro", "email", 6, datetime(2026, 2, 12, tzinfo=UTC)),
        ("e", None, "free", "email", 8, datetime(2026, 1, 5, tzinfo=UTC)),
    ]
    for external_id, account, plan, channel, score, when in answers:
        contact = upsert_contact(
            workspace,
            ContactData(
                external_id=external_id, account_external_id=account, properties={"plan": plan}
            ),
        ).contact
        record_response(
            workspace,
            ResponseData(
                survey=survey,
                score=score,
                contact=contact,
                created_at=when,
                channel=channel,  # type: ignore[arg-type]
            ),
        )

    def expected(*names: str) -> list[tuple[dict[str, str | None], Histogram]]:
        columns = {"account": 1, "plan": 2, "channel": 3}
        groups: dict[tuple[str | None, ...], list[int]] = {}
        for answer in answers:
            key = tuple(
                f"2026-{answer[5].month:02d}" if name == "month" else answer[columns[name]]
                for name in names
            )
            groups.setdefault(key, []).append(answer[4])  # type: ignore[arg-type]
        order = sorted(groups, key=lambda k: tuple((v is None, v or "") for v in k))
        return [
            (dict(zip(names, key, strict=True)), Histogram.from_scores(groups[key]))
            for key in order
        ]

    for names in (
        ["account", "channel"],
        ["plan", "account"],
        ["account", "month"],
        ["month", "plan", "account"],
    ):
        assert compute_metrics(workspace, MetricsQuery(group_by=names)) == expected(*names)
    in_january = MetricsQuery(
        group_by=["account"], since=datetime(2026, 1, 1, tzinfo=UTC), until=date(2026, 2, 1)
    )
    assert compute_metrics(workspace, in_january) == [
        ({"account": "acc-1"}, Histogram.from_scores([9])),
        ({"account": None}, Histogram.from_scores([8])),
    ]
