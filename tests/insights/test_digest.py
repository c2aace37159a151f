"""The weekly digest: its numbers, its comments, who gets it, once a week, and the page
where each member opts in."""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.core.mail import EmailMultiAlternatives
from django.http import HttpResponse
from django.test import Client
from provider_fixtures import Provider
from pytest_django.fixtures import Settings

from bench.smtp_sink import SmtpSink
from npsloop.errors import InvalidInput
from npsloop.insights import digest as digest_module
from npsloop.insights.digest import Digest, send_digests, week_digest
from npsloop.jobs import send_weekly_digests
from npsloop.stats import Histogram, compare, summarize
from npsloop.surveys.configure import create_survey
from npsloop.surveys.models import Response, Survey
from npsloop.surveys.responses import ResponseData, record_response
from npsloop.workspaces.membership import add_member
from npsloop.workspaces.models import Member, Workspace

# A Tuesday: the last complete week is Monday 16 to Sunday 22 November 2026.
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
WEEK = date(2026, 11, 16)
WEEK_BEFORE = date(2026, 11, 9)

Answer = Callable[..., Response]
MakeMember = Callable[..., Member]


@pytest.fixture(autouse=True)
def _tuesday_after_the_week() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _links_to_the_test_server(settings: Settings) -> None:
    settings.BASE_URL = "http://testserver"


@pytest.fixture
def answer(workspace: Workspace, survey: Survey) -> Answer:
    """Record a response through the one door, at a moment in the workspace's time zone."""

    def record(
        score: int,
        day: date,
        hour: int = 12,
        comment: str = "",
        on: Survey | None = None,
        minute: int = 0,
    ) -> Response:
        zone = ZoneInfo(workspace.time_zone)
        when = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
        data = ResponseData(survey=on or survey, score=score, comment=comment, created_at=when)
        return record_response(workspace, data).response

    return record


@pytest.fixture
def make_member(workspace: Workspace) -> MakeMember:
    def make(
        username: str,
        *,
        email: str | None = None,
        digest: bool = True,
        role: str = "viewer",
        where: Workspace | None = None,
    ) -> Member:
        user = get_user_model().objects.create_user(
            username, email=f"{username}@example.com" if email is None else email
        )
        member = add_member(where or workspace, user, role)
        Member.objects.filter(pk=member.pk).update(digest=digest)
        member.refresh_from_db()
        return member

    return make


def _sent_to(mailoutbox: list[EmailMultiAlternatives]) -> list[str]:
    return sorted(address for message in mailoutbox for address in message.to)


