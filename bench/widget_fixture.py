"""The widget bench's data, made in a child process on the database its environment names.

    python -m bench.widget_fixture seed --users N --bodies PATH [--fresh-share 0.05]
    python -m bench.widget_fixture state --since ISO-MOMENT
    python -m bench.widget_fixture profile --bodies PATH [--checks 2000]

`seed` makes what a customer who has used npsloop for a while has: a workspace whose widget
is embedded on https://app.example.com with identity verification on, one active survey
that the widget may show, and N users who are already contacts (stored through
`store_contacts`, the import's bulk path), with plan, role, region, seats and a beta flag.
Their history: most were asked or answered within the cooldown (by email, answered or not;
in the widget, answered or dismissed a few days ago; through a link), many also answered
a year ago, and a share (--fresh-share) was never asked at all. The history is written with
bulk inserts and the daily rollups rebuilt from it with `rollups.rebuild()` (what
`record_response()` keeps for every response), then VACUUM ANALYZE as autovacuum would
have: calling the services twenty thousand times with past dates is not possible, and this
bench measures the check, not the seeding. A bench fixture only.

It writes the JSON body of a check for every user to --bodies, one a line, exactly what
widget.js sends for that user: the publishable key, a device id, the identify object with
the properties the contact was stored with (so the contact upsert finds nothing to change),
the userHash made with `identity.user_hash`, and a page URL.

`state` reads back, by SQL, what the load changed since a moment: contacts updated (none
expected), widget displays recorded (at most one open per user) and the asks by status.

`profile` runs checks in this process through the WSGI application (the same middleware as
the web server), counts the SQL statements of each kind of answer with Django's
CaptureQueriesContext plus the connection health checks Django makes outside it, prints
them, then profiles the checks with cProfile. It prints text, not JSON.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import random
import re
import secrets
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import django

ORIGIN = "https://app.example.com"
PLANS = ["free", "starter", "pro", "enterprise"]
ROLES = ["admin", "developer", "analyst", "manager", "support"]
REGIONS = ["eu", "us", "apac", "latam"]
LOCALES = ["en"] * 6 + ["de", "fr", "es", "pt-BR"]
CONTACT_BATCH = 1000
# What the users who were asked did, and how many of them (weights): asked by email and
# answered, asked by email and silent, shown the widget and answered, shown the widget and
# dismissed it lately (it comes back after the survey's dismiss_days), answered a link.
HISTORIES = {
    "email answered": 40,
    "email unanswered": 25,
    "widget answered": 20,
    "widget dismissed": 10,
    "link answered": 5,
}
# Share of the asked users who also answered in an earlier round, outside the cooldown.
EARLIER_ROUND = 0.6


@dataclass
class User:
    number: int
    external_id: str
    email: str
    name: str
    locale: str
    signed_up_at: str
    properties: dict[str, object]
    device: str
    history: str  # "never asked" or one of HISTORIES


def make_users(count: int, fresh_share: float, rng: random.Random) -> list[User]:
    kinds, weights = list(HISTORIES), list(HISTORIES.values())
    users = []
    for n in range(count):
        signed_up = datetime(2023, 1, 1) + timedelta(minutes=rng.randrange(1_000_000))
        users.append(
            User(
                number=n,
                external_id=f"u-{n:06d}",
                email=f"user{n:06d}@customer{n % 700:03d}.example.com",
                name=f"Person {n}",
                locale=rng.choice(LOCALES),
                signed_up_at=signed_up.strftime("%Y-%m-%dT%H:%M:%SZ"),
                properties={
                    "plan": rng.choice(PLANS),
                    "role": rng.choice(ROLES),
                    "region": rng.choice(REGIONS),
                    "seats": rng.randrange(1, 500),
                    "beta": rng.random() < 0.2,
                },
                device=secrets.token_hex(8),
                history=(
                    "never asked" if rng.random() < fresh_share else rng.choices(kinds, weights)[0]
                ),
            )
        )
    return users


def check_body(user: User, key: str, user_hash: str, rng: random.Random) -> dict[str, Any]:
    """What widget.js posts for this user on some page of the customer's app."""
    return {
        "key": key,
        "device": user.device,
        "user": {
            "id": user.external_id,
            "email": user.email,
            "name": user.name,
            "locale": user.locale,
            "signedUpAt": user.signed_up_at,
            "properties": user.properties,
        },
        "userHash": user_hash,
        "url": f"{ORIGIN}/projects/{rng.randrange(1, 5000)}/board?tab=overview",
    }


