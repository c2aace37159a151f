"""The fault bench: answers and emails survive the processes that handle them being stopped
and killed.

    python -m bench.bench_faults [--only api|email] [--quick]

api: 20,000 POST /api/v1/responses over 60 s from 16 connections, each answer with its own
Idempotency-Key and retried with it (bench/fault_load.py), while `npsloop web` (granian) is
stopped (SIGTERM) twice and killed (SIGKILL of its main process) once, and restarted each
time as soon as its port is free. Then the database is read: every acknowledged answer must
be stored (lost = 0), none twice (duplicated = 0), each with exactly one response.created
event.

email: 3,000 due email asks, three `npsloop send` processes against the SMTP sink on
loopback; two are killed (SIGKILL) while they send, at a third and at two thirds of the
emails. The asks of the dead senders are recovered as a sender does once they are stale
(bench.email_fixture recover-later, instead of waiting ten minutes), and senders run again
until nothing is due. Every ask must end delivered once (duplicates = 0, counted by
recipient, one contact per ask), failed or unknown (lost = 0). An ask whose sender died
while handing it to the mail server is "unknown" by design and never resent: it may or may
not have reached the sink, and the bench says which.

Both on PostgreSQL (one database of their own, made and migrated once, dropped afterwards),
loopback only.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.bench_api import DEFAULT_CONFIG
from bench.bench_email import NPSLOOP, UNLIMITED_RATE, SinkProcess
from bench.fault_load import LoadReport, RetryingLoad
from bench.servers import (
    ROOT,
    RestartableWebServer,
    migrate,
    npsloop_env,
    postgres_database,
    run_child,
)

DATABASE = "npsloop_bench_faults"
# (what, when as a share of the load's duration)
FAULTS = (("stop", 0.2), ("kill", 0.45), ("stop", 0.7))
SETTLED = ("sent", "failed", "unknown")


def psql(url: str, query: str) -> list[list[str]]:
    """Rows of a query, by psql: the check shares no code with what it checks."""
    done = subprocess.run(
        ["psql", url, "-tA", "-F", "\t", "-c", query],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return [line.split("\t") for line in done.stdout.splitlines() if line]


# ---------------------------------------------------------------------------- api


@dataclass
class Fault:
    kind: str
    at: float  # seconds into the load
    down: float  # seconds from the signal until /healthz answered again


def inflict(
    server: RestartableWebServer, seconds: float, started: float, faults: list[Fault]
) -> None:
    """Stop, kill, stop at their shares of the load's duration, restarting after each."""
    for kind, share in FAULTS:
        delay = started + share * seconds - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        at = time.monotonic()
        if kind == "kill":
            server.kill()
        else:
            server.stop()
        server.start()
        faults.append(Fault(kind, at - started, time.monotonic() - at))


@dataclass
class ApiOutcome:
    requests: int
    load: LoadReport
    faults: list[Fault]
    stored: Counter[str]  # key -> rows
    wrong_events: int  # stored responses without exactly one response.created event

    @property
    def lost(self) -> set[str]:
        return self.load.acknowledged - set(self.stored)

    @property
    def duplicated(self) -> int:
        return sum(1 for rows in self.stored.values() if rows > 1)

    def checks(self) -> list[tuple[bool, str]]:
        unacknowledged = len(set(self.stored) - self.load.acknowledged)
        return [
            (
                len(self.load.acknowledged) == self.requests,
                f"every answer acknowledged: {len(self.load.acknowledged):,} of "
                f"{self.requests:,} (gave up {len(self.load.given_up)}, refused "
                f"{len(self.load.refused)}{self._first_refusal()})",
            ),
            (not self.lost, f"lost (acknowledged, not stored): {len(self.lost)}"),
            (self.duplicated == 0, f"duplicated (a key stored twice): {self.duplicated}"),
            (
                self.wrong_events == 0,
                f"one response.created event per stored response: {self.wrong_events} without",
            ),
            (unacknowledged == 0, f"stored but never acknowledged: {unacknowledged}"),
        ]

    def _first_refusal(self) -> str:
        return f", e.g. {next(iter(self.load.refused.values()))}" if self.load.refused else ""


