"""The loopback SMTP sink, driven by Django's real SMTP backend: what arrives, how refusals and
hang-ups reach the sender, and the command line a benchmark runs in another process."""

from __future__ import annotations

import json
import os
import selectors
import signal
import smtplib
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection

from bench.smtp_sink import SmtpSink

ROOT = Path(__file__).resolve().parents[2]
HTML = '<p><a href="https://nps.acme.test/r/abc">Answer</a></p>'


def ask(to: str, subject: str = "How likely are you to recommend Acme Cloud?") -> EmailMessage:
    return EmailMessage(subject, "Reply with a score from 0 to 10.", "nps@acme.test", [to])


def test_it_delivers_text_and_html_parts_with_their_headers(smtp_sink: SmtpSink) -> None:
    message = EmailMultiAlternatives(
        "How likely are you to recommend Acme Cloud?",
        "Answer: https://nps.acme.test/r/abc",
        "Acme NPS <nps@acme.test>",
        ["Ada.Lovelace+nps@example.com"],
        reply_to=["support@acme.test"],
        headers={"X-Npsloop-Ask": "abc"},
    )
    message.attach_alternative(HTML, "text/html")

    assert message.send() == 1

    [received] = smtp_sink.wait_for(1)
    assert received.mail_from == "nps@acme.test"
    assert received.rcpt_tos == ["Ada.Lovelace+nps@example.com"]
    email = received.message
    assert email["Subject"] == "How likely are you to recommend Acme Cloud?"
    assert email["From"] == "Acme NPS <nps@acme.test>"
    assert email["Reply-To"] == "support@acme.test"
    assert email["X-Npsloop-Ask"] == "abc"
    assert received.message_id == email["Message-ID"] != ""
    text, html = email.get_body(("plain",)), email.get_body(("html",))
    assert text is not None and html is not None
    assert text.get_content().strip() == "Answer: https://nps.acme.test/r/abc"
    assert '<a href="https://nps.acme.test/r/abc">' in html.get_content()


def test_it_counts_one_connection_for_fifty_messages_on_a_reused_connection(
    smtp_sink: SmtpSink,
) -> None:
    messages = [ask(f"contact{n}@example.com", f"ask {n}") for n in range(50)]

    assert get_connection().send_messages(messages) == 50

    received = smtp_sink.wait_for(50)
    assert [item.message["Subject"] for item in received] == [f"ask {n}" for n in range(50)]
    assert len({item.message_id for item in received}) == 50
    assert smtp_sink.count == 50
    assert smtp_sink.connections == 1


def test_it_counts_a_connection_per_send_without_reuse(smtp_sink: SmtpSink) -> None:
    ask("ada@example.com").send()
    ask("bob@example.com").send()

    smtp_sink.wait_for(2)
    assert smtp_sink.connections == 2


def test_it_answers_tempfail_with_451_to_data_and_keeps_nothing(smtp_sink: SmtpSink) -> None:
    smtp_sink.mode = "tempfail"

    with pytest.raises(smtplib.SMTPDataError) as refused:
        ask("ada@example.com").send()

    assert refused.value.smtp_code == 451
    assert refused.value.smtp_error == b"4.3.0 Try again later"
    assert smtp_sink.count == 0


def test_it_answers_permfail_with_550_to_every_recipient(smtp_sink: SmtpSink) -> None:
    smtp_sink.mode = "permfail"
    message = EmailMessage("Hi", "Body", "nps@acme.test", ["ada@example.com", "bob@example.com"])

    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        message.send()

    assert refused.value.recipients == {
        "ada@example.com": (550, b"5.1.1 No such user"),
        "bob@example.com": (550, b"5.1.1 No such user"),
    }
    assert smtp_sink.count == 0


def test_it_refuses_only_the_listed_recipients(smtp_sink: SmtpSink) -> None:
    smtp_sink.fail_recipients["gone@example.com"] = "550 5.1.1 No such user"
    smtp_sink.fail_recipients["full@example.com"] = "452 4.2.2 Mailbox full"
    connection = get_connection()
    connection.open()
    try:
        ask("ada@example.com", "first").send()
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            connection.send_messages([ask("gone@example.com")])
        # A message with one refused recipient still goes to the others.
        both = EmailMessage("second", "Body", "nps@acme.test", ["full@example.com", "bob@x.test"])
        assert connection.send_messages([both]) == 1
    finally:
        connection.close()

    assert refused.value.recipients == {"gone@example.com": (550, b"5.1.1 No such user")}
    received = smtp_sink.wait_for(2)
    assert [(item.message["Subject"], item.rcpt_tos) for item in received] == [
        ("first", ["ada@example.com"]),
        ("second", ["bob@x.test"]),
    ]


