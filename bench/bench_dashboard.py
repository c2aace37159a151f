"""The insights dashboard (issue 6) over 10,000,000 responses on PostgreSQL and 1,000,000 on
SQLite, and `npsloop rollups rebuild` of the ten million.

    python -m bench.bench_dashboard [--quick] [--only postgres|sqlite] [--runs 20] [--fresh]
        [--drop] [--responses N --contacts N] [--sqlite-responses N --sqlite-contacts N]

Targets (issue 6): on PostgreSQL with 10,000,000 responses and 1,000,000 contacts, the
overview, the trend and the segments by channel or wave ≤ 300 ms p95 and the segments by a
contact property ≤ 3 s p95; on SQLite with 1,000,000 responses the overview ≤ 500 ms p95;
`npsloop rollups rebuild` of the 10,000,000 responses ≤ 3 minutes.

For each database: the data of bench/dashboard_fixture.py (one workspace, one survey, two
years of answers), then the real `rollups.rebuild_now()` timed in a child process and its
totals checked, then a superuser's session and the production web server (granian,
2 workers of 2 threads, as `npsloop web` starts it). Each page is fetched over keep-alive
HTTP, one request at a time, once to warm up and then `runs` times; every answer must be
200 and HTML, or the page fails and has no figures. Generating ten million rows takes
minutes, so the PostgreSQL database of the default sizes (`npsloop_bench_dashboard`) is
kept between runs and reused when it holds exactly those sizes from the same generator;
`--fresh` generates it anew, `--drop` drops it at the end. Other sizes (and --quick) use
`npsloop_bench_dashboard_small`, made and dropped in each run; SQLite always gets a new file.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.bench_metrics import percentile
from bench.cpu import cpu_by_process, spent
from bench.dashboard_fixture import VERSION
from bench.servers import (
    PG_HOST,
    PG_USER,
    migrate,
    npsloop_env,
    run_child,
    server_process,
    web_server,
)

DATABASE = "npsloop_bench_dashboard"
SMALL_DATABASE = "npsloop_bench_dashboard_small"
FIXTURE = "bench.dashboard_fixture"
SIZES = {"postgres": (10_000_000, 1_000_000), "sqlite": (1_000_000, 100_000)}
QUICK_SIZE = (200_000, 20_000)
RUNS, QUICK_RUNS = 20, 5
TARGET_REBUILD_S = 180.0
TARGET_PAGE_MS = 300.0
TARGET_PROPERTY_MS = 3000.0
TARGET_SQLITE_MS = 500.0


@dataclass
class Page:
    name: str
    path: str
    target_ms: float
    timings: list[float] = field(default_factory=list)
    size: int = 0
    error: str = ""
    web_cpu_ms: float = 0.0  # per request, of the web server's workers
    db_cpu_ms: float = 0.0  # per request, of PostgreSQL's processes for this database


def postgres_pages(slug: str, survey: int) -> list[Page]:
    home = f"/w/{slug}"
    query = f"survey={survey}&period=year"
    return [
        Page("overview, 90 days", f"{home}/?survey={survey}&period=90d", TARGET_PAGE_MS),
        Page("overview, year", f"{home}/?{query}", TARGET_PAGE_MS),
        Page("trend, year by week", f"{home}/trend/?{query}&grain=week", TARGET_PAGE_MS),
        Page("segments by channel", f"{home}/segments/?{query}&by=channel", TARGET_PAGE_MS),
        Page("segments by wave", f"{home}/segments/?{query}&by=wave", TARGET_PAGE_MS),
        Page(
            "segments by plan (property)", f"{home}/segments/?{query}&by=plan", TARGET_PROPERTY_MS
        ),
    ]


def sqlite_pages(slug: str, survey: int) -> list[Page]:
    home = f"/w/{slug}"
    return [
        Page("overview, 90 days", f"{home}/?survey={survey}&period=90d", TARGET_SQLITE_MS),
        Page("overview, year", f"{home}/?survey={survey}&period=year", TARGET_SQLITE_MS),
    ]


class BadAnswer(Exception):
    pass


def fetch(base: str, cookie: str, page: Page, runs: int) -> None:
    """One warm-up and `runs` timed GETs of the page on one keep-alive connection."""
    address = urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=120)
    headers = {"Cookie": cookie, "Accept": "text/html"}
    try:
        for run in range(runs + 1):
            started = time.perf_counter()
            connection.request("GET", page.path, headers=headers)
            answer = connection.getresponse()
            body = answer.read()
            elapsed = (time.perf_counter() - started) * 1000
            kind = answer.getheader("Content-Type", "")
            if answer.status != 200 or not kind.startswith("text/html"):
                where = answer.getheader("Location")
                raise BadAnswer(
                    f"answered {answer.status} {kind}"
                    + (f" to {where}" if where else "")
                    + f": {body[:200]!r}"
                )
            if b"<html" not in body.lower():
                raise BadAnswer(f"answered 200 without an HTML document: {body[:200]!r}")
            if run:
                page.timings.append(elapsed)
            page.size = len(body)
    finally:
        connection.close()


def _fetch_counting_cpu(
    base: str, cookie: str, page: Page, runs: int, bind: str, database: str
) -> None:
    """fetch(), and the CPU the web server and the database spent per request meanwhile:
    on a shared machine the wall time moves with the neighbours' load, the CPU much less."""

    web = server_process(int(bind.rsplit(":", 1)[1]))

    def db(command: str) -> bool:
        # A backend names its database; the parallel workers helping it do not.
        return (
            bool(database)
            and command.startswith("postgres: ")
            and (f" {database} " in command or "parallel worker" in command)
        )

    web_before, db_before = cpu_by_process(web), cpu_by_process(db)
    fetch(base, cookie, page, runs)
    requests = runs + 1  # the warm-up too
    page.web_cpu_ms = spent(web_before, cpu_by_process(web)) / requests * 1000
    page.db_cpu_ms = spent(db_before, cpu_by_process(db)) / requests * 1000


