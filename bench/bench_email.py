"""The email channel: sending the asks, and the follow-up page behind their score links.

    python -m bench.bench_email send [--emails 6000] [--quick] [--only postgres|sqlite]
    python -m bench.bench_email followup [--seconds 30] [--connections 50] [--quick]

send: ≥ 100 emails/s from one worker process (`npsloop send`), judged on PostgreSQL; peak
RSS and the SQLite figure are reported for information. The mail server is bench/smtp_sink.py
in its own process on loopback, and every message it received is checked against the asks.

followup: GET /r/<token>/<score> on the production web server (granian) with PostgreSQL,
p99 ≤ 50 ms with 50 concurrent clients, no answer other than 2xx, and at least half the
same server's throughput on GET /healthz (through Django, one `SELECT 1`) in the same run
(issue 13). Load from wrk (bench/followup.lua), a fixed number of connections for a fixed
time.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from bench.bench_api import DEFAULT_CONFIG, Load, ServerConfig, serving
from bench.cpu import cpu_by_process, spent
from bench.servers import ROOT, migrate, npsloop_env, postgres_database, run_child, server_process

NPSLOOP = Path(sys.executable).with_name("npsloop")
SEND_DATABASE = "npsloop_bench_email"
FOLLOWUP_DATABASE = "npsloop_bench_followup"
SCRIPT = Path(__file__).with_name("followup.lua")
# High enough that the per-workspace send rate (default 1,000 a minute) never holds a
# batch back: the bench measures the sender, not the limit.
UNLIMITED_RATE = 10_000_000
TARGET_EMAILS_PER_SECOND = 100.0
TARGET_P99_MS = 50.0
TARGET_RATIO = 0.5


# ---------------------------------------------------------------------------- sending


@dataclass
class Delivered:
    """What the SMTP sink received: one Message-ID per accepted message, and its sessions."""

    message_ids: list[str]
    connections: int
    recipients: list[str] = field(default_factory=list)  # per message, comma-separated


class SinkProcess:
    """bench/smtp_sink.py in its own process on a port it picks itself, so the sender's
    figures do not include the mail server's work. With `recipients`, stop() also reads
    each message's recipients (Delivered.recipients)."""

    def __init__(self, folder: Path, recipients: bool = False) -> None:
        self._count_file = folder / "sink-count.txt"
        self._recipients_file = folder / "sink-recipients.txt" if recipients else None
        self._process: subprocess.Popen[str] | None = None
        self.port = 0

    def __enter__(self) -> SinkProcess:
        command = [sys.executable, "-m", "bench.smtp_sink", "--port", "0"]
        command += ["--count-file", str(self._count_file)]
        if self._recipients_file is not None:
            command += ["--recipients-file", str(self._recipients_file)]
        self._process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert self._process.stdout is not None
        first = self._process.stdout.readline().strip()
        if not first.startswith("listening on "):
            self._process.kill()
            raise RuntimeError(f"the SMTP sink did not start: {first!r}")
        self.port = int(first.rsplit(":", 1)[1])
        return self

    def cpu_seconds(self) -> float:
        """CPU spent by the sink so far, from /proc."""
        mine = str(self._count_file)
        return sum(cpu_by_process(lambda command: mine in command).values())

    def stop(self) -> Delivered:
        """SIGTERM, then read what it wrote on the way out."""
        assert self._process is not None and self._process.stdout is not None
        self._process.send_signal(signal.SIGTERM)
        rest = self._process.stdout.read()
        if self._process.wait(timeout=60) != 0:
            raise RuntimeError(f"the SMTP sink exited with code {self._process.returncode}")
        summary = json.loads(rest.strip().splitlines()[-1])
        lines = self._count_file.read_text(encoding="utf-8").splitlines()
        message_ids = lines[1:]
        if int(lines[0]) != len(message_ids):
            raise RuntimeError(f"the sink's count file is inconsistent: {lines[0]} vs ids")
        recipients = []
        if self._recipients_file is not None:
            recipients = self._recipients_file.read_text(encoding="utf-8").splitlines()
        return Delivered(message_ids, int(summary["connections"]), recipients)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()


