"""The dashboard bench's data, and its steps that need Django, in a child process on the
database its environment names.

    python -m bench.dashboard_fixture describe
    python -m bench.dashboard_fixture seed --responses N --contacts N [--fast-load]
    python -m bench.dashboard_fixture rebuild
    python -m bench.dashboard_fixture login

`seed` makes a workspace (time zone Europe/Berlin) and a survey through the services, then
writes a customer's history straight into the tables: contacts/20 accounts; the contacts,
who signed up over the last three years, each in an account, with plan, region, role and
seats; and the responses of the last two years, in the order they arrived, each from a
contact who had signed up by then: channel email, in-app or link, wave 1-6 or none (~10 %),
a skewed score (better on bigger plans, slowly improving), a short comment on ~30 %, the
contact's properties as the snapshot, and the contact's account. PostgreSQL gets the rows
with COPY, SQLite with executemany, in one transaction (`--fast-load`, for a fresh
database: the indexes but the primary keys dropped and built once after the load, and no
foreign key checked row by row, as both databases advise for a bulk load). Then the daily
rollups are counted by the real service, and the database gets VACUUM ANALYZE (PostgreSQL)
or ANALYZE (SQLite). A table `bench_dashboard_fixture` records what was generated, last,
so `describe` can tell a complete database that may be reused from a partial one. Ten
million record_response() calls would take days, and the bench measures reading and
recounting, not storing. A bench fixture only.

`rebuild` times `rollups.rebuild_now(workspace)`, what `npsloop rollups rebuild` runs,
checks that the rollups then count every response once (the service itself ends with
VACUUM ANALYZE of the rollups' table on PostgreSQL). `login` makes a superuser and
a logged-in session for the pages. Each prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import resource
import secrets
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any, cast

import django
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

VERSION = 2  # of what seed writes; a kept database from another version is rebuilt
MARKER = "bench_dashboard_fixture"
WORKSPACE_NAME = "Dashboard bench"
TIME_ZONE = "Europe/Berlin"
DAY = 86_400
SIGNUP_YEARS = 3
ANSWER_YEARS = 2
CONTACTS_PER_ACCOUNT = 20
CHUNK = 100_000

PLANS = ["free", "starter", "pro", "enterprise"]
PLAN_SHARES = [0.4, 0.3, 0.22, 0.08]
REGIONS = ["eu", "us", "apac", "latam"]
REGION_SHARES = [0.35, 0.4, 0.15, 0.1]
ROLES = ["admin", "developer", "analyst", "executive"]
ROLE_SHARES = [0.15, 0.45, 0.25, 0.15]
CHANNELS = ["email", "in-app", "link"]
CHANNEL_SHARES = [0.55, 0.3, 0.15]
# Index 0 is "no wave" (a NULL): answers to a public link or a widget no wave asked for.
WAVE_SHARES = [0.10, 0.30, 0.20, 0.14, 0.11, 0.08, 0.07]
# Most answers 7-10 and a long tail of detractors, as in real programmes. Each plan tilts
# the shares towards higher (or lower) scores; so does time, by TREND_TILT over two years.
SCORE_SHARES = np.array([3, 1.5, 1.5, 2, 2, 5, 6, 11, 18, 22, 28]) / 100
PLAN_TILT = np.array([-0.25, 0.0, 0.15, 0.35])
TREND_TILT = 0.3
CATEGORIES = ["detractor", "passive", "promoter"]
CATEGORY_OF_SCORE = np.array([0] * 7 + [1] * 2 + [2] * 2)
COMMENT_SHARE = 0.3
COMMENTS = {
    "detractor": [
        "Too expensive for what we use",
        "Support took days to answer",
        "The reports are slow with our data",
        "Missing a Salesforce integration",
        'Setup was painful, "easy" it was not',
    ],
    "passive": [
        "Does the job",
        "Fine, but the mobile app needs work",
        "Good product, pricey",
        "Would like more export formats",
        "OK since the last update",
    ],
    "promoter": [
        "Easy to use, the team loves it",
        "Support answered within minutes",
        "Saves us hours every week",
        "Best tool we bought this year",
        "Onboarding was quick",
    ],
}
COMMENT_POOL = [text for texts in COMMENTS.values() for text in texts] + [""]

IntArray = npt.NDArray[np.int64]
# Arrow joins arrays and plain strings alike (the last argument is the separator); the type
# stubs only describe all-array or all-scalar calls.
_join = cast(Callable[..., pa.StringArray], pc.binary_join_element_wise)


@dataclass
class Population:
    """The contacts, in the order they signed up: index i is contact `c-i`."""

    signed_up: IntArray  # epoch seconds, ascending
    account: IntArray  # index into the accounts
    plan: IntArray
    properties: pa.Array  # JSON text per contact

    @classmethod
    def draw(cls, contacts: int, accounts: int, now: int, rng: np.random.Generator) -> Population:
        span = SIGNUP_YEARS * 365 * DAY
        offsets = np.sort(rng.integers(0, span, contacts))
        offsets[0] = 0  # someone signed up before the first answer, whatever the size
        plan = rng.choice(len(PLANS), size=contacts, p=PLAN_SHARES)
        region = rng.choice(len(REGIONS), size=contacts, p=REGION_SHARES)
        role = rng.choice(len(ROLES), size=contacts, p=ROLE_SHARES)
        seats = np.minimum(rng.geometric(0.04, contacts), 2000)
        # The same text json.dumps gives for {"plan": …, "region": …, "role": …, "seats": …}.
        properties = _join(
            '{"plan": "',
            _pick(PLANS, plan),
            '", "region": "',
            _pick(REGIONS, region),
            '", "role": "',
            _pick(ROLES, role),
            '", "seats": "',
            pc.cast(pa.array(seats), pa.string()),
            '"}',
            "",
        )
        return cls(
            signed_up=now - span + offsets,
            account=rng.integers(0, accounts, contacts),
            plan=plan,
            properties=properties,
        )


def _pick(pool: list[str], indices: IntArray) -> pa.Array:
    return pa.array(pool).take(pa.array(indices, type=pa.int64()))


def _stamps(seconds: IntArray, vendor: str) -> pa.Array:
    """Epoch seconds as the text each database stores a date-time as: SQLite holds Django's
    naive UTC 'YYYY-MM-DD HH:MM:SS' and compares it as text."""
    text = pc.cast(pa.array(seconds.astype("datetime64[s]")), pa.string())
    return _join(text, "+00", "") if vendor == "postgresql" else text


def _constant(value: int | str, size: int) -> pa.Array:
    return pa.repeat(pa.scalar(value), size)


def _copy_text(columns: list[pa.Array]) -> bytes:
    """Rows in COPY's text format. No value may hold a tab, a newline or a backslash: the
    pools are checked once (`_check_pools`), numbers and dates cannot."""
    texts = [column.cast(pa.string()).fill_null("\\N") for column in columns]
    lines = _join(_join(*texts, "\t"), "", "\n")
    _validity, offsets_buffer, data = lines.buffers()
    assert offsets_buffer is not None and data is not None
    offsets = np.frombuffer(memoryview(offsets_buffer), dtype=np.int32)
    first, last = offsets[lines.offset], offsets[lines.offset + len(lines)]
    return data.to_pybytes()[first:last]


def _check_pools() -> None:
    for text in COMMENT_POOL + PLANS + REGIONS + ROLES + CHANNELS:
        if any(character in text for character in "\t\n\r\\"):
            raise ValueError(f"COPY text format would need escaping for {text!r}")


def _write(table: str, names: list[str], columns: list[pa.Array]) -> None:
    """COPY on PostgreSQL, executemany on SQLite, inside the caller's transaction."""
    from django.db import connection

    connection.ensure_connection()
    raw: Any = connection.connection
    quoted = ", ".join(connection.ops.quote_name(name) for name in names)
    if connection.vendor == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
            copy.write(_copy_text(columns))
    else:
        marks = ", ".join("?" for _ in names)
        rows = zip(*(column.to_pylist() for column in columns), strict=True)
        raw.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", rows)


