"""GET /api/v1/metrics over 1,000,000 responses on PostgreSQL.

    python -m bench.bench_metrics [--responses 1000000] [--runs 20] [--quick]

Target (issue 2): ≤ 200 ms. A dedicated database is seeded with a year of responses (see
bench/seed_responses.py), then each question is asked `runs` times through the production
web server (granian, keep-alive HTTP on loopback, one request at a time) and, separately,
of compute_metrics() in-process, so the report tells the counting from the HTTP around it.
Questions grouped by a contact property or an account are counted from the raw responses,
not from the daily rollups, and are expected to be slower; they are reported all the same.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import statistics
import time
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from bench.servers import migrate, npsloop_env, postgres_database, run_child, web_server

DATABASE = "npsloop_bench_metrics"
TARGET_MS = 200.0


def cases(survey: int, today: date) -> dict[str, dict[str, str]]:
    """The questions a dashboard asks, as query parameters of /api/v1/metrics."""
    return {
        "all time": {},
        "survey + since/until (one quarter)": {
            "survey": str(survey),
            "since": (today - timedelta(days=180)).isoformat(),
            "until": (today - timedelta(days=90)).isoformat(),
        },
        "group_by=month": {"group_by": "month"},
        "group_by=channel": {"group_by": "channel"},
        "group_by=plan (contact property)": {"group_by": "plan"},
        "group_by=account": {"group_by": "account"},
    }


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: the value at or below which `share` of the runs fall."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


class Failed(Exception):
    pass


def time_http(base: str, key: str, params: dict[str, str], runs: int) -> tuple[list[float], int]:
    """Milliseconds per request (after one warm-up) and how many groups the answer held."""
    address = urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=60)
    path = "/api/v1/metrics" + (f"?{urlencode(params)}" if params else "")
    headers = {"Authorization": f"Bearer {key}"}
    timings: list[float] = []
    groups = 0
    try:
        for run in range(runs + 1):
            started = time.perf_counter()
            connection.request("GET", path, headers=headers)
            answer = connection.getresponse()
            body = answer.read()
            elapsed = (time.perf_counter() - started) * 1000
            if answer.status != 200:
                raise Failed(f"GET {path} answered {answer.status}: {body[:300]!r}")
            if run:
                timings.append(elapsed)
            else:
                groups = _groups(json.loads(body))
    finally:
        connection.close()
    return timings, groups


def _groups(answer: Any) -> int:
    if isinstance(answer, list):
        return len(answer)
    if isinstance(answer, dict):
        for value in answer.values():
            if isinstance(value, list):
                return len(value)
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_metrics", description=__doc__)
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="100,000 responses, 5 runs")
    args = parser.parse_args(argv)
    responses = 100_000 if args.quick else args.responses
    runs = 5 if args.quick else args.runs
    print(f"== GET /api/v1/metrics over {responses:,} responses on PostgreSQL ({runs} runs)")
    with postgres_database(DATABASE) as url, npsloop_env(url) as env:
        migrate(env)
        fixture = run_child(env, "bench.workspace_fixture", "Bench Metrics")
        surveys = ",".join(str(s) for s in fixture["surveys"])
        seeded = run_child(
            env,
            "bench.seed_responses",
            str(fixture["workspace_id"]),
            surveys,
            f"--responses={responses}",
        )
        print(
            f"  seeded in {seeded['copy_s']:.1f} s (COPY) + {seeded['rollups_s']:.1f} s "
            f"(rollups rebuilt, {seeded['rollup_rows']:,} rows) + {seeded['vacuum_s']:.1f} s "
            "(VACUUM ANALYZE)"
        )
        questions = cases(fixture["surveys"][0], date.today())
        raw = run_child(
            env, "bench.metrics_raw", str(fixture["workspace_id"]), json.dumps(questions), str(runs)
        )
        with web_server(env, workers=2) as base:
            try:
                served = {
                    name: time_http(base, fixture["key"], params, runs)
                    for name, params in questions.items()
                }
            except Failed as error:
                print(f"  FAIL  {error}")
                return 1
    return 0 if report(served, raw) else 1


def report(served: dict[str, tuple[list[float], int]], raw: dict[str, list[float]]) -> bool:
    print(
        f"  {'question':36} {'groups':>6}  {'HTTP median':>11} {'p95':>8}  "
        f"{'compute_metrics median':>22} {'p95':>8}"
    )
    passed = True
    for name, (timings, groups) in served.items():
        median, p95 = statistics.median(timings), percentile(timings, 0.95)
        ok = p95 <= TARGET_MS
        passed = passed and ok
        print(
            f"  {name:36} {groups:>6}  {median:8.1f} ms {p95:5.1f} ms  "
            f"{statistics.median(raw[name]):19.1f} ms {percentile(raw[name], 0.95):5.1f} ms  "
            f"{'PASS' if ok else 'FAIL'} ≤ {TARGET_MS:.0f} ms (p95)"
        )
    return passed


if __name__ == "__main__":
    raise SystemExit(main())