def _workers_peak_rss_mb(base: str) -> list[float]:
    """VmHWM of the web server's workers serving `base` (the master left out)."""
    serving = server_process(urlsplit(base).port or 0)
    found: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            if not serving(command):
                continue
            status = dict(
                line.split(":", 1) for line in (entry / "status").read_text().splitlines()
            )
        except OSError:
            continue  # the process ended while we looked
        found[int(entry.name)] = (int(status["PPid"]), int(status["VmHWM"].split()[0]) / 1024)
    return sorted(peak for parent, peak in found.values() if parent in found)


def measure(env: dict[str, str], facts: dict[str, Any], pages: list[Page], runs: int) -> bool:
    """Rebuild the rollups, check them, then time the pages; print and judge."""
    database = "postgres" if env["NPSLOOP_DATABASE_URL"] else "sqlite"
    rebuilt = run_child(env, FIXTURE, "rebuild")
    passed = True
    counted = rebuilt["rollup_total"] == rebuilt["responses"] == facts["responses"]
    print(
        f"  rollups.rebuild_now() (`npsloop rollups rebuild`): {rebuilt['seconds']:.1f} s, "
        f"{rebuilt['rows']:,} rows, peak RSS {rebuilt['peak_rss_mb']:.0f} MB"
    )
    print(
        f"  {'PASS' if counted else 'FAIL'}  the rollups count {rebuilt['rollup_total']:,} "
        f"answers; the table holds {rebuilt['responses']:,}, {facts['responses']:,} generated"
    )
    passed = passed and counted
    if database == "postgres":
        ok = rebuilt["seconds"] <= TARGET_REBUILD_S
        print(
            f"  {'PASS' if ok else 'FAIL'}  rebuild {facts['responses']:,} responses "
            f"≤ {TARGET_REBUILD_S:.0f} s: {rebuilt['seconds']:.1f} s"
        )
        passed = passed and ok
    cookie = run_child(env, FIXTURE, "login")["cookie"]
    name = urlsplit(env["NPSLOOP_DATABASE_URL"]).path.lstrip("/")
    with web_server(env, workers=2) as base:
        bind = f"--bind=127.0.0.1:{urlsplit(base).port}"
        load = Path("/proc/loadavg").read_text().split()[:3]
        for page in pages:
            try:
                _fetch_counting_cpu(base, cookie, page, runs, bind, name)
            except BadAnswer as error:
                page.error = str(error)
        workers = _workers_peak_rss_mb(base)
    print(
        f"  {'page':30} {'median':>9} {'p95':>9} {'max':>9} {'size':>6}  "
        f"{'CPU per page: web + db':>22}   ({runs} runs each; load average {', '.join(load)})"
    )
    for page in pages:
        if page.error:
            print(f"  FAIL  {page.name}: GET {page.path} {page.error}")
            passed = False
            continue
        p95 = percentile(page.timings, 0.95)
        ok = p95 <= page.target_ms
        passed = passed and ok
        cpu = (
            f"{page.web_cpu_ms:8.1f} + {page.db_cpu_ms:6.1f} ms"
            if name
            else f"{page.web_cpu_ms:8.1f} (SQLite in it)"
        )
        print(
            f"  {page.name:30} {statistics.median(page.timings):6.1f} ms {p95:6.1f} ms "
            f"{max(page.timings):6.1f} ms {page.size / 1024:3.0f} KB  {cpu}  "
            f"{'PASS' if ok else 'FAIL'} ≤ {page.target_ms:.0f} ms (p95)"
        )
    if workers:
        print(f"  web server workers' peak RSS: {', '.join(f'{mb:.0f} MB' for mb in workers)}")
    return passed


