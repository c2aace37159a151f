"""Real worker processes sharing one database and one SMTP server: two of them never send an
email twice, and a worker killed mid-batch loses nothing silently.

The children get a database of their own (a SQLite file, or a fresh PostgreSQL database when
the suite runs on PostgreSQL), since pytest-django's test database lives inside a
transaction they can't see.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from bench.servers import ROOT, free_port, migrate, npsloop_env, postgres_database
from bench.smtp_sink import SmtpSink

SEED = """
from npsloop.contacts.fields import ContactData
from npsloop.contacts.services import upsert_contacts
from npsloop.program.asks import ask_contacts
from npsloop.surveys.configure import create_survey
from npsloop.workspaces.configure import create_workspace
workspace = create_workspace("Acme")
workspace.send_rate_per_minute = 1_000_000
workspace.save()
survey = create_survey(workspace, name="NPS", product_name="Acme")
people = [ContactData(external_id=f"c{n}", email=f"c{n}@example.com") for n in range(COUNT)]
upsert_contacts(workspace, people)
print(len(ask_contacts(survey, [p.external_id for p in people]).scheduled))
"""

STATUSES = """
import json
from django.db.models import Count
from npsloop.program.models import SurveyRequest
rows = SurveyRequest.objects.values("status").annotate(n=Count("pk")).order_by()
print(json.dumps({row["status"]: row["n"] for row in rows}))
"""

BACKDATE = """
from datetime import timedelta
from django.utils import timezone
from npsloop.program.models import SurveyRequest
# Ten minutes and more later: the dead worker's claims are stale.
SurveyRequest.objects.filter(claimed_at__isnull=False).update(
    claimed_at=timezone.now() - timedelta(minutes=11)
)
"""


@pytest.fixture
def child_env() -> Iterator[dict[str, str]]:
    """The environment of worker processes, on a database of their own of the same kind as
    the suite's."""
    if os.getenv("NPSLOOP_DATABASE_URL", "").startswith("postgres"):
        name = f"npsloop_workers_{uuid.uuid4().hex[:8]}"
        with postgres_database(name) as url, npsloop_env(url) as env:
            yield _prepared(env)
    else:
        with npsloop_env("") as env:
            env.pop("NPSLOOP_DATABASE_URL")
            yield _prepared(env)


def _prepared(env: dict[str, str]) -> dict[str, str]:
    env["NPSLOOP_QUEUE_IMMEDIATE"] = "1"
    migrate(env)
    return env


def shell(env: dict[str, str], code: str, **values: object) -> Any:
    for name, value in values.items():
        code = code.replace(name, repr(value))
    done = subprocess.run(
        [sys.executable, "-m", "npsloop", "manage", "shell", "-c", textwrap.dedent(code)],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def sender(env: dict[str, str], port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "npsloop", "send"],
        env={**env, "NPSLOOP_EMAIL_URL": f"smtp://127.0.0.1:{port}?tls=0"},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_workers_send_each_of_2000_emails_exactly_once(child_env: dict[str, str]) -> None:
    assert shell(child_env, SEED, COUNT=2000) == 2000
    with SmtpSink() as sink:
        workers = [sender(child_env, sink.port) for _ in range(2)]
        outputs = [worker.communicate(timeout=300) for worker in workers]
        assert [worker.returncode for worker in workers] == [0, 0], outputs
        recipients = Counter(r.rcpt_tos[0] for r in sink.messages)
    assert len(recipients) == 2000
    assert set(recipients.values()) == {1}
    # Both did part of the work: the claims really were shared.
    sent = [int(out.split("sent ")[1].split(",")[0]) for out, _ in outputs]
    assert sum(sent) == 2000
    assert shell(child_env, STATUSES) == {"sent": 2000}


class SlowSink:
    """An SMTP server that takes its time over each message, so a worker can be killed in
    the middle of a batch."""

    def __init__(self) -> None:
        self.received: list[str] = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        await asyncio.sleep(0.05)
        self.received.extend(envelope.rcpt_tos)
        return "250 OK"


def test_a_worker_killed_mid_batch_sends_nothing_twice_and_loses_nothing(
    child_env: dict[str, str],
) -> None:
    assert shell(child_env, SEED, COUNT=300) == 300
    sink = SlowSink()
    sink.controller.start()
    try:
        worker = sender(child_env, sink.port)
        deadline = time.monotonic() + 60
        while len(sink.received) < 20 and time.monotonic() < deadline:
            time.sleep(0.02)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        killed_at = len(sink.received)
        assert 20 <= killed_at < 300, "the worker was not killed mid-batch"
        midway = shell(child_env, STATUSES)
        assert midway.get("sent", 0) + midway.get("sending", 0) >= killed_at - 1
        shell(child_env, BACKDATE + "\nprint(0)")
        again = sender(child_env, sink.port)
        _, err = again.communicate(timeout=120)
        assert again.returncode == 0, err
    finally:
        sink.controller.stop()
    received = Counter(sink.received)
    assert set(received.values()) == {1}, "an email was sent twice"
    final = shell(child_env, STATUSES)
    # At most the one email being handed over when the worker died has an unknown outcome;
    # everything else was sent, once.
    assert set(final) <= {"sent", "unknown"}
    assert final.get("unknown", 0) <= 1
    assert final["sent"] + final.get("unknown", 0) == 300
    assert final["sent"] <= len(received) <= 300