def _html(message: EmailMultiAlternatives) -> str:
    (content, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    return str(content)


# --- the numbers --------------------------------------------------------------------------


def test_it_summarizes_the_week_in_the_workspace_time_zone(
    workspace: Workspace, answer: Answer
) -> None:
    workspace.time_zone = "Europe/Berlin"
    workspace.save()
    this_week = [10, 10, 9, 9, 8, 7, 6, 3, 0]
    week_before = [10, 8, 8, 5, 2]
    for index, score in enumerate(this_week):
        answer(score, WEEK + timedelta(days=index % 7))
    for index, score in enumerate(week_before):
        answer(score, WEEK_BEFORE + timedelta(days=index % 7))
    # Just inside the week in Berlin, though still Sunday in UTC; and just outside.
    answer(9, WEEK, hour=0, minute=30)
    answer(0, WEEK - timedelta(days=1), hour=23, minute=30)
    answer(0, WEEK + timedelta(days=7), hour=0, minute=30)
    this_week.append(9)
    week_before.append(0)

    digest = week_digest(workspace, WEEK)

    expected_this = Histogram.from_scores(this_week)
    expected_before = Histogram.from_scores(week_before)
    assert digest.this_week == summarize(expected_this)
    assert digest.previous_week == summarize(expected_before)
    assert digest.comparison == compare(expected_this, expected_before)
    assert digest.this_week.n == 10
    assert digest.subject == f"Acme Cloud NPS, week of 16 Nov 2026: {digest.this_week.nps} (n = 10)"


def test_it_calls_a_big_rise_a_real_change(workspace: Workspace, answer: Answer) -> None:
    for _ in range(18):
        answer(10, WEEK)
    for _ in range(2):
        answer(8, WEEK)
    for _ in range(10):
        answer(9, WEEK_BEFORE)
        answer(0, WEEK_BEFORE)
    digest = week_digest(workspace, WEEK)
    assert (digest.this_week.nps, digest.previous_week.nps) == (90, 0)
    assert digest.comparison.significant
    assert digest.change == "up 90 — real change"


def test_it_calls_a_big_fall_a_real_change(workspace: Workspace, answer: Answer) -> None:
    for _ in range(10):
        answer(9, WEEK)
        answer(0, WEEK)
    for _ in range(20):
        answer(10, WEEK_BEFORE)
    assert week_digest(workspace, WEEK).change == "down 100 — real change"


def test_it_says_no_clear_change_for_a_difference_within_the_noise(
    workspace: Workspace, answer: Answer
) -> None:
    for score in (10, 9, 3):
        answer(score, WEEK)
    for score in (10, 8, 3):
        answer(score, WEEK_BEFORE)
    digest = week_digest(workspace, WEEK)
    assert digest.comparison.difference == pytest.approx(100 / 3)
    assert not digest.comparison.significant
    assert digest.change == "no clear change"


def test_it_has_no_score_for_a_week_without_responses(workspace: Workspace) -> None:
    digest = week_digest(workspace, WEEK)
    assert digest.this_week.n == 0
    assert digest.this_week.nps is None
    assert digest.comparison.difference is None
    assert digest.comments == []
    assert digest.subject == "Acme Cloud NPS, week of 16 Nov 2026: no responses"


def test_it_refuses_a_week_that_does_not_start_on_a_monday(workspace: Workspace) -> None:
    with pytest.raises(InvalidInput) as caught:
        week_digest(workspace, date(2026, 11, 17))
    assert caught.value.errors == {
        "week_start": "must be a Monday, got Tuesday 2026-11-17; weeks run Monday to Sunday"
    }


def test_it_lists_each_survey_when_there_are_several(
    workspace: Workspace, survey: Survey, answer: Answer
) -> None:
    onboarding = create_survey(workspace, name="Onboarding", product_name="Acme Cloud")
    for score in (10, 9, 0):
        answer(score, WEEK)
    for score in (6, 8):
        answer(score, WEEK, on=onboarding)
    answer(10, WEEK_BEFORE, on=onboarding)
    lines = week_digest(workspace, WEEK).surveys
    assert [line.name for line in lines] == ["Onboarding", "Relationship NPS"]
    assert lines[0].this_week == summarize(Histogram.from_scores([6, 8]))
    assert lines[0].comparison == compare(
        Histogram.from_scores([6, 8]), Histogram.from_scores([10])
    )
    assert lines[0].change == "no clear change"
    assert lines[1].this_week == summarize(Histogram.from_scores([10, 9, 0]))
    assert lines[1].change == "no responses the week before"


def test_it_lists_no_surveys_when_there_is_only_one(workspace: Workspace, answer: Answer) -> None:
    answer(10, WEEK)
    assert week_digest(workspace, WEEK).surveys == []


def test_it_picks_recent_detractor_comments_first_then_promoter_ones(
    workspace: Workspace, answer: Answer
) -> None:
    detractors = [answer(3, WEEK + timedelta(days=d), comment=f"bad {d}") for d in range(3)]
    promoters = [answer(10, WEEK + timedelta(days=d), comment=f"good {d}") for d in range(4)]
    answer(8, WEEK + timedelta(days=6), comment="fine")  # passive
    answer(0, WEEK + timedelta(days=6))  # no comment
    answer(0, WEEK + timedelta(days=6), comment="  \n ")  # nothing but blanks
    answer(0, WEEK_BEFORE, comment="last week")
    answer(0, WEEK + timedelta(days=7), comment="this week")

    comments = week_digest(workspace, WEEK).comments

    expected = [detractors[2], detractors[1], detractors[0], promoters[3], promoters[2]]
    assert [c.response_id for c in comments] == [r.pk for r in expected]
    first = comments[0]
    assert (first.score, first.category, first.survey_name, first.comment) == (
        3,
        "detractor",
        "Relationship NPS",
        "bad 2",
    )
    assert first.url == f"http://testserver/w/acme-cloud/responses/{detractors[2].pk}/"
    assert comments[3].category == "promoter"


def test_it_shortens_long_comments_to_300_characters(workspace: Workspace, answer: Answer) -> None:
    answer(2, WEEK, comment="word " * 200)
    (comment,) = week_digest(workspace, WEEK).comments
    assert len(comment.comment) <= 300
    assert comment.comment.endswith("…")
    assert comment.comment.startswith("word word")


# --- sending ------------------------------------------------------------------------------


def test_it_sends_one_digest_to_each_member_who_opted_in(
    make_member: MakeMember, answer: Answer, mailoutbox: list[EmailMultiAlternatives]
) -> None:
    answer(10, WEEK)
    answer(3, WEEK, comment="too slow")
    make_member("ann")
    make_member("bob", digest=False)
    make_member("cy", email="")  # nowhere to send it

    assert send_digests() == 1

    (message,) = mailoutbox
    assert message.to == ["ann@example.com"]
    assert message.subject == "Acme Cloud NPS, week of 16 Nov 2026: 0 (n = 2)"
    assert "too slow" in str(message.body)
    assert "too slow" in _html(message)


def test_it_sends_each_week_once_however_often_it_runs(
    make_member: MakeMember, answer: Answer, mailoutbox: list[EmailMultiAlternatives]
) -> None:
    answer(10, WEEK)
    ann = make_member("ann")
    make_member("dan")

    assert send_digests() == 2
    assert send_digests() == 0
    assert send_digests(NOW + timedelta(days=4)) == 0  # still the same last complete week
    assert _sent_to(mailoutbox) == ["ann@example.com", "dan@example.com"]
    ann.refresh_from_db()
    assert ann.digest_sent_for == WEEK

    assert send_digests(NOW + timedelta(days=7)) == 2
    assert len(mailoutbox) == 4
    assert mailoutbox[-1].subject == "Acme Cloud NPS, week of 23 Nov 2026: no responses"


def test_it_sends_nothing_for_a_week_another_worker_claimed(
    make_member: MakeMember, mailoutbox: list[EmailMultiAlternatives]
) -> None:
    ann = make_member("ann")
    Member.objects.filter(pk=ann.pk).update(digest_sent_for=WEEK)
    assert send_digests() == 0
    assert mailoutbox == []


def test_it_leaves_a_member_another_worker_claimed_while_this_one_counted(
    make_member: MakeMember,
    monkeypatch: pytest.MonkeyPatch,
    mailoutbox: list[EmailMultiAlternatives],
) -> None:
    ann = make_member("ann")

    def counted_while_another_worker_sent(workspace: Workspace, week_start: date) -> Digest:
        Member.objects.filter(pk=ann.pk).update(digest_sent_for=week_start)
        return week_digest(workspace, week_start)

    monkeypatch.setattr(digest_module, "week_digest", counted_while_another_worker_sent)
    assert send_digests() == 0
    assert mailoutbox == []


def test_it_sends_nothing_to_members_who_did_not_opt_in(
    make_member: MakeMember, answer: Answer, mailoutbox: list[EmailMultiAlternatives]
) -> None:
    answer(9, WEEK)
    make_member("bob", digest=False)
    make_member("eve", digest=False, role="owner")
    assert send_digests() == 0
    assert mailoutbox == []


def test_it_tells_a_workspace_without_responses_so(
    make_member: MakeMember, mailoutbox: list[EmailMultiAlternatives]
) -> None:
    make_member("ann")
    assert send_digests() == 1
    (message,) = mailoutbox
    assert message.subject == "Acme Cloud NPS, week of 16 Nov 2026: no responses"
    assert "No responses this week." in str(message.body)
    assert "No responses this week." in _html(message)


def test_it_sends_on_each_workspace_own_monday(
    make_member: MakeMember,
    other_workspace: Workspace,
    mailoutbox: list[EmailMultiAlternatives],
) -> None:
    other_workspace.time_zone = "Pacific/Auckland"
    other_workspace.save()
    make_member("ann")
    make_member("kiri", where=other_workspace)
    # Sunday noon in UTC is already Monday 01:00 in Auckland.
    sunday_noon = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)

    assert send_digests(sunday_noon) == 2

    subjects = {message.to[0]: message.subject for message in mailoutbox}
    assert subjects == {
        "ann@example.com": "Acme Cloud NPS, week of 9 Nov 2026: no responses",
        "kiri@example.com": "Other Corp NPS, week of 16 Nov 2026: no responses",
    }


