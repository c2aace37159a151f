"""`python -m bench [--quick] [--only NAME ...]`: every benchmark of issue 2, one after another.

Each bench prints its own figures and PASS/FAIL lines; this runs them in turn (one at a
time, since they share the machine's two cores) and ends with one line per bench. The exit
code is 0 only when every target was met. --quick runs small sizes to check that the benches
work, not to measure: its figures are not the issue's targets.
"""

from __future__ import annotations

import argparse
import time
import traceback
from collections.abc import Callable

from bench import (
    bench_alerts,
    bench_api,
    bench_cases,
    bench_dashboard,
    bench_email,
    bench_events,
    bench_faults,
    bench_import,
    bench_metrics,
    bench_planner,
    bench_scanners,
    bench_score,
    bench_widget,
)

Main = Callable[[list[str] | None], int]

# name -> (main, arguments for a full run, arguments for --quick)
BENCHES: dict[str, tuple[Main, list[str], list[str]]] = {
    "score": (bench_score.main, [], ["--rows=1000000", "--rounds=1"]),
    "import": (bench_import.main, [], ["--rows=100000"]),
    "api": (bench_api.main, [], ["--quick"]),
    "api-new": (
        bench_api.main,
        ["--new-contacts", "--connections=50"],
        ["--new-contacts", "--connections=50", "--quick"],
    ),
    "metrics": (bench_metrics.main, [], ["--quick"]),
    "email": (bench_email.send_main, [], ["--quick"]),
    "followup": (bench_email.followup_main, [], ["--quick"]),
    "widget": (bench_widget.main, [], ["--quick"]),
    "planner": (bench_planner.main, [], ["--quick"]),
    "dashboard": (bench_dashboard.main, [], ["--quick"]),
    "events": (bench_events.main, [], ["--quick"]),
    "faults": (bench_faults.main, [], ["--quick"]),
    "scanners": (bench_scanners.main, [], ["--quick"]),
    "cases": (bench_cases.main, [], ["--quick"]),
    "alerts": (bench_alerts.main, [], ["--quick"]),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, a few seconds each")
    parser.add_argument("--only", nargs="+", choices=list(BENCHES), help="run only these")
    args = parser.parse_args(argv)
    outcomes: list[tuple[str, str, float]] = []
    for name, (run, full, quick) in BENCHES.items():
        if args.only and name not in args.only:
            continue
        print(f"\n######## bench {name}", flush=True)
        started = time.perf_counter()
        try:
            code = run(quick if args.quick else full)
            outcome = "PASS" if code == 0 else "FAIL"
        except (Exception, SystemExit):
            # One broken bench must not hide the figures of the others.
            traceback.print_exc()
            outcome = "ERROR"
        outcomes.append((name, outcome, time.perf_counter() - started))
    print(
        "\n######## summary" + (" (--quick: sizes too small for the targets)" if args.quick else "")
    )
    for name, outcome, seconds in outcomes:
        print(f"  {outcome:5}  {name:8} ({seconds:.0f} s)")
    return 0 if all(outcome == "PASS" for _, outcome, _ in outcomes) else 1


if __name__ == "__main__":
    raise SystemExit(main())
