"""`python -m bench.seed_responses WORKSPACE_ID SURVEY_ID[,…] --responses N`: a big history, fast.

Accounts, contacts (with plan, region and role) and N responses spread over the last
12 months, three channels and every score are written with PostgreSQL COPY, then the daily
rollups are rebuilt from them and the tables analysed.

This deliberately bypasses record_response(): calling the service a million times would
take an hour, and the benchmark measures reading, not writing. rollups.rebuild() restores
the invariant the service keeps (rollups equal the responses), so the data the metrics see
is exactly what the services would have produced. A bench fixture only — never do this to
real data.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

import django
import numpy as np

PLANS = ["free", "starter", "pro", "enterprise"]
REGIONS = ["eu", "us", "apac", "latam"]
ROLES = ["admin", "developer", "analyst", "executive"]
CHANNELS = ["email", "in-app", "link"]
# Most answers 7-10, a long tail of detractors, as in real programmes.
SCORE_SHARES = np.array([3, 1.5, 1.5, 2, 2, 5, 6, 11, 18, 22, 28]) / 100
CATEGORIES = ["detractor"] * 7 + ["passive"] * 2 + ["promoter"] * 2
COMMENTS = [
    "Too expensive for what we use",
    "Easy to use, the team loves it",
    "Support answered within minutes",
    "Dashboards are slow with our data",
    'Missing a Salesforce integration, "soon" for a year now',
]
YEAR_SECONDS = 365 * 24 * 3600


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.seed_responses")
    parser.add_argument("workspace_id", type=int)
    parser.add_argument("surveys", help="survey ids, comma-separated")
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--contacts", type=int, default=50_000)
    parser.add_argument("--accounts", type=int, default=2_000)
    args = parser.parse_args(argv)
    django.setup()
    from django.db import connection

    from npsloop.surveys import rollups
    from npsloop.workspaces.models import Workspace

    timings: dict[str, float] = {}
    started = time.perf_counter()
    rng = np.random.default_rng(2)
    with connection.cursor() as cursor:
        raw = cursor.connection
        accounts = _copy_accounts(raw, args.workspace_id, args.accounts)
        contacts = _copy_contacts(raw, args.workspace_id, accounts, args.contacts, rng)
        surveys = [int(s) for s in args.surveys.split(",")]
        _copy_responses(raw, args.workspace_id, surveys, contacts, args.responses, rng)
    timings["copy_s"] = time.perf_counter() - started
    mark = time.perf_counter()
    rows = rollups.rebuild(Workspace.objects.get(pk=args.workspace_id))
    timings["rollups_s"] = time.perf_counter() - mark
    mark = time.perf_counter()
    with connection.cursor() as cursor:
        # What autovacuum would have done on a database that grew over a year.
        cursor.execute("VACUUM ANALYZE")
    timings["vacuum_s"] = time.perf_counter() - mark
    print(json.dumps({"responses": args.responses, "rollup_rows": rows, **timings}))
    return 0


def _copy_accounts(raw: Any, workspace_id: int, count: int) -> list[int]:
    columns = "workspace_id, external_id, name, properties, created_at, updated_at"
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY contacts_account ({columns}) FROM STDIN") as copy:
            for i in range(count):
                properties = json.dumps({"tier": PLANS[i % len(PLANS)]})
                copy.write_row(
                    (workspace_id, f"acct-{i}", f"Account {i}", properties, "2024-01-01", "now")
                )
        cursor.execute(
            "SELECT id FROM contacts_account WHERE workspace_id = %s ORDER BY id", [workspace_id]
        )
        return [row[0] for row in cursor.fetchall()]


Contact = tuple[int, int, str, str]  # id, account id, properties now, properties a year ago


def _copy_contacts(
    raw: Any, workspace_id: int, accounts: list[int], count: int, rng: np.random.Generator
) -> list[Contact]:
    columns = (
        "workspace_id, external_id, email, name, locale, account_id, properties, "
        "created_at, updated_at"
    )
    plan_of = rng.choice(len(PLANS), size=count, p=[0.4, 0.3, 0.22, 0.08])
    account_of = rng.integers(0, len(accounts), size=count)
    snapshots: dict[str, tuple[str, str]] = {}
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY contacts_contact ({columns}) FROM STDIN") as copy:
            for i in range(count):
                now = {"plan": PLANS[plan_of[i]], "region": REGIONS[i % 4], "role": ROLES[i % 3]}
                # Some people upgraded during the year: older answers carry the older plan.
                before = {**now, "plan": PLANS[max(0, int(plan_of[i]) - (i % 5 == 0))]}
                snapshots[f"c-{i}"] = (json.dumps(now), json.dumps(before))
                copy.write_row(
                    (
                        workspace_id,
                        f"c-{i}",
                        f"person{i}@example.com",
                        f"Person {i}",
                        "en",
                        accounts[account_of[i]],
                        snapshots[f"c-{i}"][0],
                        "2024-01-01",
                        "now",
                    )
                )
        cursor.execute(
            "SELECT id, account_id, external_id FROM contacts_contact WHERE workspace_id = %s",
            [workspace_id],
        )
        return [(pk, account, *snapshots[ext]) for pk, account, ext in cursor.fetchall()]


def _copy_responses(
    raw: Any,
    workspace_id: int,
    surveys: list[int],
    contacts: list[Contact],
    count: int,
    rng: np.random.Generator,
) -> None:
    columns = (
        "workspace_id, survey_id, contact_id, account_id, score, category, comment, answers, "
        "channel, properties, key, created_at, updated_at"
    )
    now = int(time.time())
    ages = rng.integers(60, YEAR_SECONDS, size=count)
    moments = np.datetime_as_string((now - ages).astype("datetime64[s]"), unit="s")
    scores = rng.choice(11, size=count, p=SCORE_SHARES)
    survey_of = rng.choice(len(surveys), size=count, p=[0.8, 0.2] if len(surveys) == 2 else None)
    channel_of = rng.choice(len(CHANNELS), size=count, p=[0.55, 0.3, 0.15])
    contact_of = rng.integers(0, len(contacts), size=count)
    comment_of = rng.integers(0, 4 * len(COMMENTS), size=count)
    statement = f"COPY surveys_response ({columns}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for i in range(count):
            pk, account, props_now, props_before = contacts[contact_of[i]]
            score = int(scores[i])
            moment = f"{moments[i]}+00:00"
            copy.write_row(
                (
                    workspace_id,
                    surveys[survey_of[i]],
                    pk,
                    account,
                    score,
                    CATEGORIES[score],
                    COMMENTS[comment_of[i]] if comment_of[i] < len(COMMENTS) else "",
                    "{}",
                    CHANNELS[channel_of[i]],
                    props_before if ages[i] > YEAR_SECONDS // 2 else props_now,
                    f"seed-{i}",
                    moment,
                    moment,
                )
            )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
