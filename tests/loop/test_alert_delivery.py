"""An alert that fails to send is tried again later and never sent twice; a worker killed
mid-batch loses no alert."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from django.core.mail import EmailMessage
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from pytest_django.fixtures import Settings

from bench.smtp_sink import SmtpSink
from npsloop.loop import alert_dispatch
from npsloop.loop.alert_dispatch import send_alerts
from npsloop.loop.alert_sending import CLAIM_STALE, MAX_ATTEMPTS, SENDING_STALE, claim
from npsloop.loop.alerts import GATHER
from npsloop.loop.models import Alert, MailStatus
from npsloop.mail import transport
from npsloop.mail.outcome import Outcome
from npsloop.surveys.models import Survey
from npsloop.workspaces.models import Member, Workspace

from .alerting import NOON, say
from .conftest import make_member

pytestmark = pytest.mark.django_db
CORA = "cora@acme.test"


class WorkerKilled(Exception):
    """Stands for the process dying at that point."""


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


@pytest.fixture
def waiting(
    workspace: Workspace, survey: Survey, cora: Member, clock: time_machine.Coordinates
) -> Alert:
    """Cora's alert of a detractor's case, due now."""
    say(workspace, survey, 2, "late again", owner=CORA)
    clock.shift(GATHER)
    return Alert.objects.get()


def test_a_temporary_refusal_is_tried_again_after_a_pause(
    waiting: Alert, smtp_sink: SmtpSink, clock: time_machine.Coordinates
) -> None:
    smtp_sink.mode = "tempfail"
    told = send_alerts()
    assert (told.emails, told.not_sent) == (0, 1)
    waiting.refresh_from_db()
    assert waiting.status == MailStatus.WAITING and waiting.attempts == 1
    assert "451" in waiting.error
    assert waiting.send_after == NOON + GATHER + timedelta(minutes=2)

    smtp_sink.mode = "accept"
    assert send_alerts().emails == 0  # still pausing
    clock.shift(timedelta(minutes=2))
    assert send_alerts().emails == 1
    waiting.refresh_from_db()
    assert waiting.status == MailStatus.SENT and waiting.error == ""
    assert smtp_sink.count == 1


def test_it_gives_up_after_many_temporary_refusals(
    waiting: Alert, smtp_sink: SmtpSink, clock: time_machine.Coordinates
) -> None:
    smtp_sink.mode = "tempfail"
    for _ in range(MAX_ATTEMPTS):
        send_alerts()
        clock.shift(timedelta(hours=1))
    waiting.refresh_from_db()
    assert waiting.status == MailStatus.FAILED and waiting.attempts == MAX_ATTEMPTS
    smtp_sink.mode = "accept"
    send_alerts()
    assert smtp_sink.count == 0


def test_a_permanent_refusal_fails_the_alert_for_good(
    waiting: Alert, smtp_sink: SmtpSink, clock: time_machine.Coordinates
) -> None:
    smtp_sink.fail_recipients = {CORA: "550 5.1.1 No such user"}
    send_alerts()
    waiting.refresh_from_db()
    assert waiting.status == MailStatus.FAILED and "550" in waiting.error
    smtp_sink.fail_recipients = {}
    clock.shift(timedelta(days=1))
    send_alerts()
    assert smtp_sink.count == 0


def test_a_broken_handover_is_never_sent_again(
    waiting: Alert, smtp_sink: SmtpSink, clock: time_machine.Coordinates
) -> None:
    smtp_sink.mode = "drop"
    send_alerts()
    waiting.refresh_from_db()
    assert waiting.status == MailStatus.UNKNOWN
    smtp_sink.mode = "accept"
    clock.shift(timedelta(hours=1))
    send_alerts()
    assert smtp_sink.count == 0


def test_a_worker_killed_after_the_server_took_the_email_never_sends_it_twice(
    waiting: Alert,
    smtp_sink: SmtpSink,
    clock: time_machine.Coordinates,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_send = transport.Session.send

    def send_then_die(self: transport.Session, message: EmailMessage) -> Outcome:
        real_send(self, message)
        raise WorkerKilled

    monkeypatch.setattr(transport.Session, "send", send_then_die)
    with pytest.raises(WorkerKilled):
        send_alerts()
    monkeypatch.undo()
    assert smtp_sink.count == 1
    waiting.refresh_from_db()
    assert waiting.status == MailStatus.SENDING

    send_alerts()  # another worker, at once
    clock.shift(SENDING_STALE + timedelta(seconds=1))
    send_alerts()  # and much later
    waiting.refresh_from_db()
    assert waiting.status == MailStatus.UNKNOWN
    assert "nobody knows whether it was delivered" in waiting.error
    assert smtp_sink.count == 1


def test_alerts_claimed_by_a_worker_that_died_are_taken_over(
    waiting: Alert, cora: Member, smtp_sink: SmtpSink, clock: time_machine.Coordinates
) -> None:
    claim(Alert, Q(member=cora), timezone.now())  # …and then the worker died
    assert send_alerts().emails == 0
    clock.shift(CLAIM_STALE + timedelta(seconds=1))
    assert send_alerts().emails == 1
    waiting.refresh_from_db()
    assert waiting.status == MailStatus.SENT
    assert smtp_sink.count == 1


def test_a_worker_whose_claim_was_taken_over_does_not_send(
    waiting: Alert, cora: Member, smtp_sink: SmtpSink, clock: time_machine.Coordinates
) -> None:
    """The slow worker comes back after its claim went stale and another sent the alert."""
    slow = claim(Alert, Q(member=cora), timezone.now())
    clock.shift(CLAIM_STALE + timedelta(seconds=1))
    assert send_alerts().emails == 1
    with transport.session() as mail:
        outcome, count = alert_dispatch._send_claimed(mail, slow, timezone.now())
    assert (outcome, count) == (None, 0)
    assert smtp_sink.count == 1


def test_alerts_wait_while_the_mail_server_is_unreachable(
    waiting: Alert, settings: Settings
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    assert send_alerts().emails == 0
    waiting.refresh_from_db()
    # Nothing was handed over: no attempt counted, due again at the next look.
    assert waiting.status == MailStatus.WAITING and waiting.attempts == 0
    assert "unreachable" in waiting.error


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason=(
        "SQLite's test database lives in memory with a shared cache, where a second writer "
        "fails at once ('table is locked') instead of waiting its turn as on a file; there "
        "the claim's conditional UPDATE is what the stale-claim tests above check"
    ),
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_at_once_send_each_alert_once(
    workspace: Workspace, survey: Survey, smtp_sink: SmtpSink
) -> None:
    owners = [make_member(workspace, f"owner{n}@acme.test").user.email for n in range(6)]
    with time_machine.travel(NOON, tick=False) as traveller:
        for n in range(12):
            say(workspace, survey, 2, f"answer {n}", owner=owners[n % 6], who=f"u-{n}")
        traveller.shift(GATHER)
        start = threading.Barrier(2)
        failures: list[BaseException] = []

        def worker() -> None:
            try:
                start.wait(timeout=30)
                send_alerts()
            except BaseException as error:  # reported below
                failures.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert not failures
    assert sorted(mail.rcpt_tos[0] for mail in smtp_sink.messages) == sorted(owners)
    assert set(Alert.objects.values_list("status", flat=True)) == {MailStatus.SENT}
