"""The survey planner (`plan()`, as `npsloop plan` and the worker run it) over 10,000, 100,000
and 1,000,000 contacts, on PostgreSQL and on SQLite.

    python -m bench.bench_planner [--contacts N ...] [--quick] [--only postgres|sqlite] [--profile]
                                  [--idle-only]

For each database and size: a fresh database, migrated, seeded by bench/planner_fixture.py (a
lifecycle programme with a daily cap of 2 % of the eligible contacts and 5 per account a
week; contacts who signed up over three years, ~30 % asked before in waves 1-5, ~20 % who
answered). Then, each in its own child process, timed after Django's start-up:

  (a) plan(survey): the real run, which creates the day's asks (the cap's worth);
  (b) plan(survey) again right away: nothing new may be asked (the cap is spent);
  (c) forecast(survey, 90), for information;
  (d) plan(survey) with nothing due and no cap: the caps off and a major release an hour
      ago (`planner_fixture hold`), whose blackout holds everyone.

Targets (issue 5): (a) ≤ 60 s on PostgreSQL and ≤ 180 s on SQLite at 1,000,000 contacts,
≤ 500 MB peak RSS; (b) and (d) ≤ 5 s. The smaller sizes are judged by the same targets (they
must meet them a fortiori) and show how the cost grows. `--profile` adds a cProfile of a run
like (d) and of the forecast. `--idle-only` runs only what (d) needs ((a), whose asks it
finds, then the hold) and (d) three times, judged by the median; no (b), (c) or forecast.
"""

from __future__ import annotations

import argparse
import math
import time
from dataclasses import dataclass
from typing import Any

from bench.servers import migrate, npsloop_env, postgres_database, run_child

DATABASE = "npsloop_bench_planner"
SIZES = [10_000, 100_000, 1_000_000]
QUICK_SIZES = [10_000, 100_000]
TARGET_SECONDS = {"postgres": 60.0, "sqlite": 180.0}
TARGET_IDLE_SECONDS = 5.0
TARGET_RSS_MB = 500.0
CAP_PERCENT = 2.0
ACCOUNT_CAP = 5
FORECAST_DAYS = 90
IDLE_REPEATS = 3


@dataclass
class Measured:
    database: str
    contacts: int
    seeded: dict[str, Any]
    seed_seconds: float
    first: dict[str, Any]
    second: dict[str, Any] | None  # None: not run (--idle-only)
    ahead: dict[str, Any] | None
    idle: dict[str, Any]
    profiles: dict[str, str]
    idle_seconds: list[float]  # every run of (d); `idle` is the median one

    @property
    def expected(self) -> int:
        """The daily cap: every contact is eligible (the survey targets everyone)."""
        return math.ceil(self.contacts * CAP_PERCENT / 100)

    def checks(self) -> list[tuple[bool, str]]:
        """That the runs did what a planner must, whatever their speed."""
        first, second = self.first, self.second
        checks = [
            (
                first["created"] == first["stored"] == self.expected,
                f"(a) asked the daily cap's worth: {first['created']:,} reported, "
                f"{first['stored']:,} stored, cap {self.expected:,}",
            ),
            (
                first["excluded"].get("daily cap", 0) > 0,
                f"(a) more were due than the cap allows "
                f"({first['excluded'].get('daily cap', 0):,} held back by it)",
            ),
            (
                self.idle["created"] == self.idle["stored"] == 0
                and self.idle["excluded"].get("blackout", 0) > 0,
                f"(d) asked nobody, with no cap to stop early: {self.idle['created']:,} "
                f"reported, {self.idle['stored']:,} stored, "
                f"{self.idle['excluded'].get('blackout', 0):,} held by the blackout",
            ),
        ]
        if second is not None:  # in the order the runs were made
            checks.insert(
                2,
                (
                    second["created"] == second["stored"] == 0,
                    f"(b) asked nobody: {second['created']:,} reported, "
                    f"{second['stored']:,} stored",
                ),
            )
        return checks

    def targets(self) -> list[tuple[bool, str]]:
        first, second = self.first, self.second
        limit = TARGET_SECONDS[self.database]
        rss = self.peak_rss_mb
        targets = [
            (
                first["seconds"] <= limit,
                f"(a) plan {self.contacts:,} contacts ≤ {limit:.0f} s on {self.database}: "
                f"{first['seconds']:.2f} s",
            ),
            (
                rss <= TARGET_RSS_MB,
                f"(a, b, d) peak RSS ≤ {TARGET_RSS_MB:.0f} MB: {rss:.0f} MB",
            ),
            (
                self.idle["seconds"] <= TARGET_IDLE_SECONDS,
                f"(d) a run with nothing due and no cap ≤ {TARGET_IDLE_SECONDS:.0f} s: "
                f"{self.idle['seconds']:.2f} s"
                + (
                    f" (median of {', '.join(f'{s:.2f}' for s in self.idle_seconds)})"
                    if len(self.idle_seconds) > 1
                    else ""
                ),
            ),
        ]
        if second is not None:
            targets.insert(
                2,
                (
                    second["seconds"] <= TARGET_IDLE_SECONDS,
                    f"(b) a run with nothing new to ask ≤ {TARGET_IDLE_SECONDS:.0f} s: "
                    f"{second['seconds']:.2f} s",
                ),
            )
        return targets

    @property
    def peak_rss_mb(self) -> float:
        runs = [self.first, self.idle] + ([self.second] if self.second else [])
        return float(max(run["peak_rss_mb"] for run in runs))