def run_api(
    url: str, env: dict[str, str], requests: int, seconds: float, connections: int
) -> ApiOutcome:
    fixture = run_child(env, "bench.workspace_fixture", "Fault bench")
    server = RestartableWebServer(env, DEFAULT_CONFIG.workers)
    run = f"faults-{uuid.uuid4().hex[:8]}"
    load = RetryingLoad(server.base, fixture["key"], fixture["surveys"], run, connections)
    faults: list[Fault] = []
    errors: list[BaseException] = []

    def faulting() -> None:
        try:
            inflict(server, seconds, time.monotonic(), faults)
        except BaseException as error:  # reported after the load
            errors.append(error)

    try:
        server.start()
        injector = threading.Thread(target=faulting, daemon=True)
        injector.start()
        report = load.send(requests, seconds)
        injector.join()
    finally:
        server.close()
    if errors:
        raise errors[0]
    like = f"'{run}-%'"
    stored = Counter(
        {
            key: int(rows)
            for key, rows in psql(
                url,
                f"SELECT key, count(*) FROM surveys_response WHERE key LIKE {like} GROUP BY key",
            )
        }
    )
    [[wrong]] = psql(
        url,
        "SELECT count(*) FROM (SELECT r.id, count(e.id) AS n FROM surveys_response r "
        "LEFT JOIN events_event e ON e.response_id = r.id AND e.type = 'response.created' "
        f"WHERE r.key LIKE {like} GROUP BY r.id) t WHERE n <> 1",
    )
    return ApiOutcome(requests, report, faults, stored, int(wrong))


def report_api(outcome: ApiOutcome) -> bool:
    load = outcome.load
    print(
        f"  {outcome.requests:,} answers in {load.seconds:.1f} s "
        f"({outcome.requests / load.seconds:.0f}/s offered)"
    )
    for fault in outcome.faults:
        print(f"    {fault.kind:4} at {fault.at:5.1f} s, answering again {fault.down:.1f} s later")
    retries = ", ".join(f"{why} {n}" for why, n in load.retries.most_common()) or "none"
    print(f"    retries: {sum(load.retries.values())} ({retries})")
    print(
        f"    acknowledged {len(load.acknowledged):,} (of which {load.replayed} by a 200 "
        f"replay), stored {sum(outcome.stored.values()):,}, lost {len(outcome.lost)}, "
        f"duplicated {outcome.duplicated}"
    )
    return _verdicts(outcome.checks())


def _verdicts(checks: list[tuple[bool, str]]) -> bool:
    for ok, text in checks:
        print(f"    {'PASS' if ok else 'FAIL'}  {text}")
    return all(ok for ok, _ in checks)


# ---------------------------------------------------------------------------- email


@dataclass
class EmailOutcome:
    asks: int
    statuses: dict[str, str]  # the contact's email -> the ask's status
    received: Counter[str]  # recipient -> messages
    killed: int
    rounds: int
    recovered_unknown: int

    @property
    def delivered(self) -> int:
        return sum(1 for email in self.statuses if self.received[email])

    @property
    def duplicates(self) -> int:
        return sum(1 for email in self.statuses if self.received[email] > 1)

    @property
    def lost(self) -> list[str]:
        """Asks never settled, and asks recorded as sent that never reached the sink."""
        return [
            email
            for email, status in self.statuses.items()
            if status not in SETTLED or (status == "sent" and not self.received[email])
        ]

    def count(self, status: str) -> int:
        return sum(1 for value in self.statuses.values() if value == status)

    def checks(self) -> list[tuple[bool, str]]:
        strangers = sum(n for email, n in self.received.items() if email not in self.statuses)
        return [
            (self.duplicates == 0, f"duplicates (an ask delivered twice): {self.duplicates}"),
            (not self.lost, f"lost (never settled, or 'sent' but not received): {len(self.lost)}"),
            (strangers == 0, f"messages to no ask's contact: {strangers}"),
            (self.killed > 0, f"senders killed while sending: {self.killed}"),
        ]


