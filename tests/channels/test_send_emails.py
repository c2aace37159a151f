"""The worker sends due asks to a real SMTP server on loopback, at most once."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from django.utils import timezone

from bench.smtp_sink import SmtpSink
from npsloop.channels.email.dispatch import send_due_asks
from npsloop.contacts.fields import ContactData
from npsloop.contacts.models import Contact
from npsloop.contacts.services import upsert_contacts
from npsloop.program.answers import answer_ask
from npsloop.program.asks import ask_contacts
from npsloop.program.models import AskStatus, SurveyRequest
from npsloop.program.sending import CLAIM_STALE, SENDING_STALE, recover_stale
from npsloop.surveys.models import Survey
from npsloop.workspaces.models import Workspace

SCORE_LINK = re.compile(r"http://testserver/r/([\w-]+)/(\d+)")


def test_it_sends_the_scale_inside_the_email(smtp_sink: SmtpSink, ask: SurveyRequest) -> None:
    report = send_due_asks()
    assert report.sent == 1
    (received,) = smtp_sink.wait_for(1)
    message = received.message
    assert received.rcpt_tos == ["ann@example.com"]
    assert message["Subject"] == "How likely are you to recommend Acme Cloud?"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"] == f"<http://testserver/u/{ask.token}>"
    assert re.fullmatch(r"<[^@>]+@[^>]+>", message["Message-ID"])
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    for body in (html, text):
        links = SCORE_LINK.findall(body)
        assert [int(score) for _, score in links] == list(range(11))
        assert {token for token, _ in links} == {ask.token}
    assert "Hi Ann Lee," in text
    ask.refresh_from_db()
    assert ask.status == AskStatus.SENT
    assert ask.message_id == message["Message-ID"]
    assert ask.remind_at is not None


def test_it_speaks_the_contacts_language_and_fills_merge_fields(
    smtp_sink: SmtpSink, survey: Survey, ann: Contact
) -> None:
    Contact.objects.filter(pk=ann.pk).update(locale="de-AT")
    survey.texts = {"de": {"email_intro": "Hallo {first_name} von {company} ({contact.plan})."}}
    survey.save()
    ask_contacts(survey, ["u-1"])
    send_due_asks()
    message = smtp_sink.wait_for(1)[0].message
    assert message["Subject"] == "Wie wahrscheinlich ist es, dass Sie Acme Cloud weiterempfehlen?"
    text = message.get_body(("plain",)).get_content()
    assert "Hallo Ann von Acme GmbH (pro)." in text
    assert 'lang="de"' in message.get_body(("html",)).get_content()


def test_it_writes_arabic_right_to_left(smtp_sink: SmtpSink, survey: Survey, ann: Contact) -> None:
    Contact.objects.filter(pk=ann.pk).update(locale="ar")
    ask_contacts(survey, ["u-1"])
    send_due_asks()
    html = smtp_sink.wait_for(1)[0].message.get_body(("html",)).get_content()
    assert 'dir="rtl"' in html


def test_it_sends_nothing_before_it_is_due(
    smtp_sink: SmtpSink, survey: Survey, ann: Contact
) -> None:
    ask_contacts(survey, ["u-1"], delay=timedelta(hours=1))
    assert send_due_asks().sent == 0
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        assert send_due_asks().sent == 1
    assert smtp_sink.count == 1


def test_it_reuses_one_connection_for_a_batch(
    smtp_sink: SmtpSink, workspace: Workspace, survey: Survey
) -> None:
    upsert_contacts(
        workspace,
        [ContactData(external_id=f"c{n}", email=f"c{n}@example.com") for n in range(30)],
    )
    ask_contacts(survey, [f"c{n}" for n in range(30)])
    assert send_due_asks().sent == 30
    assert smtp_sink.count == 30
    assert smtp_sink.connections == 1
    assert send_due_asks().sent == 0
    assert smtp_sink.count == 30


def test_it_keeps_to_the_workspaces_send_rate(
    smtp_sink: SmtpSink, workspace: Workspace, survey: Survey
) -> None:
    workspace.send_rate_per_minute = 7
    workspace.save()
    upsert_contacts(
        workspace, [ContactData(external_id=f"c{n}", email=f"c{n}@example.com") for n in range(10)]
    )
    ask_contacts(survey, [f"c{n}" for n in range(10)])
    assert send_due_asks().sent == 7
    assert send_due_asks().sent == 0
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        assert send_due_asks().sent == 3


def test_a_contact_who_unsubscribed_meanwhile_is_not_sent(
    smtp_sink: SmtpSink, ask: SurveyRequest, ann: Contact
) -> None:
    # Unsubscribed by a means that does not touch the ask (an import, the admin).
    Contact.objects.filter(pk=ann.pk).update(unsubscribed_at=timezone.now())
    assert send_due_asks().cancelled == 1
    ask.refresh_from_db()
    assert (ask.status, ask.error) == (AskStatus.CANCELLED, "unsubscribed")
    assert smtp_sink.count == 0


def test_a_temporary_refusal_is_retried_later(smtp_sink: SmtpSink, ask: SurveyRequest) -> None:
    smtp_sink.mode = "tempfail"
    assert send_due_asks().deferred == 1
    ask.refresh_from_db()
    assert ask.status == AskStatus.SCHEDULED
    assert ask.attempts == 1
    assert "451" in ask.error
    smtp_sink.mode = "accept"
    assert send_due_asks().sent == 0
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        assert send_due_asks().sent == 1
    assert smtp_sink.count == 1


def test_a_permanent_refusal_fails_the_ask_and_marks_the_address_bounced(
    smtp_sink: SmtpSink, ask: SurveyRequest, ann: Contact
) -> None:
    smtp_sink.fail_recipients = {"ann@example.com": "550 5.1.1 No such user"}
    assert send_due_asks().failed == 1
    ask.refresh_from_db()
    assert ask.status == AskStatus.FAILED
    assert "550" in ask.error and "No such user" in ask.error
    ann.refresh_from_db()
    assert ann.bounced_at is not None


def test_a_dropped_connection_makes_the_outcome_unknown_and_never_resends(
    smtp_sink: SmtpSink, ask: SurveyRequest
) -> None:
    smtp_sink.mode = "drop"
    assert send_due_asks().unknown == 1
    ask.refresh_from_db()
    assert ask.status == AskStatus.UNKNOWN
    assert "not sent again" in ask.error
    smtp_sink.mode = "accept"
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert send_due_asks().sent == 0
    assert smtp_sink.count == 0


def test_asks_wait_while_the_mail_server_is_down(smtp_sink: SmtpSink, ask: SurveyRequest) -> None:
    smtp_sink.stop()
    report = send_due_asks()
    assert report.deferred == 1 and report.sent == 0
    ask.refresh_from_db()
    assert ask.status == AskStatus.SCHEDULED
    assert ask.attempts == 0
    smtp_sink.start()
    assert send_due_asks().sent == 1
    assert smtp_sink.count == 1


def test_a_dead_workers_claims_are_recovered_without_sending_twice(
    smtp_sink: SmtpSink, workspace: Workspace, survey: Survey
) -> None:
    upsert_contacts(
        workspace, [ContactData(external_id=f"c{n}", email=f"c{n}@example.com") for n in range(3)]
    )
    claimed, sending, untouched = ask_contacts(survey, ["c0", "c1", "c2"]).scheduled
    long_ago = timezone.now() - SENDING_STALE - timedelta(seconds=1)
    SurveyRequest.objects.filter(pk=claimed.pk).update(
        status=AskStatus.CLAIMED, claim="dead", claimed_at=long_ago
    )
    SurveyRequest.objects.filter(pk=sending.pk).update(
        status=AskStatus.SENDING, claim="dead", claimed_at=long_ago
    )
    assert recover_stale(timezone.now()) == 1
    assert send_due_asks().sent == 2
    statuses = dict(SurveyRequest.objects.values_list("pk", "status"))
    assert statuses == {
        claimed.pk: AskStatus.SENT,
        sending.pk: AskStatus.UNKNOWN,
        untouched.pk: AskStatus.SENT,
    }
    assert sorted(r.rcpt_tos[0] for r in smtp_sink.messages) == [
        "c0@example.com",
        "c2@example.com",
    ]


def test_a_dead_workers_claims_are_taken_over_within_minutes_but_a_send_is_not_guessed(
    smtp_sink: SmtpSink, workspace: Workspace, survey: Survey
) -> None:
    upsert_contacts(
        workspace, [ContactData(external_id=f"c{n}", email=f"c{n}@example.com") for n in range(2)]
    )
    claimed, sending = ask_contacts(survey, ["c0", "c1"]).scheduled
    a_while_ago = timezone.now() - CLAIM_STALE - timedelta(seconds=1)
    assert CLAIM_STALE <= timedelta(minutes=2) < SENDING_STALE
    SurveyRequest.objects.filter(pk=claimed.pk).update(
        status=AskStatus.CLAIMED, claim="dead", claimed_at=a_while_ago
    )
    # A worker may still be handing this one to the mail server: too early to call it.
    SurveyRequest.objects.filter(pk=sending.pk).update(
        status=AskStatus.SENDING, claim="dead", claimed_at=a_while_ago
    )
    assert send_due_asks().sent == 1
    statuses = dict(SurveyRequest.objects.values_list("pk", "status"))
    assert statuses == {claimed.pk: AskStatus.SENT, sending.pk: AskStatus.SENDING}
    assert [r.rcpt_tos[0] for r in smtp_sink.messages] == ["c0@example.com"]


def test_it_reminds_once_after_seven_days_unless_answered(
    smtp_sink: SmtpSink, ask: SurveyRequest
) -> None:
    send_due_asks()
    with time_machine.travel(timezone.now() + timedelta(days=6)):
        assert send_due_asks().sent == 0
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        assert send_due_asks().sent == 1
    with time_machine.travel(timezone.now() + timedelta(days=30)):
        assert send_due_asks().sent == 0
    first, reminder = smtp_sink.wait_for(2)
    assert reminder.message["Subject"].startswith("A quick reminder")
    assert reminder.message["In-Reply-To"] == first.message["Message-ID"]
    ask.refresh_from_db()
    assert (ask.reminders_sent, ask.remind_at) == (1, None)


def test_no_reminder_after_an_answer(smtp_sink: SmtpSink, ask: SurveyRequest) -> None:
    send_due_asks()
    ask.refresh_from_db()
    answer_ask(ask, 8)
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert send_due_asks().sent == 0
    assert smtp_sink.count == 1


def test_no_reminder_when_the_survey_wants_none(
    smtp_sink: SmtpSink, survey: Survey, ask: SurveyRequest
) -> None:
    survey.reminders = 0
    survey.save()
    send_due_asks()
    ask.refresh_from_db()
    assert ask.remind_at is None


def test_no_reminder_once_the_contact_has_no_email_address(
    smtp_sink: SmtpSink, ask: SurveyRequest
) -> None:
    """The contact rules of email hold for reminders too: the first email stays sent."""
    send_due_asks()
    Contact.objects.filter(pk=ask.contact_id).update(email=None)
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        report = send_due_asks()
    assert (report.sent, report.failed) == (0, 0)
    ask.refresh_from_db()
    assert (ask.status, ask.remind_at, ask.reminders_sent) == (AskStatus.SENT, None, 0)
    assert smtp_sink.count == 1