@dataclass
class Sending:
    database: str
    emails: int
    seconds: float
    idle_seconds: float  # the same command with nothing due: start-up and one empty pass
    peak_rss_mb: float
    cpu_seconds: float
    sink_cpu_seconds: float
    summary: str
    delivered: Delivered
    statuses: dict[str, int]
    recorded_ids: list[str]

    @property
    def rate(self) -> float:
        return self.emails / self.seconds

    def checks(self) -> list[tuple[bool, str]]:
        received = self.delivered.message_ids
        distinct = len(set(received))
        sent = self.statuses.get("sent", 0)
        others = {status: n for status, n in self.statuses.items() if status != "sent"}
        return [
            (
                self.summary.startswith(f"sent {self.emails}, deferred 0, failed 0,"),
                f"`npsloop send` reports every ask sent: {self.summary!r}",
            ),
            (
                len(received) == distinct == self.emails,
                f"the mail server received {self.emails} messages with distinct Message-IDs: "
                f"{len(received)} messages, {distinct} distinct",
            ),
            (
                sent == self.emails and not others,
                f"{self.emails} asks 'sent' in the database: {sent}"
                + (f", others {others}" if others else ""),
            ),
            (
                set(self.recorded_ids) == set(received),
                "the Message-IDs recorded on the asks are the ones received: "
                f"{len(set(self.recorded_ids) & set(received))} in common",
            ),
        ]

    def describe(self) -> str:
        sending_alone = self.seconds - self.idle_seconds
        alone = f"{self.emails / sending_alone:.0f}/s" if sending_alone > 0 else "n/a"
        return (
            f"{self.emails:,} emails in {self.seconds:.2f} s = {self.rate:.1f} emails/s, "
            f"peak RSS {self.peak_rss_mb:.0f} MB, CPU {self.cpu_seconds:.2f} s "
            f"({self.cpu_seconds / self.emails * 1000:.2f} ms per email)\n"
            f"      start-up + an empty pass {self.idle_seconds:.2f} s, so sending alone "
            f"≈ {alone}; SMTP sessions {self.delivered.connections}; the sink's CPU "
            f"{self.sink_cpu_seconds:.2f} s"
        )


def run_send(env: dict[str, str], database: str, emails: int) -> Sending:
    """Seed, then time one `npsloop send` against a sink; env names a fresh database."""
    migrate(env)
    fixture = run_child(
        env, "bench.email_fixture", "seed", f"--contacts={emails}", f"--rate={UNLIMITED_RATE}"
    )
    if fixture["asks"] != emails:
        raise RuntimeError(f"{database}: seeded {fixture['asks']} asks, expected {emails}")
    with SinkProcess(Path(env["NPSLOOP_HOME"])) as sink:
        env = {**env, "NPSLOOP_EMAIL_URL": f"smtp://127.0.0.1:{sink.port}?tls=0"}
        sink_before = sink.cpu_seconds()
        seconds, usage, summary = _timed(env, NPSLOOP, "send")
        sink_cpu = sink.cpu_seconds() - sink_before
        idle_seconds, _, idle_summary = _timed(env, NPSLOOP, "send")
        delivered = sink.stop()
    if not idle_summary.startswith("sent 0,"):
        raise RuntimeError(f"{database}: a second `npsloop send` still sent: {idle_summary}")
    checked = run_child(env, "bench.email_fixture", "asks")
    return Sending(
        database=database,
        emails=emails,
        seconds=seconds,
        idle_seconds=idle_seconds,
        peak_rss_mb=usage.ru_maxrss / 1024,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        sink_cpu_seconds=sink_cpu,
        summary=summary,
        delivered=delivered,
        statuses=checked["statuses"],
        recorded_ids=checked["message_ids"],
    )


def _timed(env: dict[str, str], *command: str | Path) -> tuple[float, resource.struct_rusage, str]:
    """Wall seconds, resource usage and last output line of one command."""
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    # wait4 gives this child's own peak RSS (kilobytes on Linux), not the largest of every
    # child so far, as RUSAGE_CHILDREN would. Its output is one line: the pipe can't fill.
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    assert child.stdout is not None
    output = child.stdout.read().strip()
    child.stdout.close()
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, command))} exited with {child.returncode}")
    return seconds, usage, output.splitlines()[-1] if output else ""