def run_email(url: str, env: dict[str, str], asks: int, senders: int, kills: int) -> EmailOutcome:
    seeded = run_child(
        env, "bench.email_fixture", "seed", f"--contacts={asks}", f"--rate={UNLIMITED_RATE}"
    )
    if seeded["asks"] != asks:
        raise RuntimeError(f"seeded {seeded['asks']} asks, expected {asks}")
    with SinkProcess(Path(env["NPSLOOP_HOME"]), recipients=True) as sink:
        env = {**env, "NPSLOOP_EMAIL_URL": f"smtp://127.0.0.1:{sink.port}?tls=0"}
        sent = _sent_counter(url)
        killed = _send_round(
            env, senders, [asks * (n + 1) // (kills + 1) for n in range(kills)], sent
        )
        recovered = run_child(env, "bench.email_fixture", "recover-later")["unknown"]
        rounds = 1
        while _unsettled(url) and rounds < 4:
            _send_round(env, senders, [], sent)
            rounds += 1
        delivered = sink.stop()
    rows = psql(
        url,
        "SELECT c.email, r.status FROM program_surveyrequest r "
        "JOIN contacts_contact c ON c.id = r.contact_id",
    )
    received = Counter(
        address for line in delivered.recipients for address in line.split(",") if address
    )
    statuses = {email: status for email, status in rows}
    return EmailOutcome(asks, statuses, received, killed, rounds, int(recovered))


def _sent_counter(url: str) -> Callable[[], int]:
    return lambda: int(
        psql(url, "SELECT count(*) FROM program_surveyrequest WHERE status = 'sent'")[0][0]
    )


def _unsettled(url: str) -> int:
    settled = ", ".join(f"'{status}'" for status in SETTLED)
    query = f"SELECT count(*) FROM program_surveyrequest WHERE status NOT IN ({settled})"
    return int(psql(url, query)[0][0])


def _send_round(
    env: dict[str, str], senders: int, kill_at: list[int], sent: Callable[[], int]
) -> int:
    """Run `senders` `npsloop send` processes to the end; kill one (SIGKILL) each time the
    emails sent reach the next of `kill_at`. Returns how many were killed while running."""
    processes = [
        subprocess.Popen([NPSLOOP, "send"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
        for _ in range(senders)
    ]
    killed = 0
    pending = list(kill_at)
    try:
        while any(process.poll() is None for process in processes):
            if pending and sent() >= pending[0]:
                pending.pop(0)
                victim = next((p for p in processes if p.poll() is None), None)
                if victim is not None:
                    victim.send_signal(signal.SIGKILL)
                    killed += 1
            time.sleep(0.1)
    finally:
        for process in processes:
            if process.poll() is None:  # the bench itself failed: leave nothing behind
                process.kill()
                process.wait()
    for process in processes:
        if process.returncode not in (0, -signal.SIGKILL):
            raise RuntimeError(f"`npsloop send` exited with {process.returncode}")
    return killed


def report_email(outcome: EmailOutcome) -> bool:
    unknown = [email for email, status in outcome.statuses.items() if status == "unknown"]
    reached = sum(1 for email in unknown if outcome.received[email])
    print(
        f"  {outcome.asks:,} asks, {outcome.killed} senders killed, {outcome.rounds} rounds of "
        f"senders; recovered as unknown after the kills: {outcome.recovered_unknown}"
    )
    print(
        f"    delivered {outcome.delivered:,}, duplicates {outcome.duplicates}, "
        f"lost {len(outcome.lost)}; sent {outcome.count('sent'):,}, failed "
        f"{outcome.count('failed')}, unknown {len(unknown)} (of which {reached} reached the "
        "sink: their sender died during the hand-over, so they are never resent)"
    )
    return _verdicts(outcome.checks())


# ---------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_faults", description=__doc__)
    parser.add_argument("--only", choices=["api", "email"])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--asks", type=int, default=3_000)
    parser.add_argument("--quick", action="store_true", help="1,000 answers in 10 s, 600 asks")
    parser.add_argument("--database", default=DATABASE, help=f"default {DATABASE}, dropped after")
    args = parser.parse_args(argv)
    if args.quick:
        args.requests, args.seconds, args.asks = 1_000, 10.0, 600
    passed = True
    with postgres_database(args.database) as url, npsloop_env(url) as env:
        started = time.monotonic()
        migrate(env)
        print(f"database {args.database} made and migrated in {time.monotonic() - started:.0f} s")
        if args.only != "email":
            print(
                f"== faults, api: {args.requests:,} POST /api/v1/responses over "
                f"{args.seconds:.0f} s, {args.connections} connections, Idempotency-Key and "
                "retries; `npsloop web` stopped twice and killed once"
            )
            started = time.monotonic()
            outcome = run_api(url, env, args.requests, args.seconds, args.connections)
            print(f"  (the variant took {time.monotonic() - started:.0f} s)")
            passed = report_api(outcome)
        if args.only != "api":
            print(f"== faults, email: {args.asks:,} due asks, 3 `npsloop send`, 2 killed mid-batch")
            started = time.monotonic()
            emailed = run_email(url, env, args.asks, senders=3, kills=2)
            print(f"  (the variant took {time.monotonic() - started:.0f} s)")
            passed = report_email(emailed) and passed
    print("PASS" if passed else "FAIL")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
