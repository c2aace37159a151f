"""The planner bench's data and runs, in a child process on the database its environment names.

    python -m bench.planner_fixture seed --contacts N [--cap-percent 2] [--account-cap 5]
    python -m bench.planner_fixture plan --survey ID [--profile]
    python -m bench.planner_fixture forecast --survey ID [--days 90] [--profile]

`seed` makes a workspace, a survey and its lifecycle programme (switched on, a daily cap of
a percentage of the eligible contacts, an account cap per week) and a few major releases
through the services, then writes a customer's history straight into the tables: N contacts
who signed up over the last three years, in up to 20,000 accounts, with a plan and a role;
about 30 % asked this survey before, in waves 1 to 5 at the times the lifecycle would have
asked them (with some delay), and about 20 % who answered their last ask. PostgreSQL gets
it with COPY, SQLite with executemany: a million contacts through the services would take
an hour, and the bench measures planning, not storing. A bench fixture only.

`plan` and `forecast` time one call of the planner in this process, after Django has
started, and report the process's peak RSS; `plan` also times each step of the planner (the
functions it calls, wrapped) and each SQL statement. `--profile` adds a cProfile of the call.
Each prints one JSON line.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import resource
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import django
import numpy as np
import numpy.typing as npt

DAY = 86_400.0
YEARS = 3
MAX_ACCOUNTS = 20_000
CONTACTS_PER_ACCOUNT = 50
ASKED_SHARE = 0.30
ANSWERED_SHARE = 0.20
PLANS = ["free", "starter", "pro", "enterprise"]
ROLES = ["admin", "developer", "analyst", "manager", "support"]
CATEGORIES = ["detractor"] * 7 + ["passive"] * 2 + ["promoter"] * 2
SCORE_SHARES = np.array([3, 1.5, 1.5, 2, 2, 5, 6, 11, 18, 22, 28]) / 100
MAJOR_RELEASES_DAYS_AGO = (900, 610, 400, 210, 45)  # none inside the 14-day blackout
T = TypeVar("T")
Floats = npt.NDArray[np.float64]


# ---------------------------------------------------------------------------- the history


class History:
    """Everything `seed` writes, as arrays; times are epoch days (floats), NaN for none."""

    def __init__(self, contacts: int, rng: np.random.Generator, now: float) -> None:
        n = contacts
        self.now = now
        # Seeded asks all lie before today, so the run's daily cap starts from zero.
        today = np.floor(now)
        self.accounts = max(1, min(MAX_ACCOUNTS, n // CONTACTS_PER_ACCOUNT))
        self.start = now - rng.uniform(0, YEARS * 365, n)
        self.account = np.where(rng.random(n) < 0.05, -1, rng.integers(0, self.accounts, n))
        self.plan = rng.choice(len(PLANS), size=n, p=[0.4, 0.3, 0.22, 0.08])
        self.role = rng.integers(0, len(ROLES), n)
        self.no_signup_date = rng.random(n) < 0.03
        self.no_email = rng.random(n) < 0.02
        self.bounced = np.where(rng.random(n) < 0.01, now - rng.uniform(1, 300, n), np.nan)
        self.unsubscribed = np.where(rng.random(n) < 0.02, now - rng.uniform(1, 300, n), np.nan)

        # When the lifecycle would have asked each contact, waves 1 to 5, a little late.
        def late() -> Floats:
            return rng.uniform(0, 20, n)

        wave_at = np.empty((5, n))
        wave_at[0] = self.start + rng.uniform(7, 15, n) + late()
        wave_at[1] = wave_at[0] + rng.uniform(30, 91, n) + late()
        for w in (2, 3, 4):
            wave_at[w] = wave_at[w - 1] + 90 + late()
        possible = (wave_at < today).sum(axis=0)
        share = ASKED_SHARE / max((possible > 0).mean(), 1e-9)
        asked = (rng.random(n) < share) & (possible > 0)
        # Various waves: each asked contact stopped somewhere between wave 1 and the last
        # wave their signup date allows.
        self.waves = np.where(asked, 1 + np.floor(rng.random(n) * possible), 0).astype(np.int64)

        self.ask_contact = np.repeat(np.arange(n), self.waves)
        firsts = np.repeat(np.cumsum(self.waves) - self.waves, self.waves)
        self.ask_wave = np.arange(len(self.ask_contact)) - firsts + 1
        self.ask_at = wave_at[self.ask_wave - 1, self.ask_contact]
        last = self.ask_wave == self.waves[self.ask_contact]
        roll = rng.random(len(self.ask_contact))
        self.ask_status = np.full(len(self.ask_contact), "sent", dtype=object)
        # Asked in the last week and not sent yet: the "already pending" few.
        self.ask_status[last & (self.ask_at > today - 7) & (roll < 0.5)] = "scheduled"
        self.ask_status[last & (roll > 0.99)] = "failed"

        # Answers to the last ask, from about a fifth of all contacts.
        answerable = last & (self.ask_status == "sent")
        share = ANSWERED_SHARE * n / max(int(answerable.sum()), 1)
        self.answered = np.flatnonzero(answerable & (rng.random(len(self.ask_contact)) < share))
        self.ask_status[self.answered] = "responded"
        self.answered_at = np.minimum(
            self.ask_at[self.answered] + rng.uniform(0.01, 3, len(self.answered)), today - 1e-4
        )
        self.scores = rng.choice(11, size=len(self.answered), p=SCORE_SHARES)
        self.answered_ask = np.full(len(self.ask_contact), np.nan)
        self.answered_ask[self.answered] = self.answered_at

    def contact_properties(self) -> list[str]:
        texts = [json.dumps({"plan": plan, "role": role}) for plan in PLANS for role in ROLES]
        return [texts[i] for i in (self.plan * len(ROLES) + self.role).tolist()]


# ---------------------------------------------------------------------------- writing


def _stamps(days: Floats, vendor: str) -> list[str | None]:
    """Epoch days as the text each database stores date-times as (NaN: NULL). SQLite holds
    Django's naive UTC 'YYYY-MM-DD HH:MM:SS': its comparisons are textual."""
    seconds = np.nan_to_num(days * DAY).astype("datetime64[s]")
    text = np.datetime_as_string(seconds, unit="s")
    text = (
        np.char.add(text, "+00:00") if vendor == "postgresql" else np.char.replace(text, "T", " ")
    )
    values: list[str | None] = text.tolist()
    for i in np.flatnonzero(np.isnan(days)).tolist():
        values[i] = None
    return values


