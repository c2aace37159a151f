"""POST /widget/v1/check, the in-app widget's "show a survey or not", on the production web
server (granian, as `npsloop web` runs it) with PostgreSQL.

    python -m bench.bench_widget [--seconds 60] [--connections 50] [--quick] [--profile]

Targets (issue 4): ≥ 1,500 checks/s and p99 ≤ 30 ms with 50 connections, the load from wrk
on loopback sharing the machine's cores. The data is a customer's: 20,000 users who are
contacts already, most asked or answered within the cooldown (their checks answer
show: false), a few never asked (their first check shows the survey and records a display,
later ones show the same open survey again); every check identifies a random user with the
properties they were stored with and a valid userHash (bench/widget_fixture.py). GET
/healthz on the same server in the same run is the reference; 8 connections are reported
beside 50. `--profile` then shows where a check's time goes: py-spy on the web server's workers
under load and, in a child process, the SQL statements of each kind of answer and a
cProfile of the checks.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.bench_api import DEFAULT_CONFIG, Load, ServerConfig, serving
from bench.cpu import TICKS, cpu_by_process, spent
from bench.servers import (
    ROOT,
    migrate,
    npsloop_env,
    postgres_database,
    run_child,
    server_process,
)

DATABASE = "npsloop_bench_widget"
SCRIPT = Path(__file__).with_name("widget.lua")
PY_SPY = Path(sys.executable).with_name("py-spy")
ORIGIN = "https://app.example.com"
TARGET_RATE = 1500.0
TARGET_P99_MS = 30.0


@dataclass
class Checks(Load):
    """What wrk saw, what the checks answered ("show" or the reason for not showing), and
    the CPU that processes other than the server, the database and wrk took meanwhile."""

    answers: dict[str, int] = field(default_factory=dict)
    others_cpu: float = 0.0

    def describe_answers(self) -> str:
        total = sum(self.answers.values()) or 1
        ordered = sorted(self.answers.items(), key=lambda item: -item[1])
        return ", ".join(f"{answer} {n / total * 100:.1f} %" for answer, n in ordered)

    def describe_others(self) -> str:
        return f"CPU of other processes on the machine meanwhile: {self.others_cpu:.1f} s"


def run_wrk(base: str, seconds: float, connections: int, *script_args: str) -> Checks:
    """One bounded wrk run over widget.lua; CPU of the web server and database beside it."""
    port = base.rsplit(":", 1)[1]

    server = server_process(int(port))

    def database(command: str) -> bool:
        return command.startswith("postgres:") and f" {DATABASE} " in command

    server_before, database_before = cpu_by_process(server), cpu_by_process(database)
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    machine_before = _machine_busy()
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
    machine = _machine_busy() - machine_before
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
    return Checks(
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
        answers=raw["answers"],
        others_cpu=max(0.0, machine - sum(cpu.values())),
    )


def _machine_busy() -> float:
    """CPU seconds all cores have spent busy since boot (/proc/stat)."""
    fields = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle, iowait = fields[3], fields[4]
    return (sum(fields[:8]) - idle - iowait) / TICKS


def post_check(base: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """One check as the widget sends it, outside the load."""
    request = urllib.request.Request(
        f"{base}/widget/v1/check",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Origin": ORIGIN},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def check_answers(base: str, bodies: list[dict[str, Any]], examples: dict[str, int]) -> None:
    """Before the load: the answers the seeded histories must give, so that the load
    measures the checks it claims to, and not 403s or a survey shown to everyone."""
    expected = {
        "email answered": "cooldown",
        "email unanswered": "cooldown",
        "widget answered": "cooldown",
        "link answered": "cooldown",
        "widget dismissed": "dismissed",
    }
    for history, reason in expected.items():
        if history in examples:
            status, answer = post_check(base, bodies[examples[history]])
            if status != 200 or (answer.get("show"), answer.get("reason")) != (False, reason):
                raise RuntimeError(f"a user with history {history!r} got {status} {answer}")
    if "never asked" in examples:
        body = bodies[examples["never asked"]]
        first = post_check(base, body)
        again = post_check(base, body)
        if first[0] != 200 or not first[1].get("show"):
            raise RuntimeError(f"a user never asked was not shown the survey: {first}")
        if again[0] != 200 or again[1].get("token") != first[1]["token"]:
            raise RuntimeError(f"a second check did not show the same open survey: {again}")
    status, answer = post_check(base, dict(bodies[0], userHash="0" * 64))
    if status != 403:
        raise RuntimeError(f"a check with a forged userHash answered {status} {answer}")
    print(
        "  checked before the load: users in the cooldown and a dismissal not shown; a user "
        "never asked shown, and the same survey on the next check; a forged userHash "
        "refused (the 'Forbidden' line above)"
    )


@dataclass
class Measured:
    healthz: Checks
    checks: Checks
    low: Checks  # the same checks with fewer connections
    state: dict[str, Any]
    fixture: dict[str, Any]
    server_profile: list[str] = field(default_factory=list)


def verdicts(measured: Measured, connections: int) -> list[tuple[bool, str]]:
    checks, state = measured.checks, measured.state
    fresh = measured.fixture["histories"].get("never asked", 0)
    shown = checks.answers.get("show", 0)
    errors = (checks.errors, measured.low.errors, measured.healthz.errors)
    return [
        (checks.rate >= TARGET_RATE, f"≥ {TARGET_RATE:,.0f} checks/s: {checks.rate:,.1f}"),
        (
            checks.p99_ms <= TARGET_P99_MS,
            f"p99 ≤ {TARGET_P99_MS:.0f} ms with {connections} connections: {checks.p99_ms:.1f} ms",
        ),
        (
            not any(errors),
            "no answer other than 2xx: {} errors ({} with fewer connections, {} healthz)".format(
                *errors
            ),
        ),
        (
            shown < checks.succeeded / 2,
            f"most checks answer show: false, as in real use: {shown:,} of "
            f"{checks.succeeded:,} shown",
        ),
        (
            state["contacts_changed"] == 0,
            f"the contact upsert changed nothing: {state['contacts_changed']} contacts updated",
        ),
        (
            state["displays"] == state["displayed_contacts"] <= fresh,
            f"one display per user never asked, at most: {state['displays']} displays for "
            f"{state['displayed_contacts']} users, {fresh} never asked",
        ),
    ]


def report(
    measured: Measured, config: ServerConfig, connections: int, low_connections: int
) -> bool:
    healthz, checks, low = measured.healthz, measured.checks, measured.low
    production = " (as `npsloop web` on 2 cores)" if config == DEFAULT_CONFIG else ""
    print(f"  {config}{production}, wrk 1 thread on loopback")
    print(f"    GET /healthz, {connections} connections         {healthz.describe()}")
    print(f"      {healthz.describe_others()}")
    print(f"    POST /widget/v1/check, {connections} connections {checks.describe()}")
    print(f"      answers: {checks.describe_answers()}")
    print(f"      {checks.describe_others()}")
    print(f"    POST /widget/v1/check, {low_connections} connections  {low.describe()}")
    print(f"      {low.describe_others()}")
    if checks.requests:
        # Each connection waits for its answer before asking again, so the mean latency is
        # connections / rate (Little's law): the p99 target needs at least this rate.
        cores = os.cpu_count() or 1
        cpu = (checks.cpu["server"] + checks.cpu["database"]) / checks.requests
        needed = connections / TARGET_P99_MS * 1000
        print(
            f"    mean latency = {connections} connections / {checks.rate:,.0f} checks/s = "
            f"{connections / max(checks.rate, 1) * 1000:.0f} ms. A p99 ≤ {TARGET_P99_MS:.0f} ms "
            f"needs a mean below it, so > {needed:,.0f} checks/s: under "
            f"{cores / needed * 1000:.2f} ms of server + database CPU per check on {cores} "
            f"cores, wrk's share not counted (now {cpu * 1000:.2f} ms: {cores / cpu:,.0f} "
            "checks/s at most)"
        )
        ratio = checks.rate / healthz.rate if healthz.rate else 0.0
        print(f"    {ratio:.2f}x the healthz throughput ({healthz.rate:,.0f} req/s)")
    state = measured.state
    print(
        f"    after the load: {state['displays']} displays recorded, {state['shown_again']} of "
        f"them shown again later; contacts updated: {state['contacts_changed']}"
    )
    results = verdicts(measured, connections)
    for ok, text in results:
        print(f"    {'PASS' if ok else 'FAIL'}  {text}")
    return all(ok for ok, _ in results)


def measure(
    args: argparse.Namespace, config: ServerConfig, env: dict[str, str], folder: Path
) -> tuple[Measured, Path]:
    migrate(env)
    bodies_path = folder / "check-bodies.jsonl"
    fixture = run_child(
        env,
        "bench.widget_fixture",
        "seed",
        f"--users={args.users}",
        f"--bodies={bodies_path}",
        f"--fresh-share={args.fresh_share}",
    )
    histories = ", ".join(f"{name} {n:,}" for name, n in fixture["histories"].items())
    print(
        f"  seeded in {fixture['seconds']:.0f} s: {fixture['users']:,} users ({histories}); "
        f"{fixture['asks']:,} asks and {fixture['responses']:,} responses of history"
    )
    bodies = [json.loads(line) for line in bodies_path.read_text(encoding="utf-8").splitlines()]
    check = ("check", str(bodies_path))
    with serving(env, config) as base:
        check_answers(base, bodies, fixture["examples"])
        run_wrk(base, 3, args.connections, *check)  # warm-up: imports, connections, memories
        healthz = run_wrk(base, args.healthz_seconds, args.connections, "healthz")
        checks = run_wrk(base, args.seconds, args.connections, *check)
        low = run_wrk(base, args.low_seconds, args.low_connections, *check)
        server_profile = profile_server(base, args.connections, check) if args.profile else []
    state = run_child(env, "bench.widget_fixture", "state", f"--since={fixture['seeded_at']}")
    return Measured(healthz, checks, low, state, fixture, server_profile), bodies_path


# ---------------------------------------------------------------------------- profile


def profile_server(
    base: str, connections: int, check: tuple[str, ...], seconds: int = 20
) -> list[str]:
    """py-spy on the web server's workers while wrk loads them: where their Python time goes.
    Returns the lines to print after the figures, which this extra load must not disturb."""
    if not PY_SPY.exists():
        return [f"(no py-spy at {PY_SPY}: `.venv/bin/pip install py-spy` for a server profile)"]
    port = base.rsplit(":", 1)[1]
    [master] = [
        pid for pid in cpu_by_process(server_process(int(port))) if _parent(pid) == os.getpid()
    ]
    with tempfile.NamedTemporaryFile(suffix=".txt") as output:
        # --gil: only samples of threads holding the GIL, i.e. running Python; a thread
        # waiting for PostgreSQL or for the GIL would otherwise count as busy.
        spy = subprocess.Popen(
            [
                str(PY_SPY), "record", f"--pid={master}", "--subprocesses", "--nonblocking",
                "--gil", "--rate=100", f"--duration={seconds}", "--format=raw",
                f"--output={output.name}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        load = run_wrk(base, seconds, connections, *check)
        _, errors = spy.communicate(timeout=seconds + 60)
        if spy.returncode != 0:
            return [f"py-spy failed ({spy.returncode}): {errors.strip()[-500:]}"]
        stacks = Path(output.name).read_text(encoding="utf-8").splitlines()
    return [
        f"== py-spy on the web server's workers, {seconds} s at {connections} connections "
        f"({load.rate:,.0f} checks/s while sampled at 100 Hz)",
        *summarize_stacks(stacks),
    ]


def _parent(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[1])


# Where a sample's innermost frame is, by the start of its file's path as py-spy prints it.
AREAS = [
    ("psycopg (the driver: adapting parameters, sending SQL, reading rows)", ("psycopg",)),
    ("Django ORM (building SQL, turning rows into models)", ("django/db/",)),
    ("the locmem cache (pickling)", ("django/core/cache/", "pickle", "copyreg")),
    ("Django request handling, URL routing, middleware, responses", ("django/",)),
    ("the web server's Python side (granian, gunicorn)", ("gunicorn/", "granian/")),
    ("npsloop itself", ("npsloop/",)),
    ("json", ("json/",)),
]


def summarize_stacks(lines: list[str]) -> list[str]:
    """py-spy's raw output: one `frame;frame;…;innermost count` line per distinct stack,
    each frame `function (path:line)`."""
    total = 0
    areas: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    npsloop_innermost: Counter[str] = Counter()
    for line in lines:
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_frame(text) for text in stack.split(";") if not text.startswith("process ")]
        if not frames:
            continue
        total += count
        path = frames[-1][1]
        areas[next((name for name, starts in AREAS if path.startswith(starts)), "other")] += count
        for name in {f"{function} ({path})" for function, path in frames if _named(path)}:
            inclusive[name] += count
        for function, path in reversed(frames):
            if path.startswith("npsloop/"):
                npsloop_innermost[f"{function} ({path})"] += count
                break
    if not total:
        return ["  no samples"]
    return [
        f"  {total:,} samples of worker threads holding the GIL (running Python, not waiting "
        "for PostgreSQL or for the GIL)",
        "  by the file of the innermost frame:",
        *(f"    {n / total * 100:5.1f} %  {name}" for name, n in areas.most_common()),
        "  by function, including what it calls (npsloop, Django's handler and SQL compiler):",
        *(f"    {n / total * 100:5.1f} %  {name}" for name, n in inclusive.most_common(30)),
        "  by the innermost npsloop function on the stack (the npsloop code behind the time):",
        *(f"    {n / total * 100:5.1f} %  {name}" for name, n in npsloop_innermost.most_common(15)),
    ]


def _frame(text: str) -> tuple[str, str]:
    function, _, where = text.partition(" (")
    return function, where.rstrip(")").rsplit(":", 1)[0]


def _named(path: str) -> bool:
    return path.startswith(("npsloop/", "django/core/handlers/", "django/db/models/sql/"))


def profile_in_process(env: dict[str, str], bodies: Path, checks: int) -> None:
    print(f"\n== in a child process: SQL per check, CPU per check, cProfile ({checks} checks)")
    subprocess.run(
        [
            sys.executable, "-m", "bench.widget_fixture", "profile", f"--bodies={bodies}",
            f"--checks={checks}",
        ],
        env=env, cwd=ROOT, check=True,
    )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_widget", description=__doc__)
    parser.add_argument("--seconds", type=float, default=60, help="judged run (default 60)")
    parser.add_argument("--connections", type=int, default=50, help="judged run (default 50)")
    parser.add_argument("--low-connections", type=int, default=8)
    parser.add_argument("--low-seconds", type=float, default=30)
    parser.add_argument("--healthz-seconds", type=float, default=15)
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--fresh-share", type=float, default=0.05, help="users never asked")
    parser.add_argument("--quick", action="store_true", help="10 s judged, 5 s for the others")
    parser.add_argument(
        "--profile", action="store_true", help="then py-spy the server, count SQL, cProfile"
    )
    parser.add_argument("--profile-checks", type=int, default=2000)
    parser.add_argument(
        "--workers", type=int, default=DEFAULT_CONFIG.workers, help="web server processes"
    )
    parser.add_argument("--threads", type=int, default=DEFAULT_CONFIG.threads, help="per process")
    parser.add_argument(
        "--server",
        choices=["granian", "gunicorn"],
        default="granian",
        help="granian (what `npsloop web` runs) or gunicorn's gthread worker, to compare",
    )
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("bench_widget: wrk is not installed (apt-get install -y wrk, or `make bench`)")
        return 1
    if args.quick:
        args.seconds, args.low_seconds, args.healthz_seconds = 10.0, 5.0, 5.0
    load = os.getloadavg()[0]
    print(
        f"== POST /widget/v1/check on {args.server} + PostgreSQL, {args.connections} connections "
        f"for {args.seconds:.0f} s ({args.low_connections} for {args.low_seconds:.0f} s), "
        f"random users of {args.users:,}; load average before: {load:.2f}"
    )
    with (
        postgres_database(DATABASE) as url,
        npsloop_env(url) as env,
        tempfile.TemporaryDirectory(prefix="npsloop-bench-") as folder,
    ):
        kind = "granian" if args.server == "granian" else "gthread"
        config = ServerConfig(args.workers, kind, args.threads)
        measured, bodies = measure(args, config, env, Path(folder))
        passed = report(measured, config, args.connections, args.low_connections)
        if measured.server_profile:
            print("\n" + "\n".join(measured.server_profile))
        if args.profile:
            profile_in_process(env, bodies, args.profile_checks)
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
