"""From a detractor's answer to its owner's alert (issue 14): a real `npsloop web` (granian)
and `npsloop worker` (default settings: 3 threads, the periodic scheduler) on PostgreSQL,
and the loopback SMTP sink (bench/smtp_sink.py) in this process.

Detractor answers are POSTed to /api/v1/responses at a steady rate for a bounded time, each
from a contact whose `csm_email` names one of the workspace's owners (so each case is routed
to one). For each answer: the time from the API's 201 to the sink accepting the alert email
that quotes its comment. Target: p95 ≤ 60 s; every alert delivered once (none lost, no
duplicates).

`python -m bench.bench_alerts [--rate 2] [--seconds 90] [--owners 5] [--quick]`
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from bench.servers import ROOT, migrate, npsloop_env, postgres_database, run_child, web_server
from bench.smtp_sink import SmtpSink

DATABASE = "npsloop_bench_alerts"
TARGET_P95_SECONDS = 60.0
# How long to wait for the last alerts once the answers stop: the worker's follower may be
# between two of its minutes, plus the gathering half minute, with room to spare.
SETTLE_SECONDS = 150.0
TOKEN = re.compile(r"bench-alert-(\d+)\b")


def setup(owners: int) -> dict[str, object]:
    """A workspace, a survey, an API key and the members who own the cases (child process)."""
    import django

    django.setup()
    from django.contrib.auth.models import User

    from npsloop.surveys.configure import create_survey
    from npsloop.workspaces.configure import create_workspace
    from npsloop.workspaces.keys import create_api_key
    from npsloop.workspaces.membership import add_member
    from npsloop.workspaces.models import Role

    workspace = create_workspace("Bench Alerts")
    survey = create_survey(workspace, name="Relationship NPS", product_name="Bench")
    emails = [f"owner{n}@bench.test" for n in range(owners)]
    for email in emails:
        user = User.objects.create_user(username=email, email=email)
        add_member(workspace, user, Role.EDITOR)
    _, secret = create_api_key(workspace, name="bench")
    return {"survey": survey.pk, "key": secret, "owners": emails}


@dataclass
class Arrivals:
    """The sink's messages as they arrive: which answers each alert quotes, and when."""

    sink: SmtpSink
    seen: dict[int, list[float]] = field(default_factory=lambda: defaultdict(list))
    messages: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def watch(self) -> None:
        read = 0
        while not self._stop.is_set():
            received = self.sink.messages
            now = time.time()
            for message in received[read:]:
                body = message.message.get_body(preferencelist=("plain",))
                text = str(body.get_content()) if body is not None else ""
                for number in set(TOKEN.findall(text)):
                    self.seen[int(number)].append(now)
            read = len(received)
            self.messages = read
            self._stop.wait(0.05)

    @contextmanager
    def watching(self) -> Iterator[Arrivals]:
        thread = threading.Thread(target=self.watch, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join()


@contextmanager
def worker(env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen([sys.executable, "-m", "npsloop", "worker"], env=env, cwd=ROOT)
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def post_answer(base: str, key: str, survey: int, number: int, owner: str) -> float:
    """POST one detractor answer; returns when its 201 came back."""
    body = {
        "survey": survey,
        "score": number % 7,  # 0 to 6: every one a detractor
        "comment": f"bench-alert-{number} the export keeps failing",
        "contact": {
            "external_id": f"bench-{number}",
            "email": f"bench-{number}@example.com",
            "properties": {"csm_email": owner},
        },
    }
    request = urllib.request.Request(
        f"{base}/api/v1/responses",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        if answer.status != 201:
            raise RuntimeError(f"POST answered {answer.status}, not 201")
    return time.time()


def wait_for(arrivals: Arrivals, numbers: list[int], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(number in arrivals.seen for number in numbers):
            return True
        time.sleep(0.5)
    return False


@dataclass(frozen=True)
class Measured:
    latencies: list[float]
    expected: int
    delivered: int
    duplicates: int
    emails: int

    @property
    def lost(self) -> int:
        return self.expected - self.delivered

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def run(rate: float, seconds: float, owners: int) -> Measured:
    with (
        postgres_database(DATABASE) as url,
        npsloop_env(url) as env,
        SmtpSink() as sink,
    ):
        env["NPSLOOP_EMAIL_URL"] = f"smtp://{sink.host}:{sink.port}?tls=0"
        env.pop("NPSLOOP_QUEUE_IMMEDIATE", None)
        migrate(env)
        made = run_child(env, "bench.bench_alerts", "--setup", f"--owners={owners}")
        key, survey, emails = str(made["key"]), int(made["survey"]), list(made["owners"])
        with (
            web_server(env, workers=1) as base,
            worker(env),
            Arrivals(sink).watching() as arrivals,
        ):
            # Warm-up: one answer whose alert shows the worker is following the answers.
            post_answer(base, key, survey, 0, emails[0])
            print("   waiting for the worker's first alert (its first minute) …", flush=True)
            if not wait_for(arrivals, [0], SETTLE_SECONDS):
                raise RuntimeError("the worker sent no alert for the warm-up answer")
            posted: dict[int, float] = {}
            start = time.monotonic()
            count = max(1, round(rate * seconds))
            for n in range(1, count + 1):
                pause = start + (n - 1) / rate - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                posted[n] = post_answer(base, key, survey, n, emails[n % len(emails)])
            print(f"   posted {len(posted)} answers; waiting for their alerts …", flush=True)
            wait_for(arrivals, list(posted), SETTLE_SECONDS)
            time.sleep(2)  # a duplicate would come right behind
            seen = {n: times for n, times in arrivals.seen.items() if n in posted}
            return Measured(
                latencies=[min(times) - posted[n] for n, times in seen.items()],
                expected=len(posted),
                delivered=len(seen),
                duplicates=sum(len(times) - 1 for times in seen.values()),
                emails=arrivals.messages,
            )


def report(measured: Measured) -> bool:
    if measured.latencies:
        p50 = statistics.median(measured.latencies)
        p95, worst = measured.percentile(0.95), max(measured.latencies)
        print(f"   answer → alert accepted: p50 {p50:.1f} s, p95 {p95:.1f} s, max {worst:.1f} s")
    else:
        p95 = float("inf")
    print(
        f"   alerts expected {measured.expected}, delivered {measured.delivered}, "
        f"duplicates {measured.duplicates}, lost {measured.lost} "
        f"(in {measured.emails} emails, the warm-up's included)"
    )
    checks = [
        (p95 <= TARGET_P95_SECONDS, f"alert p95 ≤ {TARGET_P95_SECONDS:.0f} s"),
        (measured.lost == 0, "no alert lost"),
        (measured.duplicates == 0, "no alert sent twice"),
    ]
    for ok, what in checks:
        print(f"   {'PASS' if ok else 'FAIL'} {what}")
    return all(ok for ok, _ in checks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_alerts", description=__doc__)
    parser.add_argument("--rate", type=float, default=2.0, help="answers per second")
    parser.add_argument("--seconds", type=float, default=90.0, help="how long answers come")
    parser.add_argument("--owners", type=int, default=5, help="members the cases go to")
    parser.add_argument("--quick", action="store_true", help="1 answer/s for 20 s")
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.setup:
        print(json.dumps(setup(args.owners)))
        return 0
    rate, seconds = (1.0, 20.0) if args.quick else (args.rate, args.seconds)
    print(
        f"== detractor answer (POST /api/v1/responses) → owner's alert at the SMTP sink; "
        f"{rate:g}/s for {seconds:.0f} s, {args.owners} owners, granian + `npsloop worker` "
        "+ PostgreSQL",
        flush=True,
    )
    return 0 if report(run(rate, seconds, args.owners)) else 1


if __name__ == "__main__":
    sys.exit(main())
