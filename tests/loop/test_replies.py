"""Replying to a case's person by email, through a real SMTP server on loopback: from the
member's name, Reply-To the member, in the survey email's thread; the case contacted only
when the mail server took the reply."""

from __future__ import annotations

from email.utils import parseaddr

import pytest
from django.test import Client
from django.urls import reverse

from bench.smtp_sink import SmtpSink
from npsloop.channels.email.dispatch import send_due_asks
from npsloop.contacts.consent import Via, unsubscribe
from npsloop.contacts.models import Contact
from npsloop.errors import InvalidInput
from npsloop.events.models import Event
from npsloop.loop.cases import Actor, StaleCase, move
from npsloop.loop.models import ActivityKind, Case, CaseStatus
from npsloop.loop.reactions import follow_answers
from npsloop.loop.replies import ReplyNotSent, draft, reply
from npsloop.program.answers import answer_ask
from npsloop.program.asks import ask_contacts
from npsloop.program.models import SurveyRequest
from npsloop.surveys.models import Survey
from npsloop.surveys.responses import update_response
from npsloop.workspaces.models import Member, Workspace

from .conftest import Answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(answer: Answer) -> Case:
    return Case.objects.get(response=answer(3, comment="Too slow.\n\nFix it", who="ann"))


def test_a_reply_goes_from_the_members_name_and_marks_the_case_contacted(
    smtp_sink: SmtpSink, case: Case, cora: Member
) -> None:
    replied = reply(case, member=cora, subject="About your 3", body="Hi Ann,\nsorry.")
    [received] = smtp_sink.wait_for(1)
    message = received.message
    assert parseaddr(message["From"])[0] == "Cora"
    assert message["Reply-To"] == "cora@acme.test"
    assert received.rcpt_tos == ["ann@example.com"]
    assert message["Subject"] == "About your 3"
    assert message.get_content().replace("\r\n", "\n").strip() == "Hi Ann,\nsorry."
    assert message["In-Reply-To"] is None  # the answer came from no email
    assert replied.status == CaseStatus.CONTACTED and replied.first_contacted_at is not None
    line = replied.activity.get(kind=ActivityKind.REPLIED)
    assert line.actor_name == "Cora" and line.data["message_id"] == received.message_id
    event = Event.objects.get(type="case.replied")
    assert event.data["reply"] == {"to": "ann@example.com", "subject": "About your 3"}
    assert event.data["status"] == "contacted"


def test_a_reply_is_in_the_thread_of_the_survey_email(
    smtp_sink: SmtpSink, workspace: Workspace, survey: Survey, ann: Contact, cora: Member
) -> None:
    ask_contacts(survey, ["u-1"])
    send_due_asks()
    ask = SurveyRequest.objects.get(contact=ann)
    survey_email = smtp_sink.wait_for(1)[0]
    assert ask.message_id == survey_email.message_id != ""
    answer_ask(ask, 1)
    follow_answers(workspace.pk)
    case = Case.objects.get(response__ask=ask)
    reply(case, member=cora, subject="Re: your answer", body="Hello")
    message = smtp_sink.wait_for(2)[1].message
    assert message["In-Reply-To"] == ask.message_id
    assert message["References"] == ask.message_id
    assert message["Message-ID"] != ask.message_id


def test_a_reply_to_a_contacted_or_ended_case_keeps_its_status(
    smtp_sink: SmtpSink, case: Case, cora: Member
) -> None:
    case = move(move(case, "contacted", by=Actor("Cora")), "resolved", by=Actor("Cora"))
    replied = reply(case, member=cora, subject="One more thing", body="…")
    assert replied.status == CaseStatus.RESOLVED
    assert replied.activity.filter(kind=ActivityKind.REPLIED).count() == 1


@pytest.mark.parametrize(
    "mode, expected",
    [
        ("permfail", "ann@example.com bounced: recipient refused: 550"),
        ("tempfail", "try again in a few minutes"),
        ("drop", "it may or may not have been delivered"),
    ],
)
def test_a_reply_that_did_not_leave_changes_nothing(
    smtp_sink: SmtpSink, case: Case, cora: Member, mode: str, expected: str
) -> None:
    smtp_sink.mode = mode
    with pytest.raises(ReplyNotSent, match=expected):
        reply(case, member=cora, subject="Sorry", body="…")
    after = Case.objects.get(pk=case.pk)
    assert (after.status, after.version) == (CaseStatus.OPEN, case.version)
    assert not after.activity.filter(kind=ActivityKind.REPLIED).exists()
    assert not Event.objects.filter(type="case.replied").exists()
    bounced = Contact.objects.get(pk=case.contact_id).bounced_at is not None
    assert bounced is (mode == "permfail")