def test_it_hangs_up_after_the_content_in_drop_mode_and_keeps_nothing(
    smtp_sink: SmtpSink,
) -> None:
    smtp_sink.mode = "drop"

    with pytest.raises(smtplib.SMTPServerDisconnected, match="Connection unexpectedly closed"):
        ask("ada@example.com", "dropped").send()

    smtp_sink.mode = "accept"
    ask("ada@example.com", "accepted").send()
    [received] = smtp_sink.wait_for(1)
    assert received.message["Subject"] == "accepted"
    assert smtp_sink.count == 1


def test_it_refuses_connections_once_stopped(smtp_sink: SmtpSink) -> None:
    smtp_sink.stop()

    with pytest.raises(ConnectionRefusedError):
        ask("ada@example.com").send()


def test_it_comes_back_on_the_same_port_with_what_it_had(smtp_sink: SmtpSink) -> None:
    ask("ada@example.com", "before").send()
    port = smtp_sink.port
    smtp_sink.stop()

    smtp_sink.start()
    ask("ada@example.com", "after").send()

    assert smtp_sink.port == port
    assert [item.message["Subject"] for item in smtp_sink.wait_for(2)] == ["before", "after"]


def test_it_closes_open_sessions_when_stopped(smtp_sink: SmtpSink) -> None:
    connection = get_connection()
    connection.open()
    smtp_sink.stop()
    started = time.monotonic()

    with pytest.raises(smtplib.SMTPServerDisconnected):
        connection.send_messages([ask("ada@example.com")])

    assert time.monotonic() - started < 2, "the client should see the hang-up, not time out"
    connection.close()


def test_wait_for_says_how_many_arrived() -> None:
    with SmtpSink() as sink, pytest.raises(TimeoutError, match=r"at least 1 .* but 0 arrived"):
        sink.wait_for(1, timeout=0.1)


def test_it_rejects_an_unknown_mode() -> None:
    sink = SmtpSink()
    with pytest.raises(ValueError, match="accept, tempfail, permfail, drop; got 'bounce'"):
        sink.mode = "bounce"
    assert sink.mode == "accept"


def read_banner(process: subprocess.Popen[str], timeout: float = 20) -> str:
    """The first line the sink prints, or what it printed before giving up or exiting."""
    assert process.stdout is not None
    seen, deadline = "", time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while "\n" not in seen and time.monotonic() < deadline:
            # Raw reads: a buffered readline could hide the line from select().
            if selector.select(timeout=1) and (chunk := os.read(process.stdout.fileno(), 4096)):
                seen += chunk.decode()
            elif process.poll() is not None:
                break
    return seen


def start_sink_process(*options: str) -> tuple[subprocess.Popen[str], int]:
    """`python -m bench.smtp_sink` on a free port, as a benchmark starts it; its port."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.smtp_sink", "--port", "0", *options],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    banner = read_banner(process)
    if not banner.startswith("listening on 127.0.0.1:"):
        process.kill()
        _, errors = process.communicate()
        pytest.fail(f"the sink did not start: {banner!r} {errors}")
    return process, int(banner.strip().rsplit(":", 1)[1])


def stop_sink_process(process: subprocess.Popen[str]) -> tuple[str, str]:
    """SIGTERM, as a benchmark stops it; its output and errors (killed if it hangs)."""
    process.send_signal(signal.SIGTERM)
    try:
        return process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def test_the_command_line_reports_and_writes_its_count_on_sigterm(tmp_path: Path) -> None:
    count_file = tmp_path / "count.txt"
    process, port = start_sink_process("--count-file", str(count_file))
    try:
        connection = get_connection(
            "django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=port, timeout=5
        )
        message = ask("ada@example.com")
        message.extra_headers["Message-ID"] = "<cli-1@acme.test>"
        assert connection.send_messages([message]) == 1
    finally:
        output, errors = stop_sink_process(process)

    assert process.returncode == 0, errors
    assert json.loads(output.splitlines()[-1]) == {"accepted": 1, "connections": 1}
    assert count_file.read_text().splitlines() == ["1", "<cli-1@acme.test>"]


def test_the_command_line_takes_many_messages_on_one_connection() -> None:
    """The email bench sends thousands of messages through one connection; the sink must
    count each once. (How fast it takes them is the bench's business, not a test's.)"""
    raw = ask("ada@example.com").message().as_bytes()
    process, port = start_sink_process()
    try:
        client = smtplib.SMTP("127.0.0.1", port, timeout=5)
        for _ in range(1500):
            client.sendmail("nps@acme.test", ["ada@example.com"], raw)
        client.quit()
    finally:
        output, _ = stop_sink_process(process)

    assert json.loads(output.splitlines()[-1]) == {"accepted": 1500, "connections": 1}
