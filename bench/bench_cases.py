"""The case inbox and the follow-up tab (issue 14) on PostgreSQL with 1,000,000 responses
and 200,000 cases, 50,000 of them open.

    python -m bench.bench_cases [--quick] [--runs 20] [--fresh] [--drop]
        [--responses N --contacts N --cases N --open N]

Target (issue 14): the inbox (its tabs My cases, Unassigned, Overdue, All, and a filter)
and the follow-up tab ≤ 200 ms p95, over HTTP like the dashboard bench: the data of
bench/cases_fixture.py (the dashboard bench's history plus members, teams and the cases),
a member's session, the production web server (`npsloop web`'s granian, 2 workers), each
page fetched over keep-alive HTTP once to warm up and then `runs` times, every answer 200
and HTML. A page that answers 404 is not built on this branch: it is reported as such,
not timed, and does not fail the bench. The database of the default sizes
(`npsloop_bench_cases`) is kept and reused when it holds exactly those sizes; `--fresh`
generates it anew, `--drop` drops it at the end; other sizes (and --quick) use
`npsloop_bench_cases_small`, made and dropped in each run.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.bench_dashboard import BadAnswer, Page, _fetch_counting_cpu, _pg, _recreate
from bench.bench_metrics import percentile
from bench.cases_fixture import VERSION
from bench.servers import PG_HOST, PG_USER, migrate, npsloop_env, run_child, web_server

DATABASE = "npsloop_bench_cases"
SMALL_DATABASE = "npsloop_bench_cases_small"
FIXTURE = "bench.cases_fixture"
SIZE = {"responses": 1_000_000, "contacts": 100_000, "cases": 200_000, "open": 50_000}
QUICK = {"responses": 20_000, "contacts": 2_000, "cases": 4_000, "open": 1_000}
RUNS, QUICK_RUNS = 20, 3
TARGET_MS = 200.0


def pages(slug: str, survey: int, owner: int) -> list[Page]:
    inbox = f"/w/{slug}/cases/"
    follow_up = f"/w/{slug}/follow-up/"
    return [
        Page("inbox: my cases", f"{inbox}?tab=mine", TARGET_MS),
        Page("inbox: unassigned", f"{inbox}?tab=unassigned", TARGET_MS),
        Page("inbox: overdue", f"{inbox}?tab=overdue", TARGET_MS),
        Page("inbox: all", f"{inbox}?tab=all", TARGET_MS),
        Page(
            "inbox: all, detractors, 90 d",
            f"{inbox}?tab=all&category=detractor&period=90d",
            TARGET_MS,
        ),
        Page("follow-up, 90 days", f"{follow_up}?period=90d", TARGET_MS),
        Page("follow-up, year", f"{follow_up}?period=year&survey={survey}", TARGET_MS),
        Page("follow-up, year, one owner", f"{follow_up}?period=year&owner={owner}", TARGET_MS),
    ]


def measure(env: dict[str, str], facts: dict[str, Any], runs: int) -> bool:
    cookie = run_child(env, FIXTURE, "login")["cookie"]
    name = urlsplit(env["NPSLOOP_DATABASE_URL"]).path.lstrip("/")
    timed = pages(facts["workspace"], facts["survey_id"], facts["owner"])
    missing: list[Page] = []
    with web_server(env, workers=2) as base:
        bind = f"--bind=127.0.0.1:{urlsplit(base).port}"
        load = Path("/proc/loadavg").read_text().split()[:3]
        for page in timed:
            try:
                _fetch_counting_cpu(base, cookie, page, runs, bind, name)
            except BadAnswer as error:
                page.error = str(error)
                if str(error).startswith("answered 404"):
                    missing.append(page)
    print(
        f"  {'page':32} {'median':>9} {'p95':>9} {'max':>9} {'size':>6}  "
        f"{'CPU per page: web + db':>22}   ({runs} runs each; load average {', '.join(load)})"
    )
    passed = True
    for page in timed:
        if page in missing:
            print(f"  SKIP  {page.name}: GET {page.path} answered 404 (not built on this branch)")
            continue
        if page.error:
            print(f"  FAIL  {page.name}: GET {page.path} {page.error}")
            passed = False
            continue
        p95 = percentile(page.timings, 0.95)
        ok = p95 <= page.target_ms
        passed = passed and ok
        print(
            f"  {page.name:32} {statistics.median(page.timings):6.1f} ms {p95:6.1f} ms "
            f"{max(page.timings):6.1f} ms {page.size / 1024:3.0f} KB  "
            f"{page.web_cpu_ms:8.1f} + {page.db_cpu_ms:6.1f} ms  "
            f"{'PASS' if ok else 'FAIL'} ≤ {page.target_ms:.0f} ms (p95)"
        )
    return passed


def run(sizes: dict[str, int], runs: int, fresh: bool, drop: bool) -> bool:
    keep = sizes == SIZE
    name = DATABASE if keep else SMALL_DATABASE
    print(
        f"\n== postgres: {sizes['responses']:,} responses from {sizes['contacts']:,} contacts, "
        f"{sizes['cases']:,} cases ({sizes['open']:,} open)"
    )
    exists = _pg("psql", "-Atc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'", "postgres")
    created = fresh or not keep or not exists.strip()
    if created:
        _recreate(name)
    try:
        with npsloop_env(f"postgres://{PG_USER}@{PG_HOST}:5432/{name}") as env:
            migrate(env)
            facts = run_child(env, FIXTURE, "describe")
            wanted = {**sizes, "version": VERSION}
            if facts is not None and all(facts.get(k) == v for k, v in wanted.items()):
                print(f"  reusing {name} (--fresh to generate anew)")
            else:
                if not created:
                    print(f"  {name} holds other data: generating it anew")
                    _recreate(name)
                    migrate(env)
                started = time.perf_counter()
                facts = run_child(env, FIXTURE, "seed", *(f"--{k}={v}" for k, v in sizes.items()))
                print(
                    f"  generated in {time.perf_counter() - started:.0f} s (responses "
                    f"{facts['responses_s']:.0f} s, cases {facts['cases_s']:.0f} s; bulk load)"
                )
            return measure(env, facts, runs)
    finally:
        if drop or not keep:
            _pg("dropdb", "--if-exists", "--force", name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_cases", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="20,000 responses, 3 runs")
    parser.add_argument("--runs", type=int, help=f"timed fetches per page (default {RUNS})")
    parser.add_argument("--fresh", action="store_true", help="generate the kept database anew")
    parser.add_argument("--drop", action="store_true", help="drop the kept database at the end")
    for key, value in SIZE.items():
        parser.add_argument(f"--{key}", type=int, help=f"default {value:,}")
    args = parser.parse_args(argv)
    runs = args.runs or (QUICK_RUNS if args.quick else RUNS)
    if runs < 1:
        parser.error(f"--runs must be at least 1, got {runs}")
    base = QUICK if args.quick else SIZE
    sizes = {key: getattr(args, key) or value for key, value in base.items()}
    if min(sizes.values()) < 1 or not sizes["open"] <= sizes["cases"] <= sizes["responses"]:
        parser.error(f"sizes must be at least 1 with open ≤ cases ≤ responses, got {sizes}")
    started = time.perf_counter()
    passed = run(sizes, runs, args.fresh, args.drop)
    print(f"\n  cases bench done in {time.perf_counter() - started:.0f} s")
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