def _seeded(env: dict[str, str], responses: int, contacts: int) -> dict[str, Any]:
    started = time.perf_counter()
    facts: dict[str, Any] = run_child(
        env,
        FIXTURE,
        "seed",
        f"--responses={responses}",
        f"--contacts={contacts}",
        "--fast-load",
    )
    analyze = "VACUUM ANALYZE" if env["NPSLOOP_DATABASE_URL"] else "ANALYZE"
    print(
        f"  generated in {time.perf_counter() - started:.0f} s: rows written in "
        f"{facts['write_s']:.0f} s, rollups {facts['rollups_s']:.0f} s, {analyze} "
        f"{facts['analyze_s']:.0f} s; generator's peak RSS {facts['peak_rss_mb']:.0f} MB"
    )
    return facts


def _banner(database: str, responses: int, contacts: int) -> None:
    print(
        f"\n== {database}: {responses:,} responses from {contacts:,} contacts in "
        f"{contacts // 20:,} accounts, one survey, two years"
    )


def _pg(command: str, *args: str) -> str:
    quiet = {**os.environ, "PGOPTIONS": "-c client_min_messages=warning"}
    done = subprocess.run(
        [command, "-h", PG_HOST, "-U", PG_USER, *args],
        check=True,
        env=quiet,
        stdout=subprocess.PIPE,
        text=True,
    )
    return done.stdout


def _recreate(name: str) -> None:
    _pg("dropdb", "--if-exists", "--force", name)
    _pg("createdb", name)


def run_postgres(
    responses: int, contacts: int, runs: int, fresh: bool, drop: bool, keep: bool
) -> bool:
    name = DATABASE if keep else SMALL_DATABASE
    _banner("postgres", responses, contacts)
    exists = _pg("psql", "-Atc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'", "postgres")
    created = fresh or not keep or not exists.strip()
    if created:
        _recreate(name)
    try:
        with npsloop_env(f"postgres://{PG_USER}@{PG_HOST}:5432/{name}") as env:
            migrate(env)
            facts = run_child(env, FIXTURE, "describe")
            wanted = {"version": VERSION, "responses": responses, "contacts": contacts}
            if facts is not None and all(facts[k] == v for k, v in wanted.items()):
                seconds = facts["write_s"] + facts["rollups_s"] + facts["analyze_s"]
                print(
                    f"  reusing {name}, generated by an earlier run in {seconds:.0f} s "
                    "(--fresh to generate anew)"
                )
            else:
                if not created:
                    # A partial run's leftovers, or data of other sizes or generator versions.
                    print(f"  {name} holds other data: generating it anew")
                    _recreate(name)
                    migrate(env)
                facts = _seeded(env, responses, contacts)
            return measure(env, facts, postgres_pages(facts["workspace"], facts["survey_id"]), runs)
    finally:
        if drop or not keep:
            _pg("dropdb", "--if-exists", "--force", name)


def run_sqlite(responses: int, contacts: int, runs: int) -> bool:
    _banner("sqlite", responses, contacts)
    # An empty NPSLOOP_DATABASE_URL is the embedded default: SQLite in NPSLOOP_HOME.
    with npsloop_env("") as env:
        migrate(env)
        facts = _seeded(env, responses, contacts)
        return measure(env, facts, sqlite_pages(facts["workspace"], facts["survey_id"]), runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_dashboard", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="200,000 responses, 5 runs")
    parser.add_argument("--only", choices=["postgres", "sqlite"])
    parser.add_argument("--runs", type=int, help=f"timed fetches per page (default {RUNS})")
    parser.add_argument("--fresh", action="store_true", help="generate the kept database anew")
    parser.add_argument("--drop", action="store_true", help="drop the kept database at the end")
    parser.add_argument("--responses", type=int, help="PostgreSQL size (default 10,000,000)")
    parser.add_argument("--contacts", type=int, help="PostgreSQL size (default 1,000,000)")
    parser.add_argument("--sqlite-responses", type=int, help="SQLite size (default 1,000,000)")
    parser.add_argument("--sqlite-contacts", type=int, help="SQLite size (default 100,000)")
    args = parser.parse_args(argv)
    runs = args.runs or (QUICK_RUNS if args.quick else RUNS)
    if runs < 1:
        parser.error(f"--runs must be at least 1, got {runs}")
    sizes = {
        "postgres": (args.responses, args.contacts),
        "sqlite": (args.sqlite_responses, args.sqlite_contacts),
    }
    passed = True
    started = time.perf_counter()
    for database, (responses, contacts) in sizes.items():
        if args.only and database != args.only:
            continue
        default = QUICK_SIZE if args.quick else SIZES[database]
        responses, contacts = responses or default[0], contacts or default[1]
        if responses < 1 or contacts < 1:
            parser.error(
                f"sizes must be at least 1, got {responses} responses, {contacts} contacts"
            )
        if database == "postgres":
            keep = (responses, contacts) == SIZES["postgres"]
            ok = run_postgres(responses, contacts, runs, args.fresh, args.drop, keep)
        else:
            ok = run_sqlite(responses, contacts, runs)
        passed = passed and ok
    print(f"\n  dashboard bench done in {time.perf_counter() - started:.0f} s")
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
