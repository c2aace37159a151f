"""Each morning at eight in the workspace's time zone, one email to each member with overdue
cases; members who chose a daily summary get their new cases in it too."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from bench.smtp_sink import SmtpSink
from npsloop.jobs import send_case_summaries
from npsloop.loop.alert_dispatch import send_alerts
from npsloop.loop.cases import Actor, move
from npsloop.loop.models import Alert, Case, CaseStatus, MailStatus, MorningSummary
from npsloop.loop.summaries import send_morning_summaries
from npsloop.surveys.models import Survey
from npsloop.workspaces.models import CaseAlerts, Member, Workspace

from .alerting import html_of, say, text_of
from .conftest import make_member

pytestmark = pytest.mark.django_db
CORA = "cora@acme.test"
# Monday 2 March 2026, 10:00 in Paris (UTC+1): the case opened then is due on Wednesday.
OPENED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# Paris is at UTC+1 in early March: eight there is seven here.
THURSDAY_8_PARIS = datetime(2026, 3, 5, 7, 0, tzinfo=UTC)


@pytest.fixture
def paris(workspace: Workspace) -> Workspace:
    workspace.time_zone = "Europe/Paris"
    workspace.save()
    return workspace


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(OPENED, tick=False) as traveller:
        yield traveller


@pytest.fixture
def overdue(
    paris: Workspace, survey: Survey, cora: Member, clock: time_machine.Coordinates
) -> Case:
    """Cora's detractor case, opened on Monday, due Wednesday, still open on Thursday."""
    case = say(paris, survey, 2, "Still broken", owner=CORA, name="Ann Lee")
    assert case is not None
    Alert.objects.all().delete()  # her alert of it went out on Monday
    return case


def test_an_owner_with_overdue_cases_gets_one_summary_at_eight_in_the_workspace_zone(
    overdue: Case, smtp_sink: SmtpSink, clock: time_machine.Coordinates
) -> None:
    clock.move_to(THURSDAY_8_PARIS - timedelta(minutes=1))
    assert send_morning_summaries() == 0
    clock.move_to(THURSDAY_8_PARIS)
    assert send_morning_summaries() == 1
    [mail] = smtp_sink.messages
    assert mail.rcpt_tos == [CORA]
    assert mail.message["Subject"] == "Acme Cloud cases, 5 Mar 2026: 1 overdue"
    text = text_of(mail)
    assert "Overdue (1):" in text
    assert "2 (detractor) from Ann Lee <u-1@example.com>" in text
    assert "due 4 Mar 2026 10:00 (Europe/Paris)" in text
    assert f"/w/acme-cloud/cases/{overdue.pk}/" in text
    # Once a day, however often the job runs.
    clock.shift(timedelta(minutes=5))
    assert send_morning_summaries() == 0
    assert send_case_summaries.call_local() == 0
    # Still overdue the next morning: the next summary.
    clock.move_to(THURSDAY_8_PARIS + timedelta(days=1))
    assert send_morning_summaries() == 1
    assert smtp_sink.count == 2


def test_no_summary_for_cases_dealt_with_or_members_who_want_none(
    overdue: Case, cora: Member, dev: Member, smtp_sink: SmtpSink, clock: time_machine.Coordinates
) -> None:
    clock.move_to(THURSDAY_8_PARIS)
    move(overdue, CaseStatus.CONTACTED, by=Actor.of(cora.user))
    assert send_morning_summaries() == 0
    other = say(overdue.workspace, overdue.survey, 1, owner=dev.user.email, who="u-2")
    assert other is not None
    dev.case_alerts = CaseAlerts.NONE
    dev.save()
    clock.move_to(THURSDAY_8_PARIS + timedelta(days=3))
    assert send_morning_summaries() == 0
    assert smtp_sink.count == 0


def test_a_case_that_falls_overdue_in_the_afternoon_waits_for_the_next_morning(
    paris: Workspace,
    survey: Survey,
    cora: Member,
    smtp_sink: SmtpSink,
    clock: time_machine.Coordinates,
) -> None:
    clock.move_to(datetime(2026, 3, 2, 12, 30, tzinfo=UTC))  # 13:30 Paris, due Wednesday 13:30
    say(paris, survey, 2, owner=CORA)
    Alert.objects.all().delete()
    clock.move_to(datetime(2026, 3, 4, 13, 0, tzinfo=UTC))  # Wednesday 14:00 Paris: overdue
    assert send_morning_summaries() == 0
    clock.move_to(THURSDAY_8_PARIS)
    assert send_morning_summaries() == 1