def seed(users_count: int, fresh_share: float, bodies: Path) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from npsloop.channels.inapp.identity import user_hash
    from npsloop.contacts.fields import ContactData
    from npsloop.contacts.models import Contact
    from npsloop.contacts.services import store_contacts
    from npsloop.surveys import rollups
    from npsloop.surveys.configure import create_survey
    from npsloop.workspaces.configure import create_workspace, update_workspace

    started = time.perf_counter()
    rng = random.Random(4)
    workspace = create_workspace("Widget bench")
    update_workspace(workspace, {"widget_origins": ORIGIN, "require_identity": True})
    survey = create_survey(workspace, name="Widget bench relationship NPS", product_name="Acme")
    if not (survey.is_active and survey.in_app and not survey.widget_event):
        raise SystemExit("widget_fixture: a new survey should be active and shown on any page")
    users = make_users(users_count, fresh_share, rng)
    for start in range(0, len(users), CONTACT_BATCH):
        batch = [
            ContactData(
                external_id=u.external_id,
                email=u.email,
                name=u.name,
                locale=u.locale,
                signed_up_at=datetime.fromisoformat(u.signed_up_at),
                properties=u.properties,
            )
            for u in users[start : start + CONTACT_BATCH]
        ]
        refused = [item for item in store_contacts(workspace, batch) if isinstance(item, Exception)]
        if refused:
            raise SystemExit(f"widget_fixture: {len(refused)} contacts refused: {refused[0]}")
    ids = {
        str(external_id): pk
        for external_id, pk in Contact.objects.filter(workspace=workspace).values_list(
            "external_id", "pk"
        )
    }
    now = timezone.now()
    asks, responses = _history(workspace.pk, survey.pk, users, ids, now, rng)
    rollups.rebuild(workspace)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    with bodies.open("w", encoding="utf-8") as out:
        for user in users:
            body = check_body(
                user, workspace.publishable_key, user_hash(workspace, user.external_id), rng
            )
            out.write(json.dumps(body, separators=(",", ":")) + "\n")
    histories = Counter(user.history for user in users)
    examples: dict[str, int] = {}
    for user in users:
        examples.setdefault(user.history, user.number)
    return {
        "workspace": workspace.slug,
        "key": workspace.publishable_key,
        "survey": survey.pk,
        "users": len(users),
        "histories": dict(histories),
        # The line of --bodies of the first user of each history, for the bench's own checks.
        "examples": examples,
        "asks": asks,
        "responses": responses,
        "seeded_at": timezone.now().isoformat(),
        "seconds": round(time.perf_counter() - started, 1),
    }


def _history(
    workspace_id: int,
    survey_id: int,
    users: list[User],
    ids: dict[str, int],
    now: datetime,
    rng: random.Random,
) -> tuple[int, int]:
    """Asks and responses as the services would have left them; returns their counts."""
    from npsloop.program.models import AskStatus, SurveyRequest
    from npsloop.stats import category_of
    from npsloop.surveys.models import Channel, Response

    def days_ago(low: float, high: float) -> datetime:
        return now - timedelta(days=rng.uniform(low, high))

    def score() -> int:
        return rng.choices(range(11), [3, 1, 1, 2, 2, 5, 6, 11, 18, 22, 29])[0]

    # (contact id, channel, asked at or None for an answer without an ask, answered at or
    # None, status, dismissed at or None)
    rounds: list[tuple[int, str, datetime | None, datetime | None, str, datetime | None]] = []
    for user in users:
        contact = ids[user.external_id]
        if user.history == "never asked":
            continue
        if rng.random() < EARLIER_ROUND:
            asked = days_ago(120, 330)
            rounds.append(
                (contact, Channel.EMAIL, asked, asked + timedelta(hours=rng.uniform(1, 48)),
                 AskStatus.RESPONDED, None)
            )  # fmt: skip
        asked = days_ago(1, 85)
        answered = asked + timedelta(minutes=rng.uniform(1, 600))
        if user.history == "email answered":
            rounds.append((contact, Channel.EMAIL, asked, answered, AskStatus.RESPONDED, None))
        elif user.history == "email unanswered":
            rounds.append((contact, Channel.EMAIL, asked, None, AskStatus.SENT, None))
        elif user.history == "widget answered":
            answered = asked + timedelta(seconds=rng.uniform(5, 120))
            rounds.append((contact, Channel.IN_APP, asked, answered, AskStatus.RESPONDED, None))
        elif user.history == "widget dismissed":
            # Shown 5-20 days ago, dismissed once lately: hidden until dismiss_days pass.
            dismissed = days_ago(0.1, 4.5)
            asked = days_ago(5, 20)
            rounds.append((contact, Channel.IN_APP, asked, None, AskStatus.SENT, dismissed))
        else:
            rounds.append((contact, Channel.LINK, None, answered, "", None))
    responses = []
    for n, (contact, channel, _, answered_at, _, _) in enumerate(rounds):
        if answered_at is not None:
            given = score()
            responses.append(
                Response(
                    workspace_id=workspace_id,
                    survey_id=survey_id,
                    contact_id=contact,
                    score=given,
                    category=category_of(given),
                    channel=channel,
                    key=f"bench-history-{n}",
                    created_at=answered_at,
                    updated_at=answered_at,
                )
            )
    Response.objects.bulk_create(responses, batch_size=2000)
    by_key = {response.key: response for response in responses}
    asks = []
    for n, (contact, channel, asked_at, answered_at, status, dismissed_at) in enumerate(rounds):
        if asked_at is None:
            continue
        response = by_key.get(f"bench-history-{n}")
        displayed = asked_at if channel == Channel.IN_APP else None
        if dismissed_at is not None:
            displayed = dismissed_at - timedelta(seconds=30)
        asks.append(
            SurveyRequest(
                workspace_id=workspace_id,
                survey_id=survey_id,
                contact_id=contact,
                channel=channel,
                token=secrets.token_urlsafe(16),
                status=status,
                due_at=asked_at,
                sent_at=asked_at,
                last_sent_at=asked_at,
                response=response,
                responded_at=answered_at,
                displayed_at=displayed,
                dismissals=1 if dismissed_at else 0,
                dismissed_at=dismissed_at,
                created_at=asked_at,
                updated_at=dismissed_at or answered_at or asked_at,
            )
        )
    SurveyRequest.objects.bulk_create(asks, batch_size=2000)
    return len(asks), len(responses)