def _ids(table: str, workspace_id: int, order: str) -> IntArray:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {table} WHERE workspace_id = %s ORDER BY {order}", [workspace_id]
        )
        return np.array([row[0] for row in cursor.fetchall()], dtype=np.int64)


@contextmanager
def _foreign_keys_unchecked() -> Iterator[None]:
    """No foreign key check per row: the rows reference ids read back from the database.
    PostgreSQL fires no triggers for a replica session; SQLite can only switch its checks
    off outside a transaction (inside one, as in a test, they stay on)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET session_replication_role")
    else:
        disabled = connection.disable_constraint_checking()
        try:
            yield
        finally:
            if disabled:
                connection.enable_constraint_checking()


@contextmanager
def _indexes_built_afterwards(tables: list[str]) -> Iterator[None]:
    """Drop the tables' indexes but the primary keys and build them once the rows are in, as
    both databases advise for filling a table. Call inside a transaction: a failure rolls
    the dropped indexes back with the rows."""
    from django.db import connection

    quote = connection.ops.quote_name
    recreate: list[str] = []
    with connection.cursor() as cursor:
        for table in tables:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT i.relname, c.conname, pg_get_indexdef(i.oid), "
                    "pg_get_constraintdef(c.oid) "
                    "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                    "LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid "
                    "AND c.conrelid = x.indrelid AND c.contype IN ('u', 'x') "
                    "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary",
                    [table],
                )
                found = cursor.fetchall()
            else:
                # Indexes SQLite made itself for UNIQUE in CREATE TABLE have no SQL and
                # cannot be dropped; they stay.
                cursor.execute(
                    "SELECT name, NULL, sql, NULL FROM sqlite_master "
                    "WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                    [table],
                )
                found = cursor.fetchall()
            for index, constraint, index_sql, constraint_sql in found:
                if constraint:
                    cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(constraint)}")
                    recreate.append(
                        f"ALTER TABLE {table} ADD CONSTRAINT {quote(constraint)} {constraint_sql}"
                    )
                else:
                    cursor.execute(f"DROP INDEX {quote(index)}")
                    recreate.append(index_sql)
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for statement in recreate:
            cursor.execute(statement)


def generate(
    responses: int, contacts: int, *, seed: int = 0, fast_load: bool = False
) -> dict[str, Any]:
    """Write the workspace, survey, accounts, contacts and responses; return what was made.

    `fast_load` (no per-row foreign key checks, indexes built after the load) is for a
    database nobody else uses while it runs.
    """
    from django.db import connection, transaction

    from npsloop.surveys.configure import create_survey
    from npsloop.workspaces.configure import create_workspace

    if responses < 1 or contacts < 1:
        raise ValueError(
            f"responses and contacts must be at least 1, got {responses} and {contacts}"
        )
    _check_pools()
    vendor = connection.vendor
    rng = np.random.default_rng(seed)
    now = int(time.time())
    accounts = max(1, contacts // CONTACTS_PER_ACCOUNT)
    population = Population.draw(contacts, accounts, now, rng)
    tables = ["contacts_account", "contacts_contact", "surveys_response"]
    with (
        _foreign_keys_unchecked() if fast_load else nullcontext(),
        transaction.atomic(),
    ):
        workspace = create_workspace(WORKSPACE_NAME, time_zone=TIME_ZONE)
        survey = create_survey(workspace, name="Relationship NPS", product_name="Bench Cloud")
        with _indexes_built_afterwards(tables) if fast_load else nullcontext():
            _write_accounts(workspace.pk, accounts, now, vendor)
            account_ids = _ids("contacts_account", workspace.pk, "external_id")
            _write_contacts(workspace.pk, population, account_ids, vendor)
            contact_ids = _ids("contacts_contact", workspace.pk, "external_id")
            if len(contact_ids) != contacts:
                raise RuntimeError(f"{len(contact_ids):,} contacts stored, expected {contacts:,}")
            scores = _write_responses(
                workspace.pk, survey.pk, responses, population, contact_ids, account_ids, now, rng
            )
    return {
        "workspace_id": workspace.pk,
        "workspace": workspace.slug,
        "survey_id": survey.pk,
        "responses": responses,
        "contacts": contacts,
        "accounts": accounts,
        "scores": scores,
    }


def _write_accounts(workspace_id: int, accounts: int, now: int, vendor: str) -> None:
    numbers = pc.utf8_lpad(pc.cast(pa.array(np.arange(accounts)), pa.string()), 6, "0")
    created = _stamps(np.full(accounts, now - SIGNUP_YEARS * 365 * DAY), vendor)
    _write(
        "contacts_account",
        ["workspace_id", "external_id", "name", "properties", "created_at", "updated_at"],
        [
            _constant(workspace_id, accounts),
            _join("acct-", numbers, ""),
            _join("Company ", numbers, ""),
            _constant("{}", accounts),
            created,
            created,
        ],
    )


CONTACT_COLUMNS = [
    "workspace_id",
    "external_id",
    "email",
    "name",
    "locale",
    "signed_up_at",
    "account_id",
    "properties",
    "created_at",
    "updated_at",
]


def _write_contacts(
    workspace_id: int, population: Population, account_ids: IntArray, vendor: str
) -> None:
    total = len(population.signed_up)
    for first in range(0, total, CHUNK):
        part = slice(first, min(total, first + CHUNK))
        size = part.stop - first
        numbers = pc.utf8_lpad(pc.cast(pa.array(np.arange(first, part.stop)), pa.string()), 7, "0")
        signed_up = _stamps(population.signed_up[part], vendor)
        _write(
            "contacts_contact",
            CONTACT_COLUMNS,
            [
                _constant(workspace_id, size),
                _join("c-", numbers, ""),
                _join("person", numbers, "@example.com", ""),
                _join("Person ", numbers, ""),
                _constant("en", size),
                signed_up,
                pa.array(account_ids[population.account[part]]),
                population.properties[first : part.stop],
                signed_up,
                signed_up,
            ],
        )


RESPONSE_COLUMNS = [
    "workspace_id",
    "survey_id",
    "contact_id",
    "account_id",
    "score",
    "category",
    "comment",
    "answers",
    "channel",
    "wave",
    "properties",
    "key",
    "created_at",
    "updated_at",
]


def _write_responses(
    workspace_id: int,
    survey_id: int,
    responses: int,
    population: Population,
    contact_ids: IntArray,
    account_ids: IntArray,
    now: int,
    rng: np.random.Generator,
) -> list[int]:
    """Write the responses in the order they arrived; return the histogram of their scores."""
    from django.db import connection

    window = ANSWER_YEARS * 365 * DAY
    # Answers up to a minute ago, so none lies in the future of the run that reads them.
    moments = np.sort(now - rng.integers(60, window, responses))
    histogram = np.zeros(11, dtype=np.int64)
    width = len(str(responses - 1))
    for first in range(0, responses, CHUNK):
        at = moments[first : first + CHUNK]
        size = len(at)
        # A contact who had signed up by then: population is in sign-up order.
        signed_up = np.maximum(np.searchsorted(population.signed_up, at, side="right"), 1)
        who = (rng.random(size) * signed_up).astype(np.int64)
        scores = _scores(population.plan[who], (at - (now - window)) / window, rng)
        histogram += np.bincount(scores, minlength=11)
        category = CATEGORY_OF_SCORE[scores]
        per_category = len(COMMENT_POOL) // len(CATEGORIES)
        comment = np.where(
            rng.random(size) < COMMENT_SHARE,
            category * per_category + rng.integers(0, per_category, size),
            len(COMMENT_POOL) - 1,
        )
        wave = rng.choice(len(WAVE_SHARES), size=size, p=WAVE_SHARES)
        numbers = pc.utf8_lpad(
            pc.cast(pa.array(np.arange(first, first + size)), pa.string()), width, "0"
        )
        created = _stamps(at, connection.vendor)
        _write(
            "surveys_response",
            RESPONSE_COLUMNS,
            [
                _constant(workspace_id, size),
                _constant(survey_id, size),
                pa.array(contact_ids[who]),
                pa.array(account_ids[population.account[who]]),
                pa.array(scores),
                _pick(CATEGORIES, category),
                _pick(COMMENT_POOL, comment),
                _constant("{}", size),
                _pick(CHANNELS, rng.choice(len(CHANNELS), size=size, p=CHANNEL_SHARES)),
                pa.array(wave, mask=wave == 0, type=pa.int16()),
                population.properties.take(who),
                _join("bench-", numbers, ""),
                created,
                created,
            ],
        )
    return [int(count) for count in histogram]


def _scores(
    plan: IntArray, progress: npt.NDArray[np.float64], rng: np.random.Generator
) -> IntArray:
    """One score per answer, from SCORE_SHARES tilted by the plan and by time (0 to 1)."""
    tilt = PLAN_TILT[plan] + TREND_TILT * (progress - 0.5)
    weights = SCORE_SHARES[None, :] * np.exp(tilt[:, None] * (np.arange(11) - 5)[None, :] / 5)
    cumulative = np.cumsum(weights, axis=1)
    drawn = rng.random(len(plan))[:, None] * cumulative[:, -1:]
    return (cumulative < drawn).sum(axis=1).astype(np.int64)


# ---------------------------------------------------------------------------- commands


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def describe() -> dict[str, Any] | None:
    """What a complete earlier `seed` made in this database, or None."""
    from django.db import connection

    if MARKER not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT facts FROM {MARKER}")
        row = cursor.fetchone()
    return None if row is None else dict(json.loads(row[0]))


def seed(responses: int, contacts: int, fast_load: bool) -> dict[str, Any]:
    from django.db import connection, transaction

    from npsloop.surveys.rollups import rebuild_now
    from npsloop.workspaces.models import Workspace

    if describe() is not None:
        raise SystemExit("dashboard_fixture: this database was seeded already; use a fresh one")
    started = time.perf_counter()
    made = generate(responses, contacts, fast_load=fast_load)
    written = time.perf_counter() - started
    # The rollups record_response() would have kept, so the database is complete before
    # the statistics are gathered.
    rebuild_now(Workspace.objects.get(pk=made["workspace_id"]))
    counted = time.perf_counter() - started - written
    with connection.cursor() as cursor:
        # What autovacuum would have done on a database that grew over two years.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    facts = {
        **made,
        "version": VERSION,
        "write_s": written,
        "rollups_s": counted,
        "analyze_s": time.perf_counter() - started - written - counted,
        "peak_rss_mb": _peak_rss_mb(),
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {MARKER} (facts text NOT NULL)")
        cursor.execute(f"INSERT INTO {MARKER} (facts) VALUES (%s)", [json.dumps(facts)])
    return facts


def rebuild() -> dict[str, Any]:
    """Time the real `npsloop rollups rebuild` service (which ends with VACUUM ANALYZE of
    the rollups on PostgreSQL) and check what it wrote."""
    from django.db.models import Sum

    from npsloop.surveys.models import Response, ScoreDay
    from npsloop.surveys.rollups import rebuild_now
    from npsloop.workspaces.models import Workspace

    facts = describe()
    if facts is None:
        raise SystemExit("dashboard_fixture: no seeded data in this database; run seed first")
    workspace = Workspace.objects.get(pk=facts["workspace_id"])
    started = time.perf_counter()
    rows = rebuild_now(workspace)
    seconds = time.perf_counter() - started
    counted = ScoreDay.objects.filter(workspace=workspace).aggregate(total=Sum("count"))["total"]
    responses = Response.objects.filter(workspace=workspace).count()
    return {
        "seconds": seconds,
        "rows": rows,
        "rollup_total": counted or 0,
        "responses": responses,
        "peak_rss_mb": _peak_rss_mb(),
    }


def login() -> dict[str, str]:
    """A superuser and a session of theirs, stored where the web server will look."""
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import Client

    from npsloop.workspaces.configure import ensure_admin

    user, _ = ensure_admin("bench-admin", "bench-admin@example.com", secrets.token_urlsafe(16))
    client = Client()
    client.force_login(cast("User", user))
    name = settings.SESSION_COOKIE_NAME
    return {"cookie": f"{name}={client.cookies[name].value}"}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dashboard_fixture", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("describe", help="what an earlier seed made here (JSON), or null")
    seeding = commands.add_parser("seed", help="workspace, survey, accounts, contacts, responses")
    seeding.add_argument("--responses", type=int, required=True)
    seeding.add_argument("--contacts", type=int, required=True)
    seeding.add_argument(
        "--fast-load",
        action="store_true",
        help="build indexes after the load, no per-row foreign key checks",
    )
    commands.add_parser("rebuild", help="time rollups.rebuild_now() and check its totals")
    commands.add_parser("login", help="a superuser's session cookie")
    args = parser.parse_args(argv)
    django.setup()
    result: Any
    if args.command == "describe":
        result = describe()
    elif args.command == "seed":
        result = seed(args.responses, args.contacts, args.fast_load)
    elif args.command == "rebuild":
        result = rebuild()
    else:
        result = login()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