def test_the_hourly_job_sends_the_digests(
    make_member: MakeMember, mailoutbox: list[EmailMultiAlternatives]
) -> None:
    make_member("ann")
    schedule = send_weekly_digests.task_class().validate_datetime
    assert schedule(datetime(2026, 11, 23, 5, 7))
    assert not schedule(datetime(2026, 11, 23, 5, 8))
    send_weekly_digests()  # through the queue, which runs it inline in the tests
    assert _sent_to(mailoutbox) == ["ann@example.com"]


def test_it_sends_through_smtp_with_the_comments_escaped_in_html(
    smtp_sink: SmtpSink, make_member: MakeMember, answer: Answer
) -> None:
    bad = answer(2, WEEK, comment="<script>alert('x')</script> & the export broke")
    answer(10, WEEK, comment="Love it")
    for score in (9, 9, 7):
        answer(score, WEEK_BEFORE)
    make_member("ann")

    assert send_digests() == 1

    (received,) = smtp_sink.wait_for(1)
    message = received.message
    assert received.rcpt_tos == ["ann@example.com"]
    assert message["Subject"] == "Acme Cloud NPS, week of 16 Nov 2026: 0 (n = 2)"
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; the export broke" in html
    assert "<script>alert('x')</script> & the export broke" in text
    dashboard = "http://testserver/w/acme-cloud/?period=custom&since=2026-11-16&until=2026-11-23"
    assert dashboard in text
    assert dashboard.replace("&", "&amp;") in html
    response_url = f"http://testserver/w/acme-cloud/responses/{bad.pk}/"
    assert response_url in text
    assert f'href="{response_url}"' in html
    assert "http://testserver/w/acme-cloud/digest/" in text
    for body in (html, text):
        assert re.search(r"95% interval -?\d+ to -?\d+", body)
        assert "no clear change" in body