def state(since: datetime) -> dict[str, Any]:
    """Plain SQL, so the check does not share the code it checks."""
    from django.db import connection

    from npsloop.contacts.models import Contact
    from npsloop.program.models import SurveyRequest

    contacts = connection.ops.quote_name(Contact._meta.db_table)
    asks_table = connection.ops.quote_name(SurveyRequest._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {contacts} WHERE updated_at > %s", [since])
        [(contacts_changed,)] = cursor.fetchall()
        cursor.execute(
            f"SELECT count(*), count(DISTINCT contact_id) FROM {asks_table} "
            "WHERE channel = 'in-app' AND created_at >= %s",
            [since],
        )
        [(displays, displayed_contacts)] = cursor.fetchall()
        cursor.execute(
            f"SELECT count(*) FROM {asks_table} "
            "WHERE channel = 'in-app' AND created_at >= %s AND displayed_at > created_at",
            [since],
        )
        [(shown_again,)] = cursor.fetchall()
        cursor.execute(
            f"SELECT channel, status, count(*) FROM {asks_table} GROUP BY 1, 2 ORDER BY 1, 2"
        )
        asks = {f"{channel} {status}": n for channel, status, n in cursor.fetchall()}
    return {
        "contacts_changed": contacts_changed,
        "displays": displays,
        "displayed_contacts": displayed_contacts,
        "shown_again": shown_again,
        "asks": asks,
    }


# ---------------------------------------------------------------------------- profile


def _wsgi_caller() -> Callable[[bytes], tuple[int, bytes]]:
    """POST /widget/v1/check through the same WSGI application the web server runs."""
    from npsloop.wsgi import application

    def call(body: bytes) -> tuple[int, bytes]:
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/widget/v1/check",
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1:8000",
            "HTTP_ORIGIN": ORIGIN,
            "HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            "wsgi.version": (1, 0),
        }
        status: list[str] = []

        def start_response(
            line: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], object]:
            status.append(line)
            return lambda data: None

        chunks = application(environ, start_response)
        content = b"".join(chunks)
        getattr(chunks, "close", lambda: None)()  # Django's sends request_finished then
        return int(status[0].split()[0]), content

    return call


def _kind(status: int, content: bytes) -> str:
    if status != 200:
        return f"HTTP {status}"
    answer = json.loads(content)
    return "show" if answer.get("show") else f"no: {answer.get('reason')}"


