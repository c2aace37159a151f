"""`npsloop import contacts` of a million rows, on SQLite and on PostgreSQL.

    python -m bench.bench_import [--rows 1000000] [--only sqlite|postgres]

Writes a contacts CSV (bench/.data/, kept between runs) with ~300 accounts and a few
properties, then imports it as a user would, in a subprocess, into a fresh database: a new
NPSLOOP_HOME for SQLite, and a database created and dropped for the run on PostgreSQL.
Targets (issue 2): ≤ 90 s on PostgreSQL, ≤ 180 s on SQLite, ≤ 500 MB peak RSS.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / ".data"
NPSLOOP = Path(sys.executable).with_name("npsloop")
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DATABASE = "npsloop_bench"
TARGET_SECONDS = {"sqlite": 180.0, "postgres": 90.0}
TARGET_RSS_MB = 500.0
ACCOUNTS = 300
PLANS = ["free", "starter", "pro", "enterprise"]
REGIONS = ["eu", "us", "apac", "latam"]
ROLES = ["admin", "developer", "analyst", "manager", "support"]
MAKE_WORKSPACE = (
    "import django; django.setup(); "
    "from npsloop.workspaces.configure import create_workspace; "
    "print(create_workspace('Import bench').slug)"
)


@dataclass
class Figures:
    database: str
    rows: int
    seconds: float
    peak_rss_mb: float
    cpu_seconds: float
    summary: str

    @property
    def passed(self) -> bool:
        return self.seconds <= TARGET_SECONDS[self.database] and self.peak_rss_mb <= TARGET_RSS_MB


def contacts_csv(rows: int) -> Path:
    """The benchmark file, written once per size."""
    path = DATA / f"contacts-{rows}.csv"
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    rng = random.Random(2)
    accounts = [(f"acct-{n:04d}", f"Company {n:04d}") for n in range(ACCOUNTS)]
    partial = path.with_suffix(".partial")
    with partial.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(
            [
                "external_id",
                "email",
                "name",
                "signed_up_at",
                "account_external_id",
                "account_name",
                "plan",
                "region",
                "role",
            ]
        )
        for n in range(rows):
            account_id, account_name = accounts[rng.randrange(ACCOUNTS)]
            writer.writerow(
                [
                    f"user-{n:07d}",
                    f"person{n}@example.com",
                    f"Person {n}",
                    f"20{rng.randint(18, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    account_id,
                    account_name,
                    rng.choice(PLANS),
                    rng.choice(REGIONS),
                    rng.choice(ROLES),
                ]
            )
    partial.rename(path)
    return path


def run_import(database: str, path: Path, rows: int) -> Figures:
    with tempfile.TemporaryDirectory(prefix="npsloop-bench-") as home:
        env = {**os.environ, "NPSLOOP_HOME": home}
        env.pop("NPSLOOP_DATABASE_URL", None)
        if database == "postgres":
            _psql(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
            _psql(f"CREATE DATABASE {PG_DATABASE}")
            env["NPSLOOP_DATABASE_URL"] = f"{PG_SERVER}/{PG_DATABASE}"
        try:
            subprocess.run([NPSLOOP, "migrate"], env=env, check=True, capture_output=True)
            slug = subprocess.run(
                [sys.executable, "-c", MAKE_WORKSPACE],
                env={**env, "DJANGO_SETTINGS_MODULE": "npsloop.settings"},
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
            command = [NPSLOOP, "import", "contacts", str(path), "--workspace", slug, "--quiet"]
            command += ["--rejects", str(Path(home) / "rejects.csv")]
            started = time.perf_counter()
            child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
            # wait4 gives this child's own peak RSS (kilobytes on Linux), not the largest
            # of every child so far, as RUSAGE_CHILDREN would.
            _, status, usage = os.wait4(child.pid, 0)
            seconds = time.perf_counter() - started
            assert child.stdout is not None
            summary = child.stdout.read().strip()
            if os.waitstatus_to_exitcode(status) != 0:
                raise SystemExit(f"{database}: the import failed: {summary}")
            cpu = usage.ru_utime + usage.ru_stime
            return Figures(database, rows, seconds, usage.ru_maxrss / 1024, cpu, summary)
        finally:
            if database == "postgres":
                _psql(f"DROP DATABASE IF EXISTS {PG_DATABASE}")


def _psql(statement: str) -> None:
    subprocess.run(
        ["psql", f"{PG_SERVER}/postgres", "-q", "-c", statement], check=True, capture_output=True
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    args = parser.parse_args(argv)
    path = contacts_csv(args.rows)
    print(f"file: {path} ({path.stat().st_size / 1e6:.0f} MB, {args.rows:,} rows)")
    passed = True
    for database in ["sqlite", "postgres"]:
        if args.only and database != args.only:
            continue
        figures = run_import(database, path, args.rows)
        verdict = "PASS" if figures.passed else "FAIL"
        print(
            f"{database:9} {figures.seconds:7.1f} s (target ≤ {TARGET_SECONDS[database]:.0f}) "
            f"{figures.rows / figures.seconds:9,.0f} rows/s  CPU {figures.cpu_seconds:6.1f} s  "
            f"peak RSS {figures.peak_rss_mb:5.0f} MB "
            f"(target ≤ {TARGET_RSS_MB:.0f})  {verdict}  [{figures.summary.splitlines()[0]}]"
        )
        passed = passed and figures.passed
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