def _write(table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """COPY on PostgreSQL, executemany on SQLite, inside the caller's transaction."""
    from django.db import connection

    connection.ensure_connection()
    raw: Any = connection.connection
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    if connection.vendor == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in columns)
        raw.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def _ids(table: str, workspace_id: int, order: str) -> npt.NDArray[np.int64]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {table} WHERE workspace_id = %s ORDER BY {order}", [workspace_id]
        )
        return np.array([row[0] for row in cursor.fetchall()], dtype=np.int64)


def seed(contacts: int, cap_percent: float, account_cap: int | None) -> dict[str, Any]:
    from django.db import connection, transaction

    from npsloop.program.programmes import programme_of, update_programme
    from npsloop.program.releases import create_release
    from npsloop.surveys.configure import create_survey
    from npsloop.workspaces.configure import create_workspace

    started = time.perf_counter()
    now = datetime.now(UTC)
    workspace = create_workspace("Planner bench")
    survey = create_survey(workspace, name="Planner bench lifecycle NPS", product_name="Bench Co")
    update_programme(
        programme_of(survey),
        {"enabled": True, "daily_cap_percent": cap_percent, "account_cap_per_week": account_cap},
    )
    for days in MAJOR_RELEASES_DAYS_AGO:
        create_release(
            workspace, name=f"v{days}", released_at=now - timedelta(days=days), major=True
        )
    history = History(contacts, np.random.default_rng(5), now.timestamp() / DAY)
    vendor = connection.vendor
    ws, sv = workspace.pk, survey.pk
    created = _stamps(np.array([history.now]), vendor)[0]
    with transaction.atomic():
        _write(
            "contacts_account",
            ["workspace_id", "external_id", "name", "properties", "created_at", "updated_at"],
            (
                (ws, f"acct-{a:05d}", f"Company {a}", "{}", created, created)
                for a in range(history.accounts)
            ),
        )
        accounts = _ids("contacts_account", ws, "external_id")
        start = _stamps(history.start, vendor)
        _write(
            "contacts_contact",
            [
                "workspace_id",
                "external_id",
                "email",
                "name",
                "locale",
                "signed_up_at",
                "account_id",
                "properties",
                "unsubscribed_at",
                "bounced_at",
                "created_at",
                "updated_at",
            ],
            _contact_rows(history, ws, accounts, start, vendor),
        )
        ids = _ids("contacts_contact", ws, "external_id")
        if len(ids) != contacts:
            raise SystemExit(f"planner_fixture: {len(ids)} contacts stored, expected {contacts}")
        _write("program_surveyrequest", ASK_COLUMNS, _ask_rows(history, ws, sv, ids, vendor))
        _write("surveys_response", RESPONSE_COLUMNS, _response_rows(history, ws, sv, ids, accounts))
    written = time.perf_counter() - started
    with connection.cursor() as cursor:
        # What autovacuum (PostgreSQL) or the contact import (SQLite) would have done.
        cursor.execute("VACUUM ANALYZE" if vendor == "postgresql" else "ANALYZE")
    waves, counts = np.unique(history.waves, return_counts=True)
    return {
        "workspace_id": ws,
        "survey_id": sv,
        "contacts": contacts,
        "accounts": history.accounts,
        "asked_contacts": int((history.waves > 0).sum()),
        "asks": len(history.ask_contact),
        "pending": int((history.ask_status == "scheduled").sum()),
        "responses": len(history.answered),
        "waves": {int(w): int(c) for w, c in zip(waves, counts, strict=True)},
        "write_s": written,
        "analyze_s": time.perf_counter() - started - written,
    }


