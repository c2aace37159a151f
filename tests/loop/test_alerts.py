"""When a case opens (or comes to someone), its owner hears of it by email within a minute,
the cases of the same half minute in one email, as each member chose."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from pytest_django.fixtures import Settings

from bench.smtp_sink import SmtpSink
from npsloop import jobs
from npsloop.contacts.fields import ContactData
from npsloop.loop import alert_dispatch, alert_mail
from npsloop.loop.alert_dispatch import send_alerts
from npsloop.loop.alerts import FRESH, GATHER
from npsloop.loop.cases import Actor, assign
from npsloop.loop.models import Alert, Case, MailStatus, Team
from npsloop.loop.reactions import follow_answers
from npsloop.loop.rules import case_settings
from npsloop.surveys.configure import create_survey
from npsloop.surveys.models import Survey
from npsloop.surveys.responses import ResponseData, record_response
from npsloop.workspaces.models import CaseAlerts, Member, Role, Workspace

from .alerting import NOON, html_of, say, text_of
from .conftest import make_member

pytestmark = pytest.mark.django_db
CORA = "cora@acme.test"


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _links(settings: Settings) -> None:
    settings.BASE_URL = "https://nps.example.com"


def test_two_cases_in_the_same_half_minute_come_in_one_email(
    workspace: Workspace,
    survey: Survey,
    cora: Member,
    smtp_sink: SmtpSink,
    clock: time_machine.Coordinates,
) -> None:
    first = say(workspace, survey, 2, "Slow exports", owner=CORA, who="u-1")
    clock.shift(timedelta(seconds=20))
    second = say(workspace, survey, 4, "Billing is confusing", owner=CORA, who="u-2")
    assert first is not None and second is not None
    assert send_alerts().emails == 0  # the first has not gathered its half minute yet
    clock.shift(GATHER - timedelta(seconds=20))
    told = send_alerts()
    assert (told.emails, told.alerts) == (1, 2)
    [mail] = smtp_sink.messages
    assert mail.rcpt_tos == [CORA]
    assert mail.message["Subject"] == "2 new cases in Acme Cloud"
    text = text_of(mail)
    assert "Slow exports" in text and "Billing is confusing" in text
    for case in (first, second):
        assert f"https://nps.example.com/w/acme-cloud/cases/{case.pk}/" in text
    assert set(Alert.objects.values_list("status", flat=True)) == {MailStatus.SENT}
    assert send_alerts().emails == 0
    assert smtp_sink.count == 1


def test_the_email_says_score_comment_who_account_survey_and_due_time(
    workspace: Workspace,
    survey: Survey,
    cora: Member,
    smtp_sink: SmtpSink,
    clock: time_machine.Coordinates,
) -> None:
    case = say(
        workspace, survey, 3, "Support never answered", owner=CORA, name="Ann Lee", account="globex"
    )
    assert case is not None
    clock.shift(GATHER)
    send_alerts()
    [mail] = smtp_sink.messages
    assert (
        mail.message["Subject"] == "New case: 3 (detractor) from Ann Lee <u-1@example.com>, Globex"
    )
    assert mail.message["Auto-Submitted"] == "auto-generated"
    text = text_of(mail)
    assert "Hi Cora," in text
    assert "3 (detractor) from Ann Lee <u-1@example.com>, Globex" in text
    assert '"Support never answered"' in text
    # Detractors are due in 48 hours; the time is the workspace's (UTC here).
    assert "Survey: Relationship NPS · due 6 Mar 2026 12:00 (UTC)" in text
    assert f"https://nps.example.com/w/acme-cloud/cases/{case.pk}/" in text
    assert "https://nps.example.com/w/acme-cloud/alerts/" in text
    html = html_of(mail)
    assert f'href="https://nps.example.com/w/acme-cloud/cases/{case.pk}/"' in html
    assert "Ann Lee &lt;u-1@example.com&gt;, Globex" in html


def test_a_comment_and_a_name_full_of_markup_show_as_text(
    workspace: Workspace,
    survey: Survey,
    cora: Member,
    smtp_sink: SmtpSink,
    clock: time_machine.Coordinates,
) -> None:
    say(
        workspace,
        survey,
        0,
        "<script>alert('x')</script> & <a href=//evil.test>click</a>",
        owner=CORA,
        name="<b>Eve</b>",
    )
    clock.shift(GATHER)
    send_alerts()
    html = html_of(smtp_sink.messages[0])
    assert "<script>" not in html and "<b>Eve" not in html and "evil.test>" not in html
    assert (
        "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;a href=//evil.test&gt;" in html
    )
    assert "&lt;b&gt;Eve&lt;/b&gt;" in html
    # The plain text part is text: shown as written.
    assert "<script>alert('x')</script>" in text_of(smtp_sink.messages[0])


def test_a_case_a_minute_later_comes_in_an_email_of_its_own(
    workspace: Workspace,
    survey: Survey,
    cora: Member,
    smtp_sink: SmtpSink,
    clock: time_machine.Coordinates,
) -> None:
    say(workspace, survey, 1, "first", owner=CORA, who="u-1")
    clock.shift(GATHER)
    send_alerts()
    clock.shift(timedelta(minutes=1))
    say(workspace, survey, 1, "second", owner=CORA, who="u-2")
    clock.shift(GATHER)
    send_alerts()
    subjects = [mail.message["Subject"] for mail in smtp_sink.messages]
    assert len(subjects) == 2
    assert "second" not in text_of(smtp_sink.messages[0])
    assert "first" not in text_of(smtp_sink.messages[1])


@pytest.mark.parametrize(
    ("choice", "told"),
    [
        (CaseAlerts.EVERY_CASE, ["2", "8", "10"]),
        (CaseAlerts.DETRACTORS, ["2"]),
        (CaseAlerts.NONE, []),
    ],
)
def test_each_member_hears_of_the_cases_they_chose(
    workspace: Workspace,
    survey: Survey,
    cora: Member,
    smtp_sink: SmtpSink,
    clock: time_machine.Coordinates,
    choice: str,
    told: list[str],
) -> None:
    cora.case_alerts = choice
    cora.save()
    say(workspace, survey, 2, "detractor", owner=CORA, who="u-1")
    say(workspace, survey, 8, "passive with a comment", owner=CORA, who="u-2")
    say(workspace, survey, 10, "promoter", owner=CORA, who="u-3")
    clock.shift(GATHER)
    send_alerts()
    scores = sorted(
        str(alert.case.response.score)
        for alert in Alert.objects.select_related("case__response").filter(status=MailStatus.SENT)
    )
    assert sorted(scores, key=int) == told
    assert smtp_sink.count == (1 if told else 0)


def test_a_member_who_chose_the_daily_summary_gets_no_email_now(
    workspace: Workspace,
    survey: Survey,
    cora: Member,
    smtp_sink: SmtpSink,
    clock: time_machine.Coordinates,
) -> None:
    cora.case_alerts = CaseAlerts.DAILY
    cora.save()
    say(workspace, survey, 2, owner=CORA)
    clock.shift(timedelta(hours=1))
    assert send_alerts().emails == 0
    assert smtp_sink.count == 0
    alert = Alert.objects.get()
    assert alert.daily and alert.status == MailStatus.WAITING


def test_an_unassigned_new_case_tells_the_admins(
    workspace: Workspace,
    survey: Survey,
    cora: Member,
    smtp_sink: SmtpSink,
    clock: time_machine.Coordinates,
) -> None:
    make_member(workspace, "ada@acme.test", Role.ADMIN)
    make_member(workspace, "olga@acme.test", Role.OWNER)
    make_member(workspace, "vic@acme.test", Role.VIEWER)
    case = say(workspace, survey, 2, "nobody's", owner="stranger@elsewhere.test")
    assert case is not None and case.owner is None
    clock.shift(GATHER)
    assert send_alerts().emails == 2
    assert sorted(mail.rcpt_tos[0] for mail in smtp_sink.messages) == [
        "ada@acme.test",
        "olga@acme.test",
    ]
    assert "nobody owns it yet, and you are an admin of the workspace" in text_of(
        smtp_sink.messages[0]
    )


def test_a_case_left_without_owner_tells_its_team_or_else_the_default_owner(
    workspace: Workspace,
    survey: Survey,
    cora: Member,
    dev: Member,
    smtp_sink: SmtpSink,
    clock: time_machine.Coordinates,
) -> None:
    admin = make_member(workspace, "ada@acme.test", Role.ADMIN)
    team = Team.objects.create(workspace=workspace, name="Support")
    team.members.add(dev)
    first = say(workspace, survey, 2, owner=CORA, who="u-1")
    second = say(workspace, survey, 2, owner=CORA, who="u-2")
    assert first is not None and second is not None
    first.team = team
    first.save()
    settings = case_settings(workspace)
    settings.default_owner = admin
    settings.save()
    assign(first, None, by=Actor.of(cora.user))
    assign(second, None, by=Actor.of(cora.user))
    told = {
        (alert.case_id, alert.member_id, alert.reason)
        for alert in Alert.objects.exclude(member=cora)
    }
    assert told == {(first.pk, dev.pk, "team"), (second.pk, admin.pk, "default owner")}
    clock.shift(GATHER)
    send_alerts()
    to_dev = next(mail for mail in smtp_sink.messages if mail.rcpt_tos == [dev.user.email])
    assert "nobody owns it yet, and you are in its team" in text_of(to_dev)


def test_a_new_owner_hears_of_the_case_but_not_of_giving_it_to_themselves(
    workspace: Workspace,
    survey: Survey,
    cora: Member,
    dev: Member,
    smtp_sink: SmtpSink,
    clock: time_machine.Coordinates,
) -> None:
    case = say(workspace, survey, 2, owner=CORA)
    assert case is not None
    assign(case, dev, by=Actor.of(cora.user))
    other = say(workspace, survey, 2, owner=CORA, who="u-2")
    assert other is not None
    assign(other, dev, by=Actor.of(dev.user))
    assert sorted((a.case_id, a.member_id) for a in Alert.objects.all()) == sorted(
        [(case.pk, cora.pk), (case.pk, dev.pk), (other.pk, cora.pk)]
    )
    # Given back to cora: she heard of it already.
    assign(case, cora, by=Actor.of(dev.user))
    assert Alert.objects.filter(member=cora).count() == 2


def test_members_without_an_address_or_inactive_are_not_queued(
    workspace: Workspace, survey: Survey, cora: Member, clock: time_machine.Coordinates
) -> None:
    cora.user.is_active = False
    cora.user.save()
    say(workspace, survey, 2, owner=CORA)
    assert not Alert.objects.exists()


def test_a_person_in_two_workspaces_gets_each_workspaces_cases_apart(
    workspace: Workspace,
    survey: Survey,
    other_workspace: Workspace,
    cora: Member,
    smtp_sink: SmtpSink,
    clock: time_machine.Coordinates,
) -> None:
    make_member(other_workspace, CORA)
    other_survey = create_survey(other_workspace, name="Their NPS", product_name="Other")
    say(workspace, survey, 2, "ours", owner=CORA)
    say(other_workspace, other_survey, 2, "theirs", owner=CORA)
    clock.shift(GATHER)
    assert send_alerts().emails == 2
    by_workspace = {"/w/acme-cloud/" in text_of(mail): text_of(mail) for mail in smtp_sink.messages}
    assert "ours" in by_workspace[True] and "theirs" not in by_workspace[True]
    assert "theirs" in by_workspace[False] and "/w/acme-cloud/" not in by_workspace[False]


def test_a_burst_of_cases_makes_one_readable_email(
    workspace: Workspace,
    survey: Survey,
    cora: Member,
    smtp_sink: SmtpSink,
    clock: time_machine.Coordinates,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(alert_mail, "MAX_LISTED", 2)
    monkeypatch.setattr(alert_dispatch, "MAX_LISTED", 2)
    for n in range(5):
        say(workspace, survey, 1, f"comment {n}", owner=CORA, who=f"u-{n}")
    clock.shift(GATHER)
    assert send_alerts().alerts == 5
    [mail] = smtp_sink.messages
    assert mail.message["Subject"] == "5 new cases in Acme Cloud"
    text = text_of(mail)
    assert "comment 1" in text and "comment 2" not in text
    assert "… and 3 more." in text and "… and 3 more." in html_of(mail)


def test_the_workers_follower_of_answers_sends_the_alerts_due(
    workspace: Workspace,
    survey: Survey,
    cora: Member,
    smtp_sink: SmtpSink,
    clock: time_machine.Coordinates,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(jobs, "FOLLOW_BUDGET_SECONDS", 0)  # one look, no polling
    say(workspace, survey, 2, "opened by an earlier look", owner=CORA)
    clock.shift(GATHER)
    jobs.follow_the_answers.call_local()
    assert smtp_sink.count == 1
    assert "opened by an earlier look" in text_of(smtp_sink.messages[0])


def test_an_old_answer_opens_its_case_without_an_alert_until_someone_assigns_it(
    workspace: Workspace,
    survey: Survey,
    cora: Member,
    dev: Member,
    clock: time_machine.Coordinates,
) -> None:
    """A historical import (or the demo's months of answers) fills the inbox, not mailboxes."""
    recorded = record_response(
        workspace,
        ResponseData(
            survey=survey,
            score=1,
            comment="from last year's export",
            created_at=NOON - FRESH - timedelta(minutes=1),
            contact=ContactData(external_id="old", properties={"csm_email": CORA}),
        ),
    )
    follow_answers(workspace.pk)
    case = Case.objects.get(response_id=recorded.response.pk)
    assert case.owner == cora
    assert not Alert.objects.exists()
    assign(case, dev, by=Actor.of(cora.user))
    assert list(Alert.objects.values_list("member_id", flat=True)) == [dev.pk]
    # An answer just within the day is news.
    say(workspace, survey, 1, owner=CORA, who="recent")
    assert Alert.objects.filter(member=cora).count() == 1