def test_it_tries_again_next_hour_when_the_mail_server_says_later(
    smtp_sink: SmtpSink, make_member: MakeMember
) -> None:
    ann = make_member("ann")
    smtp_sink.fail_recipients = {"ann@example.com": "452 4.2.2 Mailbox full"}
    assert send_digests() == 0
    ann.refresh_from_db()
    assert ann.digest_sent_for is None

    smtp_sink.fail_recipients = {}
    assert send_digests() == 1
    assert smtp_sink.count == 1


def test_it_gives_up_the_week_when_the_mail_server_refuses_for_good(
    smtp_sink: SmtpSink, make_member: MakeMember
) -> None:
    ann = make_member("ann")
    smtp_sink.fail_recipients = {"ann@example.com": "550 5.1.1 No such user"}
    assert send_digests() == 0
    ann.refresh_from_db()
    assert ann.digest_sent_for == WEEK
    smtp_sink.fail_recipients = {}
    assert send_digests() == 0
    assert smtp_sink.count == 0


def test_it_sends_no_second_digest_when_the_handover_broke(
    smtp_sink: SmtpSink, make_member: MakeMember
) -> None:
    """The server may have taken it before the connection broke: better none than two."""
    ann = make_member("ann")
    make_member("bo")
    smtp_sink.mode = "drop"
    assert send_digests() == 0
    ann.refresh_from_db()
    assert ann.digest_sent_for == WEEK
    smtp_sink.mode = "accept"
    assert send_digests() == 0
    assert smtp_sink.count == 0


def test_it_tries_again_next_hour_when_the_email_provider_is_busy(
    provider: Provider, make_member: MakeMember
) -> None:
    ann = make_member("ann")
    provider.reply = (503, {"ErrorCode": 0, "Message": "Service unavailable"})
    assert send_digests() == 0
    ann.refresh_from_db()
    assert ann.digest_sent_for is None

    provider.reply = None
    assert send_digests() == 1
    assert [request["To"] for request in provider.received] == ["ann@example.com"]