def _contact_rows(
    history: History, ws: int, accounts: npt.NDArray[np.int64], start: list[str | None], vendor: str
) -> Iterator[tuple[object, ...]]:
    properties = history.contact_properties()
    bounced = _stamps(history.bounced, vendor)
    unsubscribed = _stamps(history.unsubscribed, vendor)
    account = history.account.tolist()
    no_date = history.no_signup_date.tolist()
    no_email = history.no_email.tolist()
    for i in range(len(start)):
        yield (
            ws,
            f"c-{i:07d}",
            None if no_email[i] else f"person{i}@example.com",
            f"Person {i}",
            "en",
            None if no_date[i] else start[i],
            None if account[i] < 0 else int(accounts[account[i]]),
            properties[i],
            unsubscribed[i],
            bounced[i],
            start[i],
            start[i],
        )


ASK_COLUMNS = [
    "workspace_id",
    "survey_id",
    "contact_id",
    "device",
    "channel",
    "wave",
    "token",
    "status",
    "due_at",
    "claim",
    "attempts",
    "sent_at",
    "last_sent_at",
    "reminders_sent",
    "message_id",
    "provider_message_id",
    "error",
    "responded_at",
    "dismissals",
    "created_at",
    "updated_at",
]


def _ask_rows(
    history: History, ws: int, sv: int, ids: npt.NDArray[np.int64], vendor: str
) -> Iterator[tuple[object, ...]]:
    due = _stamps(history.ask_at, vendor)
    sent = _stamps(history.ask_at + 5 / (24 * 60), vendor)  # five minutes later
    answered = _stamps(history.answered_ask, vendor)
    contact = ids[history.ask_contact].tolist()
    wave = history.ask_wave.tolist()
    for i, status in enumerate(history.ask_status.tolist()):
        was_sent = status in ("sent", "responded")
        yield (
            ws,
            sv,
            contact[i],
            "",
            "email",
            wave[i],
            f"seed-{i}",
            status,
            due[i],
            "",
            1 if status != "scheduled" else 0,
            sent[i] if was_sent else None,
            sent[i] if was_sent else None,
            0,
            f"<seed-{i}@bench>" if was_sent else "",
            "",
            "550 mailbox unavailable" if status == "failed" else "",
            answered[i],
            0,
            due[i],
            answered[i] or due[i],
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
    "properties",
    "key",
    "created_at",
    "updated_at",
]


def _response_rows(
    history: History,
    ws: int,
    sv: int,
    ids: npt.NDArray[np.int64],
    accounts: npt.NDArray[np.int64],
) -> Iterator[tuple[object, ...]]:
    from django.db import connection

    at = _stamps(history.answered_at, connection.vendor)
    who = history.ask_contact[history.answered].tolist()
    properties = history.contact_properties()
    for i, (contact, score) in enumerate(zip(who, history.scores.tolist(), strict=True)):
        account = int(history.account[contact])
        yield (
            ws,
            sv,
            int(ids[contact]),
            int(accounts[account]) if account >= 0 else None,
            score,
            CATEGORIES[score],
            "",
            "{}",
            "email",
            properties[contact],
            f"seed-{i}",
            at[i],
            at[i],
        )


# ---------------------------------------------------------------------------- measuring


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