def send_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_email send")
    parser.add_argument("--emails", type=int, default=6000, help="asks to send (default 6000)")
    parser.add_argument("--quick", action="store_true", help="500 emails")
    parser.add_argument("--only", choices=["postgres", "sqlite"])
    args = parser.parse_args(argv)
    emails = 500 if args.quick else args.emails
    print(
        f"== `npsloop send`, one worker process, {emails:,} due asks, SMTP sink on loopback\n"
        f"   workspace send rate raised to {UNLIMITED_RATE:,}/min (default 1,000/min) so the "
        "rate limit does not cap the figure"
    )
    passed = True
    if args.only != "sqlite":
        with postgres_database(SEND_DATABASE) as url, npsloop_env(url) as env:
            measured = run_send(env, "postgres", emails)
        passed = _report_send(measured, judged=True)
    if args.only != "postgres":
        # An empty NPSLOOP_DATABASE_URL is the embedded default: SQLite in NPSLOOP_HOME.
        with npsloop_env("") as env:
            measured = run_send(env, "sqlite", emails)
        passed = _report_send(measured, judged=False) and passed
    return 0 if passed else 1


def _report_send(measured: Sending, *, judged: bool) -> bool:
    print(f"  {measured.database:8}  {measured.describe()}")
    checks = measured.checks()
    for ok, text in checks:
        print(f"    {'PASS' if ok else 'FAIL'}  {text}")
    rate_ok = measured.rate >= TARGET_EMAILS_PER_SECOND
    target = f"≥ {TARGET_EMAILS_PER_SECOND:.0f} emails/s from one worker process"
    if judged:
        print(f"    {'PASS' if rate_ok else 'FAIL'}  {target}: {measured.rate:.1f}")
    else:
        print(f"    info  {target} (judged on PostgreSQL): {measured.rate:.1f}")
    print(f"    info  peak RSS {measured.peak_rss_mb:.0f} MB (no target)")
    return all(ok for ok, _ in checks) and (rate_ok or not judged)


# ---------------------------------------------------------------------------- follow-up