def _shape(sql: str) -> str:
    """A statement without its values, to group statements of the same kind."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r"\b\d+(?:\.\d+)?\b", "?", sql)
    return re.sub(r"\s+", " ", sql)


class _Statements:
    """SQL statements a block of checks ran, by answer. Django's health check (a SELECT 1
    on the first use of the connection in each request, CONN_HEALTH_CHECKS) runs on the
    driver's own cursor, which CaptureQueriesContext does not see: it is counted apart."""

    def __init__(self) -> None:
        self.counts: dict[str, list[int]] = defaultdict(list)
        self.shapes: dict[str, Counter[str]] = defaultdict(Counter)
        self.health_checks = 0

    def run(self, call: Callable[[bytes], tuple[int, bytes]], bodies: list[bytes]) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        usable = connection.is_usable

        def counting_is_usable() -> bool:
            self.health_checks += 1
            return usable()

        connection.is_usable = counting_is_usable  # type: ignore[method-assign]
        try:
            for body in bodies:
                connection.queries_log.clear()  # it keeps 9,000 statements, then drops
                with CaptureQueriesContext(connection) as captured:
                    kind = _kind(*call(body))
                self.counts[kind].append(len(captured.captured_queries))
                for query in captured.captured_queries:
                    self.shapes[kind][_shape(query["sql"])] += 1
        finally:
            connection.is_usable = usable  # type: ignore[method-assign]

    def print(self, title: str) -> None:
        checks = sum(len(counts) for counts in self.counts.values())
        print(
            f"{title}\n  {self.health_checks / checks:.2f} health check (SELECT 1) per check, "
            "outside Django's query log, on top of:"
        )
        for kind, counts in sorted(self.counts.items(), key=lambda item: -len(item[1])):
            mean = sum(counts) / len(counts)
            print(
                f"  {kind:14} {len(counts) / checks * 100:5.1f} % of checks, {mean:.2f} statements"
            )
            for shape, n in self.shapes[kind].most_common():
                print(f"      {n / len(counts):4.2f} x  {shape[:300]}")


def _cpu_per_check(call: Callable[[bytes], tuple[int, bytes]], bodies: list[bytes]) -> str:
    started_cpu, started_wall = time.process_time(), time.perf_counter()
    for body in bodies:
        call(body)
    cpu = (time.process_time() - started_cpu) / len(bodies) * 1000
    wall = (time.perf_counter() - started_wall) / len(bodies) * 1000
    return f"{wall:.2f} ms wall, {cpu:.2f} ms CPU of this process"


def _print_profile(profiler: cProfile.Profile, order: str, lines: int) -> None:
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats(order).print_stats(lines)
    table = text.getvalue().split("\n", 6)[-1].rstrip()
    # Shorter paths: site-packages and src/ are the same for every line.
    for prefix in (str(Path(django.__file__).parent.parent), str(Path(__file__).parent.parent)):
        table = table.replace(prefix + "/", "")
    print(table)


def profile(bodies_path: Path, checks: int) -> None:
    """Three disjoint groups of users who have not been checked by this process yet: one
    to count statements, one to time, one to profile; each checked twice, since the second
    check may be answered from what the first left in the process's memory."""
    bodies = [line.encode() for line in bodies_path.read_text(encoding="utf-8").splitlines()]
    order = random.Random(11).sample(bodies, len(bodies))
    warm, order = order[:200], order[200:]
    checks = min(checks, len(order) // 3)
    counted, timed, profiled = (order[n * checks : (n + 1) * checks] for n in range(3))
    call = _wsgi_caller()
    for body in warm:  # imports, the connection, the workspace and survey memories
        call(body)

    first, again = _Statements(), _Statements()
    first.run(call, counted)
    again.run(call, counted)
    print(f"SQL statements per check ({checks} random users, through the WSGI application)")
    first.print("first check of each user in this process:")
    again.print("the same users again, at once:")
    print(
        f"\nCPU per check, one at a time, no profiler: first check {_cpu_per_check(call, timed)}"
        f"; again {_cpu_per_check(call, timed)}"
    )
    profiler = cProfile.Profile()
    profiler.enable()
    for body in profiled:
        call(body)
    profiler.disable()
    for order_by in ("tottime", "cumulative"):
        print(f"\ncProfile of {checks} first checks, by {order_by}:")
        _print_profile(profiler, order_by, 30)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.widget_fixture", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    seeding = commands.add_parser("seed", help="workspace, survey, users and their history")
    seeding.add_argument("--users", type=int, required=True)
    seeding.add_argument("--bodies", type=Path, required=True, help="write the check bodies here")
    seeding.add_argument("--fresh-share", type=float, default=0.05, help="users never asked")
    reading = commands.add_parser("state", help="what the load changed since a moment")
    reading.add_argument("--since", type=datetime.fromisoformat, required=True)
    profiling = commands.add_parser("profile", help="SQL per check and a cProfile")
    profiling.add_argument("--bodies", type=Path, required=True)
    profiling.add_argument("--checks", type=int, default=2000)
    args = parser.parse_args(argv)
    django.setup()
    if args.command == "profile":
        profile(args.bodies, args.checks)
        return 0
    if args.command == "seed":
        result = seed(args.users, args.fresh_share, args.bodies)
    else:
        result = state(args.since)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