def test_it_waits_while_the_mail_server_is_unreachable(
    settings: Settings, make_member: MakeMember
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    ann = make_member("ann")
    assert send_digests() == 0
    ann.refresh_from_db()
    assert ann.digest_sent_for is None


# --- the page where members opt in --------------------------------------------------------


def _signed_in(member: Member) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(member.user)
    return client


def _post(client: Client, path: str, data: dict[str, str]) -> HttpResponse:
    """A form post the way a browser makes it: with the token from the page."""
    page = client.get(path)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token is not None
    response: HttpResponse = client.post(path, {"csrfmiddlewaretoken": token[1], **data})
    return response


PAGE = "/w/acme-cloud/digest/"


def test_a_viewer_sees_the_choice_and_a_preview(make_member: MakeMember, answer: Answer) -> None:
    for score in (10, 10, 9, 0):
        answer(score, WEEK)
    viewer = make_member("vic", digest=False)
    page = _signed_in(viewer).get(PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r'<input type="checkbox" name="digest" id="digest">', html)
    assert "Preview: week of 16 Nov 2026" in html
    assert "NPS 50</strong>" in html
    assert "n = 4" in html


def test_a_viewer_opts_in_and_out(make_member: MakeMember) -> None:
    viewer = make_member("vic", digest=False)
    client = _signed_in(viewer)

    response = _post(client, PAGE, {"digest": "on"})
    assert response.status_code == 302
    viewer.refresh_from_db()
    assert viewer.digest
    assert 'name="digest" id="digest" checked' in client.get(PAGE).content.decode()

    response = _post(client, PAGE, {})
    assert response.status_code == 302
    viewer.refresh_from_db()
    assert not viewer.digest


def test_it_refuses_a_post_without_the_csrf_token(make_member: MakeMember) -> None:
    viewer = make_member("vic", digest=False)
    assert _signed_in(viewer).post(PAGE, {"digest": "on"}).status_code == 403
    viewer.refresh_from_db()
    assert not viewer.digest


def test_it_refuses_a_value_a_checkbox_does_not_send(make_member: MakeMember) -> None:
    viewer = make_member("vic", digest=False)
    response = _post(_signed_in(viewer), PAGE, {"digest": "yes"})
    assert response.status_code == 422
    assert "must be &#x27;on&#x27; (ticked) or left out (unticked), got &#x27;yes&#x27;" in (
        response.content.decode()
    )
    viewer.refresh_from_db()
    assert not viewer.digest


def test_it_refuses_to_opt_in_an_account_without_an_email(make_member: MakeMember) -> None:
    viewer = make_member("vic", email="", digest=False)
    response = _post(_signed_in(viewer), PAGE, {"digest": "on"})
    assert response.status_code == 422
    assert "no email address" in response.content.decode()
    viewer.refresh_from_db()
    assert not viewer.digest


def test_it_hides_another_workspace(make_member: MakeMember, other_workspace: Workspace) -> None:
    viewer = make_member("vic", digest=False)
    client = Client()  # no CSRF check: the view itself must refuse
    client.force_login(viewer.user)
    assert client.get(f"/w/{other_workspace.slug}/digest/").status_code == 404
    assert client.post(f"/w/{other_workspace.slug}/digest/", {"digest": "on"}).status_code == 404
    assert not Member.objects.filter(workspace=other_workspace).exists()


def test_it_tells_a_superuser_who_is_not_a_member_to_become_one(workspace: Workspace) -> None:
    admin: AbstractUser = get_user_model().objects.create_superuser(
        "root", "root@example.com", "pw"
    )
    client = Client()
    client.force_login(admin)
    page = client.get(PAGE)
    assert page.status_code == 403
    assert "members of this workspace" in page.content.decode()
    assert "Add yourself as a member" in page.content.decode()


def test_it_sends_visitors_to_sign_in(workspace: Workspace) -> None:
    page = Client().get(PAGE)
    assert page.status_code == 302
    assert page["Location"].startswith("/login/")