def test_a_reply_from_an_older_page_is_not_sent(
    smtp_sink: SmtpSink, case: Case, cora: Member
) -> None:
    seen = case.version
    move(case, "closed", by=Actor("Dev"))
    with pytest.raises(StaleCase):
        reply(case, member=cora, subject="Hi", body="…", version=seen)
    assert smtp_sink.count == 0


def test_the_same_reply_form_sent_twice_sends_one_email(
    smtp_sink: SmtpSink, case: Case, cora: Member
) -> None:
    case = move(case, "contacted", by=Actor("Cora"))
    seen = case.version
    replied = reply(case, member=cora, subject="Hi", body="…", version=seen)
    assert replied.version == seen + 1 and replied.status == CaseStatus.CONTACTED
    with pytest.raises(StaleCase):
        reply(case, member=cora, subject="Hi", body="…", version=seen)
    assert smtp_sink.count == 1


def test_bad_replies_are_refused_before_sending(
    smtp_sink: SmtpSink, case: Case, cora: Member, answer: Answer
) -> None:
    with pytest.raises(InvalidInput) as refused:
        reply(case, member=cora, subject="Two\nlines", body=" ")
    assert set(refused.value.errors) == {"subject", "body"}
    anonymous = Case.objects.get(response=answer(0, who="nobody"))
    Contact.objects.filter(pk=anonymous.contact_id).update(email=None)
    anonymous.refresh_from_db()
    with pytest.raises(InvalidInput, match="to: can't reply by email: this person has no email"):
        reply(anonymous, member=cora, subject="Hi", body="…")
    assert smtp_sink.count == 0


def test_the_draft_greets_by_first_name_and_quotes_the_comment(case: Case, cora: Member) -> None:
    Contact.objects.filter(pk=case.contact_id).update(name="Ann Lee")
    case = Case.objects.get(pk=case.pk)
    subject, body = draft(case, cora)
    assert subject == "Your feedback on Acme Cloud"
    assert body.startswith("Hi Ann,\n\nThank you for your feedback on Acme Cloud. You wrote:")
    assert "> Too slow.\n>\n> Fix it" in body and body.endswith("Cora")
    update_response(case.response, comment="")
    assert "Thank you for your answer to our survey" in draft(Case.objects.get(pk=case.pk), cora)[1]


def test_replying_from_the_case_page(
    smtp_sink: SmtpSink, case: Case, cora: Member, workspace: Workspace
) -> None:
    client = Client()
    client.force_login(cora.user)
    page = reverse("console-case", args=[workspace.slug, case.pk])
    unsubscribe(Contact.objects.get(pk=case.contact_id), via=Via.LINK)
    shown = client.get(page).content.decode()
    assert "this person unsubscribed from surveys" in shown and "<fieldset>" in shown
    sent = client.post(
        page, {"action": "reply", "subject": "Hi", "body": "Thanks", "version": case.version}
    )
    assert sent.status_code == 302 and sent["Location"].endswith("?done=reply#reply")
    assert smtp_sink.wait_for(1)[0].message["Subject"] == "Hi"
    after = client.get(sent["Location"]).content.decode()
    assert "The reply was sent." in after and "replied by email to ann@example.com" in after
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CONTACTED
    smtp_sink.mode = "permfail"
    failed = client.post(
        page, {"action": "reply", "subject": "Again", "body": "Hm", "version": case.version + 1}
    )
    assert failed.status_code == 502
    assert "ann@example.com bounced" in failed.content.decode()
    assert "Hm</textarea>" in failed.content.decode()  # what they wrote is kept


def test_the_reply_form_is_disabled_without_an_address(
    case: Case, cora: Member, workspace: Workspace
) -> None:
    Contact.objects.filter(pk=case.contact_id).update(email=None)
    client = Client()
    client.force_login(cora.user)
    shown = client.get(reverse("console-case", args=[workspace.slug, case.pk])).content.decode()
    assert "You can't reply by email: this person has no email address." in shown
    assert "<fieldset disabled>" in shown