@contextmanager
def _statements() -> Iterator[list[tuple[float, str]]]:
    """Every SQL statement's execute() time. On PostgreSQL that includes receiving the rows;
    on SQLite the rows are fetched after execute() returns, so the time is only the start."""
    from django.db import connection

    seen: list[tuple[float, str]] = []

    def timed(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            seen.append((time.perf_counter() - started, " ".join(sql.split())))

    with connection.execute_wrapper(timed):
        yield seen


def _timing_steps(steps: dict[str, float], peaks: dict[str, float]) -> None:
    """Wrap the functions the planner calls, so each step's time is known without a profiler
    (which would slow the Python steps more than the database ones), and the process's peak
    RSS once it returned: the first step whose peak is the run's peak set it."""
    from npsloop.program import planner
    from npsloop.program.models import SurveyRequest

    def wrapped(name: str, function: Callable[..., T]) -> Callable[..., T]:
        def timed(*args: Any, **kwargs: Any) -> T:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                steps[name] = steps.get(name, 0.0) + time.perf_counter() - started
                peaks[name] = _peak_rss_mb()

        return timed

    for name in (
        "fall_back",
        "undecided_contacts",
        "contact_rule_counts",
        "load_population",
        "asked_this_week_by_account",
        "select",
    ):
        if hasattr(planner, name):  # the steps of this version of the planner
            setattr(planner, name, wrapped(name, getattr(planner, name)))
    manager: Any = SurveyRequest.objects
    manager.bulk_create = wrapped("bulk_create", manager.bulk_create)


def _call(function: Callable[[], T], profile: bool) -> tuple[T, float, str]:
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    result = function()
    if profiler is not None:
        profiler.disable()
    seconds = time.perf_counter() - started
    text = ""
    if profiler is not None:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs()
        stats.sort_stats("cumulative").print_stats(30)
        stats.sort_stats("tottime").print_stats(15)
        text = out.getvalue()
    return result, seconds, text


def run_plan(survey_id: int, profile: bool) -> dict[str, Any]:
    from npsloop.program.models import AskStatus, SurveyRequest
    from npsloop.program.planner import plan
    from npsloop.surveys.models import Survey

    survey = Survey.objects.select_related("workspace").get(pk=survey_id)
    rss_before = _peak_rss_mb()
    steps: dict[str, float] = {}
    peaks: dict[str, float] = {}
    _timing_steps(steps, peaks)
    started_at = datetime.now(UTC)
    with _statements() as statements:
        report, seconds, profiled = _call(lambda: plan(survey), profile)
    stored = SurveyRequest.objects.filter(
        survey=survey, status=AskStatus.SCHEDULED, created_at__gte=started_at
    ).count()
    slowest = sorted(statements, reverse=True)[:6]
    return {
        "seconds": seconds,
        "peak_rss_mb": _peak_rss_mb(),
        "rss_before_mb": rss_before,
        "created": report.created,
        "stored": stored,
        "waves": report.waves,
        "excluded": report.excluded,
        "steps": steps,
        "peaks": peaks,
        "statements": len(statements),
        "slowest": [[round(s, 3), sql[:160]] for s, sql in slowest],
        "profile": profiled,
    }


def run_forecast(survey_id: int, days: int, profile: bool) -> dict[str, Any]:
    from npsloop.program.planner import forecast
    from npsloop.surveys.models import Survey

    survey = Survey.objects.select_related("workspace").get(pk=survey_id)
    rss_before = _peak_rss_mb()
    ahead, seconds, profiled = _call(lambda: forecast(survey, days), profile)
    counts = [count for _, count in ahead.days]
    return {
        "seconds": seconds,
        "peak_rss_mb": _peak_rss_mb(),
        "rss_before_mb": rss_before,
        "days": days,
        "asks": sum(counts),
        "per_day": counts,
        "profile": profiled,
    }


def hold(survey_id: int) -> dict[str, Any]:
    """Make today a day with nothing due and no cap to stop early: the caps off, and a major
    release an hour ago, whose blackout postpones every due ask. The next run must still
    count who is kept out, and why, over every contact (the slowest run that asks nobody)."""
    from django.utils import timezone

    from npsloop.program.models import Programme
    from npsloop.program.programmes import update_programme
    from npsloop.program.releases import create_release
    from npsloop.surveys.models import Survey

    survey = Survey.objects.select_related("workspace").get(pk=survey_id)
    programme = Programme.objects.get(survey=survey)
    update_programme(
        programme, {"daily_cap": None, "daily_cap_percent": None, "account_cap_per_week": None}
    )
    create_release(
        survey.workspace,
        name="bench: major release an hour ago",
        released_at=timezone.now() - timedelta(hours=1),
        major=True,
    )
    return {"blackout_days": programme.blackout_days}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.planner_fixture", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    seeding = commands.add_parser("seed", help="workspace, survey, programme and a history")
    seeding.add_argument("--contacts", type=int, required=True)
    seeding.add_argument("--cap-percent", type=float, default=2.0, help="daily_cap_percent")
    seeding.add_argument("--account-cap", type=int, default=5, help="account_cap_per_week")
    holding = commands.add_parser("hold", help="caps off and a blackout from now: nothing due")
    holding.add_argument("--survey", type=int, required=True)
    for name in ("plan", "forecast"):
        command = commands.add_parser(name, help=f"time {name}() once")
        command.add_argument("--survey", type=int, required=True)
        command.add_argument("--profile", action="store_true", help="cProfile the call")
        if name == "forecast":
            command.add_argument("--days", type=int, default=90)
    args = parser.parse_args(argv)
    django.setup()
    if args.command == "seed":
        result = seed(args.contacts, args.cap_percent, args.account_cap or None)
    elif args.command == "hold":
        result = hold(args.survey)
    elif args.command == "plan":
        result = run_plan(args.survey, args.profile)
    else:
        result = run_forecast(args.survey, args.days, args.profile)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
