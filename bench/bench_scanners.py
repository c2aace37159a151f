"""`python -m bench.bench_scanners`: how often a link scanner records a score, and how
often a person who clicks a score in the email is counted (issue 21, point 5).

The production web server (granian, one process, so one shared cache without Redis) on a
fresh PostgreSQL database; one email ask per visit, marked sent, and the HTML of its
email. Then, in a real Chromium, visits in random order until --visits of each side are
done or --seconds have passed: scanner visits cycle through every strategy of
bench/link_visitors.py (plus a few of the strategies npsloop does not defend against,
reported apart), and person visits draw a habit by its weight in the mix and a score 0-10
at random. Afterwards, by SQL, which emails got a response: a scanner's counts against
it; a person's counts when it holds the score they clicked. The responses, the rollup
total and the response events must agree.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections import Counter
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench import link_visitors
from bench.servers import migrate, npsloop_env, postgres_database, run_child, web_server

DATABASE = "npsloop_bench_scanners"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_scanners", description=__doc__)
    parser.add_argument("--visits", type=int, default=42, help="scanner visits, and person visits")
    parser.add_argument("--seconds", type=float, default=85, help="stop starting visits after")
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("--quick", action="store_true", help="14 visits of each side")
    args = parser.parse_args(argv)
    visits = 14 if args.quick else args.visits
    rng = random.Random(args.seed)
    scanners = [*link_visitors.SCANNERS.items()]
    undefended = [*link_visitors.UNDEFENDED.items()]
    plan: list[tuple[str, str]] = [
        ("scanner", scanners[n % len(scanners)][0]) for n in range(visits)
    ]
    plan += [
        ("undefended", undefended[n % len(undefended)][0]) for n in range(max(2, visits // 14))
    ]
    habits = list(link_visitors.PEOPLE)
    weights = [link_visitors.PEOPLE[name][2] for name in habits]
    plan += [("person", name) for name in rng.choices(habits, weights, k=visits)]
    rng.shuffle(plan)

    started = time.perf_counter()
    with (
        postgres_database(DATABASE) as url,
        npsloop_env(url) as env,
        tempfile.TemporaryDirectory(prefix="npsloop-scanners-") as folder,
    ):
        migrate(env)
        with web_server(env, workers=1) as base:
            env["NPSLOOP_BASE_URL"] = base
            emails = Path(folder, "emails.json")
            run_child(
                env,
                "bench.scanner_fixture",
                "seed",
                "--asks",
                str(len(plan)),
                "--emails",
                str(emails),
            )
            written = json.loads(emails.read_text(encoding="utf-8"))
            done = _visit(plan, written, rng, args.seconds)
            counted = run_child(env, "bench.scanner_fixture", "count", "--emails", str(emails))
    return _report(done, counted, time.perf_counter() - started)


def _visit(
    plan: list[tuple[str, str]], written: list[dict[str, str]], rng: random.Random, seconds: float
) -> list[tuple[str, str, str, int | None]]:
    """Each visit on its own email; returns (side, name, token, score clicked) of those done."""
    done: list[tuple[str, str, str, int | None]] = []
    deadline = time.monotonic() + seconds
    with sync_playwright() as playwright:
        flagged = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        hidden = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, link_visitors.HIDE_AUTOMATION]
        )
        for (side, name), email in zip(plan, written, strict=True):
            if time.monotonic() > deadline:
                break
            links = link_visitors.email_links(email["html"])
            score: int | None = None
            if side == "person":
                behave, touch, _ = link_visitors.PEOPLE[name]
                score = rng.randrange(11)
                context = link_visitors.new_context(hidden, hide_automation=False, touch=touch)
                try:
                    behave(context, links, score)
                finally:
                    context.close()
            else:
                strategies = (
                    link_visitors.SCANNERS if side == "scanner" else link_visitors.UNDEFENDED
                )
                scan, hide = strategies[name]
                context = link_visitors.new_context(
                    hidden if hide else flagged, hide_automation=hide
                )
                try:
                    scan(context, links)
                finally:
                    context.close()
            done.append((side, name, email["token"], score))
        flagged.close()
        hidden.close()
    return done


def _report(
    done: list[tuple[str, str, str, int | None]], counted: dict[str, object], elapsed: float
) -> int:
    scores = counted["scores"]
    assert isinstance(scores, dict)
    visits: Counter[tuple[str, str]] = Counter()
    recorded: Counter[tuple[str, str]] = Counter()
    for side, name, token, score in done:
        visits[side, name] += 1
        got = scores.get(token)
        if (side != "person" and got is not None) or (side == "person" and got == score):
            recorded[side, name] += 1

    def rate(side: str) -> tuple[int, int]:
        keys = [key for key in visits if key[0] == side]
        return sum(recorded[key] for key in keys), sum(visits[key] for key in keys)

    print(f"{len(done)} visits in {elapsed:.0f} s (setup included)")
    for side, title in (
        ("scanner", "scanners"),
        ("undefended", "not defended"),
        ("person", "people"),
    ):
        print(f"\n{title}: recorded / visits")
        for key in sorted(key for key in visits if key[0] == side):
            print(f"  {recorded[key]:3d} / {visits[key]:3d}  {key[1]}")
    scanner_hits, scanner_visits = rate("scanner")
    person_hits, person_visits = rate("person")
    loose_hits, loose_visits = rate("undefended")
    print(
        f"\nscanner-recorded rate: {scanner_hits}/{scanner_visits}"
        f" = {scanner_hits / max(scanner_visits, 1):.1%}"
        f"  (strategies not defended: {loose_hits}/{loose_visits})"
    )
    print(
        f"person-recorded rate:  {person_hits}/{person_visits}"
        f" = {person_hits / max(person_visits, 1):.1%}  (mix of habits: bench/link_visitors.PEOPLE)"
    )
    total = len(scores)
    agree = counted["responses"] == counted["rollup"] == counted["events"] == total
    print(
        f"responses {counted['responses']}, rollup {counted['rollup']}, "
        f"response events {counted['events']}, emails answered {total}"
    )
    checks = {
        "no scanner strategy recorded a score": scanner_hits == 0 and scanner_visits > 0,
        "responses, rollup and events agree": agree,
        "every visit of each side ran": scanner_visits > 0 and person_visits > 0,
    }
    for check, passed in checks.items():
        print(f"{'PASS' if passed else 'FAIL'} {check}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
