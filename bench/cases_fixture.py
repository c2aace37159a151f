"""The cases bench's data, and its steps that need Django, in a child process on the
database its environment names.

    python -m bench.cases_fixture describe
    python -m bench.cases_fixture seed --responses N --contacts N --cases N --open N
    python -m bench.cases_fixture login

`seed` writes the dashboard bench's customer history (bench/dashboard_fixture.py: one
workspace, two years of answers), then through the services 20 members who work cases in
three teams and the default rules and outcomes, then `cases` cases straight into the
table: one per answer drawn at random, opened when the answer came, due 48 hours later
(7 days for promoters), owned by a member (one in ten unassigned). The `open` newest but
a fifth are still open or contacted, the fifth drawn from older ones (overdue); the others
were contacted after a skewed delay and resolved with an outcome, or closed without
contact. PostgreSQL gets the rows with COPY, SQLite with executemany, in one transaction,
then ANALYZE: a bulk load, because two hundred thousand react()/move() calls would take
hours and the bench measures reading cases, not writing them. A bench fixture only.

`login` makes the first member's session (an owner who has cases of their own, so
"My cases" is not empty). Each command prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import time
from typing import Any, cast

import django
import numpy as np
import pyarrow as pa

from bench.dashboard_fixture import _stamps, _write, describe, generate

VERSION = 1
MARKER = "bench_cases_fixture"
MEMBERS = 20
TEAMS = ("Customer Success", "Support", "Enterprise")
CATEGORIES = ["detractor", "passive", "promoter"]
DUE_HOURS = np.array([48, 120, 168])
HOUR = 3600


def seed_cases(workspace_id: int, cases: int, open_cases: int, seed: int = 0) -> dict[str, Any]:
    """Members, teams and `cases` cases of the workspace's answers; returns their counts."""
    from django.contrib.auth.models import User
    from django.db import connection, transaction

    from npsloop.loop.models import Outcome, Team
    from npsloop.loop.next_answers import fill_next_answers
    from npsloop.loop.rules import case_settings
    from npsloop.surveys.models import Response
    from npsloop.workspaces.membership import add_member
    from npsloop.workspaces.models import Role, Workspace

    if not 0 <= open_cases <= cases:
        raise ValueError(f"open cases must be 0 to {cases}, got {open_cases}")
    rng = np.random.default_rng(seed)
    workspace = Workspace.objects.get(pk=workspace_id)
    with transaction.atomic():
        case_settings(workspace)
        members = []
        for number in range(MEMBERS):
            email = f"member{number:02d}@bench.example"
            user = User.objects.create_user(email, email, first_name=f"Member {number:02d}")
            members.append(add_member(workspace, user, Role.OWNER if number == 0 else Role.EDITOR))
        teams = [Team.objects.create(workspace=workspace, name=name) for name in TEAMS]
        for number, member in enumerate(members):
            teams[number % len(teams)].members.add(member)
        outcomes = list(Outcome.objects.filter(workspace=workspace).values_list("pk", flat=True))
        rows = list(
            Response.objects.filter(workspace_id=workspace_id)
            .order_by("id")
            .values_list("id", "survey_id", "contact_id", "account_id", "category", "created_at")
            .iterator(chunk_size=20_000)
        )
        if cases > len(rows):
            raise ValueError(f"{cases:,} cases need as many answers, there are {len(rows):,}")
        picked = sorted(rng.choice(len(rows), size=cases, replace=False))
        chosen = [rows[i] for i in picked]
        _write_cases(workspace_id, chosen, members, teams, outcomes, open_cases, rng)
        # What the worker keeps on each case as answers come in, set for all at once.
        fill_next_answers(workspace_id)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"cases": cases, "open": open_cases, "members": MEMBERS, "owner": members[0].pk}


CASE_COLUMNS = [
    "workspace_id",
    "response_id",
    "survey_id",
    "contact_id",
    "account_id",
    "kind",
    "opened_category",
    "category",
    "status",
    "owner_id",
    "team_id",
    "priority",
    "outcome_id",
    "due_at",
    "opened_at",
    "first_contacted_at",
    "closed_at",
    "status_changed_at",
    "overdue_at",
    "version",
    "updated_at",
]


