"""POST /api/v1/responses on the production web server (granian) with PostgreSQL.

    python -m bench.bench_api [--seconds 60] [--quick] [--sweep] [--new-contacts]

Targets (issue 2, 20,000 contacts answering again and again): ≥ 500 responses/s sustained,
p99 ≤ 100 ms, zero errors, and at least half the same server's throughput on a trivial
endpoint (GET /healthz, one `SELECT 1`) in the same run.
With --new-contacts (issue 13, run with --connections 50): every POST from a contact never
seen before, so each one creates its contact; ≥ 0.3 times the /healthz throughput, p99 ≤ 50 ms,
zero errors, every acknowledged response stored once with its contact and its event.
The load comes from wrk on loopback with a fixed number of connections and a fixed
duration, so it always stops by itself; wrk is C and cheap, which matters because it shares
the machine's cores with the server and the database.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.cpu import cpu_by_process, spent
from bench.servers import (
    gunicorn,
    migrate,
    npsloop_env,
    postgres_database,
    run_child,
    server_process,
    web_server,
)
from npsloop.ops.serving import WEB_THREADS

DATABASE = "npsloop_bench_api"
SCRIPT = Path(__file__).with_name("load.lua")


@dataclass(frozen=True)
class Targets:
    rate: float | None
    p99_ms: float
    ratio: float


RETURNING_CONTACTS = Targets(rate=500.0, p99_ms=100.0, ratio=0.5)  # issue 2
NEW_CONTACTS = Targets(rate=None, p99_ms=50.0, ratio=0.3)  # issue 13


@dataclass(frozen=True)
class ServerConfig:
    workers: int
    worker_class: str = "granian"  # or gunicorn's "sync" or "gthread", to compare
    threads: int = 1

    def __str__(self) -> str:
        if self.worker_class == "granian":
            return f"granian, {self.workers} workers x {self.threads} threads"
        threads = f" x {self.threads} threads" if self.worker_class == "gthread" else ""
        return f"gunicorn {self.worker_class}, {self.workers} workers{threads}"


@contextmanager
def serving(env: dict[str, str], config: ServerConfig) -> Iterator[str]:
    """The server of this configuration on loopback; yields its base URL."""
    if config.worker_class == "granian":
        with web_server(env, workers=config.workers, threads=config.threads) as base:
            yield base
    else:
        with gunicorn(
            env, workers=config.workers, worker_class=config.worker_class, threads=config.threads
        ) as base:
            yield base


# What `npsloop web` runs on two cores (bench/README.md).
DEFAULT_CONFIG = ServerConfig(workers=2, threads=WEB_THREADS)
SWEEP = [
    ServerConfig(2, threads=1),
    ServerConfig(2, threads=2),
    ServerConfig(2, threads=4),
    ServerConfig(3, threads=2),
    ServerConfig(2, "gthread", 4),
]


@dataclass
class Load:
    """What wrk saw in one run."""

    requests: int
    seconds: float
    statuses: dict[str, int]
    socket_errors: int
    timeouts: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    first_failure: str | None
    # CPU seconds spent during the run by the web server, the database and wrk.
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.succeeded / self.seconds

    @property
    def succeeded(self) -> int:
        return sum(n for status, n in self.statuses.items() if status.startswith("2"))

    @property
    def errors(self) -> int:
        failed = sum(n for status, n in self.statuses.items() if not status.startswith("2"))
        return failed + self.socket_errors + self.timeouts

    def describe(self) -> str:
        text = (
            f"{self.rate:8.1f} req/s  p50 {self.p50_ms:6.1f} ms  p90 {self.p90_ms:6.1f} ms  "
            f"p99 {self.p99_ms:6.1f} ms  max {self.max_ms:6.1f} ms  errors {self.errors}  "
            f"({self.requests} requests in {self.seconds:.1f} s)"
        )
        if self.requests:
            per_request = ", ".join(
                f"{name} {seconds / self.requests * 1000:.2f} ms"
                for name, seconds in self.cpu.items()
            )
            text += f"\n      CPU per request: {per_request}"
        if self.first_failure:
            text += f"\n      first failure: {self.first_failure}"
        return text


def run_wrk(base: str, seconds: float, connections: int, *script_args: str) -> Load:
    """One bounded wrk run: `connections` keep-alive connections for `seconds`, one thread."""
    port = base.rsplit(":", 1)[1]

    server = server_process(int(port))

    def database(command: str) -> bool:
        return command.startswith("postgres:") and f" {DATABASE} " in command

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
        *script_args,
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
    ms = 1000.0
    return Load(
        requests=raw["requests"],
        seconds=raw["duration_us"] / 1e6,
        statuses=raw["statuses"],
        socket_errors=raw["socket_errors"],
        timeouts=raw["timeouts"],
        p50_ms=raw["p50_us"] / ms,
        p90_ms=raw["p90_us"] / ms,
        p99_ms=raw["p99_us"] / ms,
        max_ms=raw["max_us"] / ms,
        first_failure=raw["first_failure"],
        cpu=cpu,
    )


@dataclass
class Stored:
    """What the database holds after a run: responses, their response.created events, and
    the contacts that answered (distinct)."""

    responses: int
    events: int
    contacts: int


@dataclass
class Measured:
    config: ServerConfig
    healthz: Load
    post: Load
    warm: Load
    stored: Stored
    new_contacts: bool = False


def measure(
    database_url: str,
    config: ServerConfig,
    *,
    seconds: float,
    healthz_seconds: float,
    connections: int,
    new_contacts: bool = False,
) -> Measured:
    """Healthz then POST on one server on a freshly migrated database, after a warm-up."""
    with npsloop_env(database_url) as env:
        migrate(env)
        fixture = run_child(env, "bench.workspace_fixture", "Bench API")
        surveys = ",".join(str(s) for s in fixture["surveys"])

        def post_args(run: str) -> tuple[str, ...]:
            if new_contacts:
                return ("post-new", fixture["key"], surveys, run)
            return ("post", fixture["key"], surveys)

        with serving(env, config) as base:
            run_wrk(base, 2, connections, "healthz")
            warm = run_wrk(base, 3, connections, *post_args("warm"))
            healthz = run_wrk(base, healthz_seconds, connections, "healthz")
            post = run_wrk(base, seconds, connections, *post_args("load"))
        return Measured(config, healthz, post, warm, _stored(database_url), new_contacts)


def _stored(database_url: str) -> Stored:
    query = (
        "SELECT (SELECT count(*) FROM surveys_response), "
        "(SELECT count(*) FROM events_event WHERE type = 'response.created'), "
        "(SELECT count(DISTINCT contact_id) FROM surveys_response)"
    )
    done = subprocess.run(
        ["psql", database_url, "-tA", "-F", " ", "-c", query],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    responses, events, contacts = (int(n) for n in done.stdout.split())
    return Stored(responses, events, contacts)


def verdicts(measured: Measured) -> list[tuple[bool, str]]:
    post, healthz, stored = measured.post, measured.healthz, measured.stored
    targets = NEW_CONTACTS if measured.new_contacts else RETURNING_CONTACTS
    ratio = post.rate / healthz.rate if healthz.rate else 0.0
    # Requests still in flight when wrk stops are stored but not counted by wrk.
    acknowledged = post.succeeded + measured.warm.succeeded
    checks = []
    if targets.rate is not None:
        checks.append(
            (post.rate >= targets.rate, f"≥ {targets.rate:.0f} responses/s: {post.rate:.1f}")
        )
    checks += [
        (post.p99_ms <= targets.p99_ms, f"p99 ≤ {targets.p99_ms:.0f} ms: {post.p99_ms:.1f} ms"),
        (post.errors == 0, f"zero errors: {post.errors}"),
        (
            ratio >= targets.ratio,
            f"≥ {targets.ratio}x the healthz throughput: {ratio:.2f}x "
            f"({post.rate:.1f} / {healthz.rate:.1f} req/s)",
        ),
        (
            stored.responses >= acknowledged,
            f"every accepted response stored: {stored.responses} rows for "
            f"{acknowledged} 2xx answers (warm-up included)",
        ),
        (
            stored.events == stored.responses,
            f"one response.created event per response: {stored.events} events",
        ),
    ]
    if measured.new_contacts:
        checks.append(
            (
                stored.contacts == stored.responses,
                f"each response from its own new contact: {stored.contacts} contacts",
            )
        )
    return checks


def report(measured: Measured, connections: int) -> bool:
    who = "a new contact each" if measured.new_contacts else "20,000 contacts again and again"
    print(f"  {measured.config}, wrk 1 thread, {connections} connections; {who}")
    print(f"    GET /healthz           {measured.healthz.describe()}")
    print(f"    POST /api/v1/responses {measured.post.describe()}")
    checks = verdicts(measured)
    for ok, text in checks:
        print(f"    {'PASS' if ok else 'FAIL'}  {text}")
    return all(ok for ok, _ in checks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_api", description=__doc__)
    parser.add_argument("--seconds", type=float, default=60, help="POST duration (default 60)")
    parser.add_argument("--healthz-seconds", type=float, default=15)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="10 s of POST, 5 s of healthz")
    parser.add_argument(
        "--new-contacts",
        action="store_true",
        help="every POST from a contact never seen before (issue 13's targets)",
    )
    parser.add_argument(
        "--sweep", action="store_true", help="first try several server configurations briefly"
    )
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("bench_api: wrk is not installed (apt-get install -y wrk, or `make bench`)")
        return 1
    seconds = 10.0 if args.quick else args.seconds
    healthz_seconds = 5.0 if args.quick else args.healthz_seconds
    print(f"== POST /api/v1/responses on the web server + PostgreSQL ({seconds:.0f} s)")
    config = DEFAULT_CONFIG
    with postgres_database(DATABASE) as url:
        if args.sweep:
            config = _sweep(url, args.connections)
        measured = measure(
            url,
            config,
            seconds=seconds,
            healthz_seconds=healthz_seconds,
            connections=args.connections,
            new_contacts=args.new_contacts,
        )
    return 0 if report(measured, args.connections) else 1


def _sweep(database_url: str, connections: int) -> ServerConfig:
    """10 s of each configuration; the one with the most POSTs/s within the p99 target wins."""
    print("  sweep (10 s each):")
    results = []
    for config in SWEEP:
        measured = measure(
            database_url, config, seconds=10, healthz_seconds=5, connections=connections
        )
        results.append(measured)
        post = measured.post
        print(f"    {config!s:38} POST {post.describe()}  healthz {measured.healthz.rate:.0f}/s")
        _reset(database_url)
    limit = RETURNING_CONTACTS.p99_ms
    fitting = [m for m in results if m.post.p99_ms <= limit and m.post.errors == 0]
    best = max(fitting or results, key=lambda m: m.post.rate)
    return best.config


def _reset(database_url: str) -> None:
    """Empty the database between configurations, so each starts from the same state."""
    subprocess.run(
        [
            "psql",
            database_url,
            "-q",
            "-c",
            "SET client_min_messages = warning; DROP SCHEMA public CASCADE; CREATE SCHEMA public;",
        ],
        check=True,
    )


if __name__ == "__main__":
    raise SystemExit(main())
