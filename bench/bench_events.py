"""What the event log costs a response: record_response with a stored contact (the ORM, as
every channel records) and, on PostgreSQL, with a contact named by external id alone (the
API's busiest request: one statement, surveys/by_external_id.py), each timed with its
response.created event and without it, in alternating rounds of the same process, on
PostgreSQL and SQLite. Target (issue 13): ≤ 15 % more with the event. Then the worker's
follower of answers opens their cases (issue 14), timed per answer: work the request
never waits for.

`python -m bench.bench_events [--responses N] [--rounds R]`
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from bench.servers import migrate, npsloop_env, postgres_database, run_child

TARGET = 1.15


def _without_events(statement: str) -> str:
    """The one statement less its event CTE: what it was before the event log."""
    without = re.sub(r"\), e AS \(.*?\n\)\n(?=SELECT)", ")\n", statement, flags=re.S)
    assert without != statement, "the statement's event CTE was not found"
    return without


def child(responses: int, rounds: int) -> dict[str, Any]:
    import django

    django.setup()
    import random

    from django.db import connection

    from npsloop.contacts.fields import ContactData
    from npsloop.contacts.services import upsert_contacts
    from npsloop.events.models import Event
    from npsloop.surveys import by_external_id
    from npsloop.surveys import responses as service
    from npsloop.surveys.services import create_survey
    from npsloop.workspaces.configure import create_workspace

    workspace = create_workspace("Bench Events")
    survey = create_survey(workspace, name="NPS", product_name="Bench")
    upsert_contacts(
        workspace,
        [ContactData(external_id=f"u{n}", email=f"u{n}@example.com") for n in range(2000)],
    )
    from npsloop.contacts.models import Contact

    contacts = list(Contact.objects.filter(workspace=workspace))
    rng = random.Random(7)
    with_event_statement = by_external_id.STATEMENT
    without_event_statement = _without_events(with_event_statement)
    real_statement, real_execute = service.insert_statement, service.execute_together

    def no_event(*args: Any, **kwargs: Any) -> None:
        return None

    def execute_all_but_no_event(statements: list[Any]) -> None:
        real_execute([statement for statement in statements if statement is not None])

    @contextmanager
    def events(on: bool) -> Iterator[None]:
        """Without: record_response's event statement is neither built nor run, and the
        one statement loses its event CTE."""
        if not on:
            service.insert_statement = no_event  # type: ignore[assignment]
            service.execute_together = execute_all_but_no_event
            by_external_id.STATEMENT = without_event_statement
        try:
            yield
        finally:
            service.insert_statement, service.execute_together = real_statement, real_execute
            by_external_id.STATEMENT = with_event_statement

    def orm() -> None:
        for _ in range(responses):
            service.record_response(
                workspace,
                service.ResponseData(
                    survey=survey, score=rng.randint(0, 10), contact=rng.choice(contacts)
                ),
            )

    def by_external_id_alone() -> None:
        for _ in range(responses):
            service.record_response(
                workspace,
                service.ResponseData(
                    survey=survey,
                    score=rng.randint(0, 10),
                    contact=ContactData(external_id=f"u{rng.randrange(2000)}"),
                ),
            )

    doors: dict[str, Callable[[], None]] = {"record_response": orm}
    if connection.vendor == "postgresql":
        doors["by external id"] = by_external_id_alone
    figures: dict[str, Any] = {}
    for name, door in doors.items():
        with events(True):
            door()  # warm-up: plans, caches, first pages
        times: dict[bool, list[float]] = {True: [], False: []}
        # ABBA order: a machine that speeds up or slows down favours neither variant.
        for on in [True, False, False, True] * ((rounds + 1) // 2):
            with events(on):
                started = time.perf_counter()
                door()
                times[on].append((time.perf_counter() - started) / responses * 1000)
        with_ms = statistics.median(times[True])
        without_ms = statistics.median(times[False])
        figures[name] = {
            "with_ms": with_ms,
            "without_ms": without_ms,
            "ratio": with_ms / without_ms,
        }
    figures["events"] = Event.objects.count()
    figures["responses"] = service.Response.objects.count()
    # The loop's part, off the request path: the worker reading those answers and opening
    # their cases (issue 14), per answer read.
    from npsloop.loop.models import Case
    from npsloop.loop.reactions import follow_answers

    started = time.perf_counter()
    answers = follow_answers(workspace.pk)
    figures["cases"] = {
        "answers": answers,
        "opened": Case.objects.count(),
        "ms_per_answer": (time.perf_counter() - started) / max(answers, 1) * 1000,
    }
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_events", description=__doc__)
    parser.add_argument("--responses", type=int, default=1000, help="per round (default 1000)")
    parser.add_argument("--rounds", type=int, default=6, help="rounds per variant (default 6)")
    parser.add_argument("--quick", action="store_true", help="200 responses, 2 rounds")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.responses, args.rounds = 200, 2
    if args.child:
        print(json.dumps(child(args.responses, args.rounds)))
        return 0
    failed = False
    runs: list[tuple[str, Any]] = []
    with postgres_database("npsloop_bench_events") as url, npsloop_env(url) as env:
        migrate(env)
        runs.append(("PostgreSQL", _measure(env, args)))
    with tempfile.TemporaryDirectory() as home, npsloop_env("") as env:
        env.pop("NPSLOOP_DATABASE_URL")
        env["NPSLOOP_HOME"] = home
        migrate(env)
        runs.append(("SQLite", _measure(env, args)))
    for database, figures in runs:
        print(f"{database}: {figures['responses']} responses stored, {figures['events']} events")
        cases = figures["cases"]
        print(
            f"{database:<10} the worker then opened {cases['opened']} cases for "
            f"{cases['answers']} answers: {cases['ms_per_answer']:.3f} ms per answer, off the "
            "request path (recording pays nothing for it: its event is already written)"
        )
        for door, figure in figures.items():
            if door in ("events", "responses", "cases"):
                continue
            ok = figure["ratio"] <= TARGET
            failed |= not ok
            print(
                f"{database:<10} {door:<22} with event {figure['with_ms']:.3f} ms, "
                f"without {figure['without_ms']:.3f} ms per response: "
                f"{figure['ratio']:.3f}x — {'PASS' if ok else 'FAIL'} (≤ {TARGET}x)"
            )
    return 1 if failed else 0


def _measure(env: dict[str, str], args: argparse.Namespace) -> Any:
    return run_child(
        env,
        "bench.bench_events",
        "--child",
        f"--responses={args.responses}",
        f"--rounds={args.rounds}",
    )


if __name__ == "__main__":
    sys.exit(main())