def _write_cases(
    workspace_id: int,
    chosen: list[tuple[Any, ...]],
    members: list[Any],
    teams: list[Any],
    outcomes: list[int],
    open_cases: int,
    rng: np.random.Generator,
) -> None:
    from django.db import connection

    vendor = connection.vendor
    size = len(chosen)
    opened = np.array([int(row[5].timestamp()) for row in chosen], dtype=np.int64)
    order = np.argsort(opened)
    category = np.array([CATEGORIES.index(row[4]) for row in chosen])
    due = opened + DUE_HOURS[category] * HOUR
    # The newest four fifths of the open ones, and a fifth of older ones left behind.
    still_open = np.zeros(size, dtype=bool)
    newest = open_cases - open_cases // 5
    still_open[order[size - newest :]] = True
    older = order[: size - newest]
    still_open[rng.choice(older, size=open_cases - newest, replace=False)] = True
    reached = rng.random(size) < np.where(category == 0, 0.85, 0.5)
    contact_delay = (rng.lognormal(np.log(14), 1.0, size) * HOUR).astype(np.int64)
    close_delay = (rng.lognormal(np.log(40), 0.8, size) * HOUR).astype(np.int64)
    contacted = np.where(reached, opened + contact_delay, -1)
    # Open cases: one in five contacted already; the others waiting.
    contacted = np.where(still_open & (rng.random(size) >= 0.2), -1, contacted)
    now = int(time.time())
    contacted = np.where(contacted > now, -1, contacted)
    closed = np.where(
        still_open,
        -1,
        np.minimum(now, np.where(contacted >= 0, contacted + close_delay, due + 2 * 24 * HOUR)),
    )
    status = np.where(
        still_open,
        np.where(contacted >= 0, "contacted", "open"),
        np.where(contacted >= 0, "resolved", "closed"),
    )
    status_at = np.maximum.reduce([opened, contacted, closed])
    owner_ids = np.array([m.pk for m in members])
    owner = rng.choice(owner_ids, size=size)
    unassigned = rng.random(size) < 0.1
    team_ids = np.array([t.pk for t in teams])
    outcome = np.where(status == "resolved", rng.choice(outcomes, size=size), 0)
    overdue = np.where((status == "open") & (due < now), due + HOUR, -1)

    def ids(values: np.ndarray[Any, Any], missing: np.ndarray[Any, Any]) -> pa.Array:
        return pa.array(values, mask=missing, type=pa.int64())

    def moments(seconds: np.ndarray[Any, Any]) -> pa.Array:
        text = _stamps(np.maximum(seconds, 0), vendor)
        return pa.array(text.to_pylist(), mask=seconds < 0, type=pa.string())

    names = np.array(CATEGORIES)[category]
    _write(
        "loop_case",
        CASE_COLUMNS,
        [
            pa.repeat(pa.scalar(workspace_id), size),
            pa.array([row[0] for row in chosen], type=pa.int64()),
            pa.array([row[1] for row in chosen], type=pa.int64()),
            pa.array([row[2] for row in chosen], type=pa.int64()),
            pa.array([row[3] for row in chosen], type=pa.int64()),
            pa.array(np.where(category == 2, "advocacy", "follow_up")),
            pa.array(names),
            pa.array(names),
            pa.array(status),
            ids(owner, unassigned),
            pa.array(rng.choice(team_ids, size=size), type=pa.int64()),
            pa.array(np.where(category == 0, "high", "normal")),
            ids(outcome, outcome == 0),
            moments(due),
            moments(opened),
            moments(contacted),
            moments(closed),
            moments(status_at),
            moments(overdue),
            pa.repeat(pa.scalar(1), size),
            moments(status_at),
        ],
    )


def seed(responses: int, contacts: int, cases: int, open_cases: int) -> dict[str, Any]:
    from django.db import connection, transaction

    from npsloop.surveys.rollups import rebuild_now
    from npsloop.workspaces.models import Workspace

    if _describe() is not None or describe() is not None:
        raise SystemExit("cases_fixture: this database was seeded already; use a fresh one")
    started = time.perf_counter()
    made = generate(responses, contacts, fast_load=True)
    rebuild_now(Workspace.objects.get(pk=made["workspace_id"]))
    written = time.perf_counter() - started
    made.update(seed_cases(made["workspace_id"], cases, open_cases))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    facts = {
        **made,
        "version": VERSION,
        "responses_s": written,
        "cases_s": time.perf_counter() - started - written,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {MARKER} (facts text NOT NULL)")
        cursor.execute(f"INSERT INTO {MARKER} (facts) VALUES (%s)", [json.dumps(facts)])
    return facts


def _describe() -> dict[str, Any] | None:
    from django.db import connection

    if MARKER not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT facts FROM {MARKER}")
        row = cursor.fetchone()
    return None if row is None else dict(json.loads(row[0]))


def login() -> dict[str, str]:
    """The session of the workspace's first member (an owner with cases of their own)."""
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import Client

    user = User.objects.get(username="member00@bench.example")
    user.set_password(secrets.token_urlsafe(16))
    user.save(update_fields=["password"])
    client = Client()
    client.force_login(cast("User", user))
    name = settings.SESSION_COOKIE_NAME
    return {"cookie": f"{name}={client.cookies[name].value}"}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cases_fixture", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("describe", help="what an earlier seed made here (JSON), or null")
    seeding = commands.add_parser("seed", help="the dashboard's history, members, cases")
    for name in ("responses", "contacts", "cases", "open"):
        seeding.add_argument(f"--{name}", type=int, required=True)
    commands.add_parser("login", help="the first member's session cookie")
    args = parser.parse_args(argv)
    django.setup()
    result: Any
    if args.command == "describe":
        result = _describe()
    elif args.command == "seed":
        result = seed(args.responses, args.contacts, args.cases, args.open)
    else:
        result = login()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