def run_wrk(base: str, seconds: float, connections: int, tokens: Path | str) -> Load:
    """One bounded wrk run over followup.lua (``tokens``: the token file, or "healthz");
    CPU of the web server and database beside it."""
    port = base.rsplit(":", 1)[1]

    server = server_process(int(port))

    def database(command: str) -> bool:
        return command.startswith("postgres:") and f" {FOLLOWUP_DATABASE} " in command

    server_before, database_before = cpu_by_process(server), cpu_by_process(database)
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    command = [
        "wrk",
        "--threads=1",
        f"--connections={connections}",
        f"--duration={max(1, round(seconds))}s",
        "--timeout=5s",
        f"--script={SCRIPT}",
        base,
        "--",
        str(tokens),
    ]
    done = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = {
        "server": spent(server_before, cpu_by_process(server)),
        "database": spent(database_before, cpu_by_process(database)),
        "wrk": children.ru_utime
        + children.ru_stime
        - children_before.ru_utime
        - children_before.ru_stime,
    }
    [line] = [line for line in done.stdout.splitlines() if line.startswith("BENCH ")]
    raw = json.loads(line.removeprefix("BENCH "))
    return Load(
        requests=raw["requests"],
        seconds=raw["duration_us"] / 1e6,
        statuses=raw["statuses"],
        socket_errors=raw["socket_errors"],
        timeouts=raw["timeouts"],
        p50_ms=raw["p50_us"] / 1000,
        p90_ms=raw["p90_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        max_ms=raw["max_us"] / 1000,
        first_failure=raw["first_failure"],
        cpu=cpu,
    )


def check_page(base: str, token: str, question: str) -> None:
    """One score link answers 200 with the survey's question, before any load."""
    url = f"{base}/r/{token}/9"
    with urllib.request.urlopen(url, timeout=10) as answer:
        body = answer.read().decode("utf-8")
        if answer.status != 200 or answer.geturl() != url:
            raise RuntimeError(f"GET {url} answered {answer.status} at {answer.geturl()}")
    if html.escape(question) not in body:
        raise RuntimeError(f"GET {url} does not show the question {question!r}: {body[:300]!r}")


def followup_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_email followup")
    parser.add_argument("--seconds", type=float, default=30, help="load duration (default 30)")
    parser.add_argument("--connections", type=int, default=50, help="concurrent clients")
    parser.add_argument("--asks", type=int, default=5000, help="asks the tokens spread over")
    parser.add_argument("--workers", type=int, default=DEFAULT_CONFIG.workers)
    parser.add_argument("--threads", type=int, default=DEFAULT_CONFIG.threads)
    parser.add_argument(
        "--server",
        choices=["granian", "gunicorn"],
        default="granian",
        help="granian (what `npsloop web` runs) or gunicorn's gthread worker, to compare",
    )
    parser.add_argument(
        "--single-seconds",
        type=float,
        default=10,
        help="then one client alone for this long, for information (0: skip)",
    )
    parser.add_argument(
        "--healthz-seconds", type=float, default=15, help="GET /healthz before the load"
    )
    parser.add_argument(
        "--quick", action="store_true", help="5 s of load, 3 s of healthz and of one client"
    )
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("bench_email: wrk is not installed (apt-get install -y wrk, or `make bench`)")
        return 1
    seconds = 5.0 if args.quick else args.seconds
    healthz_seconds = 3.0 if args.quick else args.healthz_seconds
    single_seconds = min(3.0, args.single_seconds) if args.quick else args.single_seconds
    config = ServerConfig(
        args.workers, "granian" if args.server == "granian" else "gthread", args.threads
    )
    print(
        f"== GET /r/<token>/<score> on {config} + PostgreSQL, {args.connections} connections for "
        f"{seconds:.0f} s, random tokens of {args.asks:,} sent asks, random scores"
    )
    single: Load | None = None
    with (
        postgres_database(FOLLOWUP_DATABASE) as url,
        npsloop_env(url) as env,
        tempfile.TemporaryDirectory(prefix="npsloop-bench-") as folder,
    ):
        migrate(env)
        tokens = Path(folder, "tokens.txt")
        fixture = run_child(
            env, "bench.email_fixture", "seed", f"--contacts={args.asks}", "--sent",
            f"--tokens={tokens}",
        )  # fmt: skip
        first = tokens.read_text(encoding="ascii").split("\n", 1)[0]
        with serving(env, config) as base:
            check_page(base, first, fixture["question"])
            print(f"  GET /r/{first}/9: 200, shows {fixture['question']!r}")
            run_wrk(base, 3, args.connections, tokens)  # warm-up: imports, connections
            healthz = run_wrk(base, healthz_seconds, args.connections, "healthz")
            load = run_wrk(base, seconds, args.connections, tokens)
            if single_seconds > 0:
                single = run_wrk(base, single_seconds, 1, tokens)
    return 0 if _report_followup(load, healthz, single, args.connections) else 1


def _report_followup(load: Load, healthz: Load, single: Load | None, connections: int) -> bool:
    print(f"    GET /healthz {healthz.describe()}")
    print(f"    closed loop  {load.describe()}")
    if load.succeeded:
        # Each connection waits for its answer before asking again, so the mean latency is
        # connections / rate (Little's law): the p99 target needs at least this rate.
        cpu = max(1e-6, (load.cpu["server"] + load.cpu["database"]) / load.requests)
        cores = os.cpu_count() or 1
        print(
            f"      mean latency = {connections} connections / {load.rate:.0f} req/s = "
            f"{connections / load.rate * 1000:.0f} ms; p99 ≤ {TARGET_P99_MS:.0f} ms needs "
            f"> {connections / TARGET_P99_MS * 1000:.0f} req/s, i.e. under "
            f"{cores / (connections / TARGET_P99_MS * 1000) * 1000:.2f} ms of server + "
            f"database CPU per request on {cores} cores (now {cpu * 1000:.2f} ms: "
            f"{cores / cpu:.0f} req/s at most)"
        )
    if single is not None:
        print("    one client (information: the page's own latency, nothing queued before it)")
        print(f"                 {single.describe()}")
    checks = [
        (load.p99_ms <= TARGET_P99_MS, f"p99 ≤ {TARGET_P99_MS:.0f} ms: {load.p99_ms:.1f} ms"),
        (
            load.errors == 0 and (single is None or single.errors == 0),
            f"no answer other than 2xx: {load.errors} errors"
            + (f", {single.errors} with one client" if single is not None else ""),
        ),
        (load.succeeded > 0, f"answers served: {load.succeeded}"),
        (
            healthz.rate > 0 and load.rate / healthz.rate >= TARGET_RATIO,
            f"≥ {TARGET_RATIO}x the healthz throughput: "
            f"{load.rate / healthz.rate if healthz.rate else 0:.2f}x "
            f"({load.rate:.1f} / {healthz.rate:.1f} req/s)",
        ),
    ]
    for ok, text in checks:
        print(f"    {'PASS' if ok else 'FAIL'}  {text}")
    return all(ok for ok, _ in checks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_email", description=__doc__)
    parser.add_argument("bench", choices=["send", "followup"])
    args, rest = parser.parse_known_args(argv)
    return send_main(rest) if args.bench == "send" else followup_main(rest)


if __name__ == "__main__":
    raise SystemExit(main())