def test_a_daily_member_gets_the_new_cases_in_the_morning_instead_of_at_once(
    paris: Workspace,
    survey: Survey,
    cora: Member,
    smtp_sink: SmtpSink,
    clock: time_machine.Coordinates,
) -> None:
    cora.case_alerts = CaseAlerts.DAILY
    cora.save()
    clock.move_to(datetime(2026, 3, 4, 15, 0, tzinfo=UTC))  # Wednesday afternoon
    first = say(paris, survey, 3, "<script>x()</script> first", owner=CORA, who="u-1")
    second = say(paris, survey, 9, "second", owner=CORA, who="u-2")
    assert first is not None and second is not None
    clock.shift(timedelta(hours=1))
    assert send_alerts().emails == 0
    clock.move_to(THURSDAY_8_PARIS)
    assert send_morning_summaries() == 1
    [mail] = smtp_sink.messages
    assert mail.message["Subject"] == "Acme Cloud cases, 5 Mar 2026: 2 new"
    text = text_of(mail)
    assert "New since the last summary (2):" in text
    assert "first" in text and "second" in text and "Overdue" not in text
    html = html_of(mail)
    assert "<script>" not in html and "&lt;script&gt;x()&lt;/script&gt; first" in html
    summary = MorningSummary.objects.get()
    assert set(Alert.objects.values_list("status", "summary_id")) == {(MailStatus.SENT, summary.pk)}
    # A case that comes later that day waits for tomorrow's.
    clock.shift(timedelta(hours=2))
    say(paris, survey, 1, "third", owner=CORA, who="u-3")
    assert send_morning_summaries() == 0
    clock.move_to(THURSDAY_8_PARIS + timedelta(days=1))
    assert send_morning_summaries() == 1
    assert "third" in text_of(smtp_sink.messages[1])
    assert "second" not in text_of(smtp_sink.messages[1])


def test_a_summary_refused_for_now_is_sent_later_with_its_daily_cases(
    paris: Workspace,
    survey: Survey,
    cora: Member,
    smtp_sink: SmtpSink,
    clock: time_machine.Coordinates,
) -> None:
    cora.case_alerts = CaseAlerts.DAILY
    cora.save()
    say(paris, survey, 3, "first", owner=CORA)
    clock.move_to(THURSDAY_8_PARIS)
    smtp_sink.mode = "tempfail"
    assert send_morning_summaries() == 0
    summary = MorningSummary.objects.get()
    assert summary.status == MailStatus.WAITING and summary.attempts == 1
    assert Alert.objects.get().status == MailStatus.WAITING
    smtp_sink.mode = "accept"
    clock.shift(timedelta(minutes=2))
    assert send_morning_summaries() == 1
    assert Alert.objects.get().status == MailStatus.SENT
    assert "first" in text_of(smtp_sink.messages[0])


def test_each_workspace_has_its_own_morning(
    paris: Workspace,
    survey: Survey,
    other_workspace: Workspace,
    other_survey: Survey,
    cora: Member,
    smtp_sink: SmtpSink,
    clock: time_machine.Coordinates,
) -> None:
    other_workspace.time_zone = "America/New_York"
    other_workspace.save()
    make_member(other_workspace, CORA)
    say(paris, survey, 2, "ours", owner=CORA)
    say(other_workspace, other_survey, 2, "theirs", owner=CORA)
    Alert.objects.all().delete()
    clock.move_to(THURSDAY_8_PARIS)
    assert send_morning_summaries() == 1
    assert "ours" in text_of(smtp_sink.messages[0])
    clock.move_to(datetime(2026, 3, 5, 13, 0, tzinfo=UTC))  # eight in New York
    assert send_morning_summaries() == 1
    assert "theirs" in text_of(smtp_sink.messages[1])
    assert "ours" not in text_of(smtp_sink.messages[1])