def measure(
    env: dict[str, str], database: str, contacts: int, profile: bool, days: int, idle_only: bool
) -> Measured:
    migrate(env)
    started = time.perf_counter()
    seeded = run_child(
        env,
        "bench.planner_fixture",
        "seed",
        f"--contacts={contacts}",
        f"--cap-percent={CAP_PERCENT}",
        f"--account-cap={ACCOUNT_CAP}",
    )
    seed_seconds = time.perf_counter() - started
    survey = f"--survey={seeded['survey_id']}"
    first = run_child(env, "bench.planner_fixture", "plan", survey)
    second = ahead = None
    if not idle_only:
        second = run_child(env, "bench.planner_fixture", "plan", survey)
        ahead = run_child(env, "bench.planner_fixture", "forecast", survey, f"--days={days}")
    run_child(env, "bench.planner_fixture", "hold", survey)
    # (d) asks nobody, so it can run again on the same data.
    idles = [
        run_child(env, "bench.planner_fixture", "plan", survey)
        for _ in range(IDLE_REPEATS if idle_only else 1)
    ]
    idle = sorted(idles, key=lambda run: float(run["seconds"]))[len(idles) // 2]
    profiles: dict[str, str] = {}
    if profile:
        profiles["plan, like (d)"] = run_child(
            env, "bench.planner_fixture", "plan", survey, "--profile"
        )["profile"]
        if not idle_only:
            profiles["forecast"] = run_child(
                env, "bench.planner_fixture", "forecast", survey, f"--days={days}", "--profile"
            )["profile"]
    return Measured(
        database,
        contacts,
        seeded,
        seed_seconds,
        first,
        second,
        ahead,
        idle,
        profiles,
        [float(run["seconds"]) for run in idles],
    )


def report(measured: Measured) -> bool:
    seeded, first, second, ahead = measured.seeded, measured.first, measured.second, measured.ahead
    print(
        f"\n== {measured.database}, {measured.contacts:,} contacts in {seeded['accounts']:,} "
        f"accounts; {seeded['asks']:,} earlier asks of {seeded['asked_contacts']:,} contacts "
        f"({seeded['pending']:,} pending), {seeded['responses']:,} responses; "
        f"seeded in {measured.seed_seconds:.0f} s"
    )
    runs = (("(a) plan", first), ("(b) plan again", second), ("(d) nothing due", measured.idle))
    for label, run in runs:
        if run is None:
            continue
        waves = ", ".join(f"wave {w}: {n:,}" for w, n in sorted(run["waves"].items()))
        print(
            f"  {label:15} {run['seconds']:7.2f} s  peak RSS {run['peak_rss_mb']:4.0f} MB "
            f"(Django alone {run['rss_before_mb']:.0f})  asked {run['created']:,}"
            + (f" ({waves})" if waves else "")
        )
        steps = run["steps"]
        other = run["seconds"] - sum(steps.values())
        print(
            "      steps: "
            + ", ".join(
                f"{name} {seconds:.2f} s (peak {run['peaks'][name]:.0f} MB)"
                for name, seconds in steps.items()
            )
            + f", the rest {other:.2f} s; {run['statements']} SQL statements"
        )
        print(
            "      kept out: "
            + ", ".join(f"{reason} {count:,}" for reason, count in run["excluded"].items())
        )
    if ahead is not None:
        print(
            f"  (c) forecast {ahead['days']} days {ahead['seconds']:7.2f} s  peak RSS "
            f"{ahead['peak_rss_mb']:4.0f} MB  {ahead['asks']:,} asks over {ahead['days']} days "
            f"(first week: {', '.join(f'{n:,}' for n in ahead['per_day'][:7])})"
        )
    slowest = first["slowest"][:4]
    print(
        "      slowest statements of (a)"
        + (
            " (execute only: SQLite fetches the rows afterwards)"
            if measured.database == "sqlite"
            else ""
        )
        + ":"
    )
    for seconds, sql in slowest:
        print(f"        {seconds:7.3f} s  {sql[:110]}")
    for name, text in measured.profiles.items():
        print(f"  -- cProfile of {name}:")
        print("\n".join(f"     {line}" for line in text.strip().splitlines()))
    passed = True
    for ok, text in measured.checks() + measured.targets():
        print(f"  {'PASS' if ok else 'FAIL'}  {text}")
        passed = passed and ok
    return passed


def summary(results: list[Measured]) -> None:
    print(
        "\n== summary (seconds in-process, after Django's start-up; peak RSS of the process)\n"
        "  database  contacts    (a) plan  asked   (b) again  (c) forecast  (d) idle   peak RSS"
    )
    for m in results:
        again = f"{m.second['seconds']:8.2f} s" if m.second else f"{'-':>10}"
        ahead = f"{m.ahead['seconds']:9.2f} s" if m.ahead else f"{'-':>11}"
        print(
            f"  {m.database:8} {m.contacts:>9,}  {m.first['seconds']:8.2f} s "
            f"{m.first['created']:>6,}  {again}  "
            f"{ahead} {m.idle['seconds']:8.2f} s  {m.peak_rss_mb:6.0f} MB"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_planner", description=__doc__)
    parser.add_argument("--contacts", type=int, nargs="+", help=f"sizes (default {SIZES})")
    parser.add_argument("--quick", action="store_true", help=f"sizes {QUICK_SIZES}")
    parser.add_argument("--only", choices=["postgres", "sqlite"])
    parser.add_argument("--days", type=int, default=FORECAST_DAYS, help="forecast days")
    parser.add_argument("--profile", action="store_true", help="cProfile (d) and (c) too")
    parser.add_argument(
        "--idle-only",
        action="store_true",
        help=f"only (a), then (d) {IDLE_REPEATS} times (the median counts); no (b) or (c)",
    )
    args = parser.parse_args(argv)
    sizes = args.contacts or (QUICK_SIZES if args.quick else SIZES)
    print(
        f"planner: sizes {', '.join(f'{n:,}' for n in sizes)}; lifecycle programme, daily cap "
        f"{CAP_PERCENT:g} % of the eligible contacts, {ACCOUNT_CAP} per account a week"
    )
    results: list[Measured] = []
    passed = True
    for database in ("postgres", "sqlite"):
        if args.only and database != args.only:
            continue
        for contacts in sizes:
            if database == "postgres":
                with postgres_database(DATABASE) as url, npsloop_env(url) as env:
                    measured = measure(
                        env, database, contacts, args.profile, args.days, args.idle_only
                    )
            else:
                # An empty NPSLOOP_DATABASE_URL is the embedded default: SQLite in NPSLOOP_HOME.
                with npsloop_env("") as env:
                    measured = measure(
                        env, database, contacts, args.profile, args.days, args.idle_only
                    )
            passed = report(measured) and passed
            results.append(measured)
    summary(results)
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
