"""Loading a survey's contacts for the planner: a few set-based queries into arrays."""

from __future__ import annotations

import io
import math
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from django.db import connections
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from npsloop.contacts.models import Contact
from npsloop.program.models import AskStatus, SurveyRequest
from npsloop.program.rules import ANSWERED_AT, ASKED_AT, ROW_RULES, WAITING, asks_read
from npsloop.program.schedule import (
    BUCKETS,
    HASH_MULTIPLIER,
    HASH_PRIME,
    REASONS,
    Floats,
    Ints,
    Population,
    Rules,
)
from npsloop.program.targeting import targeting_filter
from npsloop.surveys.models import Response, Survey

CHUNK = 50_000
# The rules `select` applies first, read from the contact's row alone: the programme's
# targeting and sampling, then the row rules of `program.rules`.
CONTACT_REASONS = REASONS[: 2 + len(ROW_RULES)]
# Contact ids up to this keep the hash of `schedule.contact_hash` within 64 bits in SQL.
HASHABLE_IDS = (2**63 - 1 - 2**40) // HASH_MULTIPLIER


class EpochMicros(Func):
    """A date-time as whole microseconds since 1970-01-01 UTC, computed by the database: a
    million rows arrive as integers, not as datetime objects, and an integer is cheaper to
    print than a float. Exact, as `epoch_days` is: the cooldown's edge falls on the same
    microsecond for the planner as for the other evaluators of the contact rules."""

    output_field = BigIntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # The text Django stores, 'YYYY-MM-DD HH:MM:SS[.ffffff]': whole seconds by strftime,
        # the digits after them as they are. julianday() keeps milliseconds only, and its
        # float loses a few more microseconds.
        sql, params = compiler.compile(self.get_source_expressions()[0])
        seconds = f"CAST(strftime('%%s', substr({sql}, 1, 19)) AS INTEGER)"
        fraction = f"CAST(substr({sql} || '000000', 21, 6) AS INTEGER)"
        return f"({seconds} * 1000000 + {fraction})", (*params, *params)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="(date_part('epoch', %(expressions)s) * 1000000)::bigint",
            **extra,
        )


MICROS_PER_DAY = 86_400_000_000.0
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def epoch_days(moment: datetime) -> float:
    """Days since 1970 from whole microseconds, rounded once, as the database's times are
    (`EpochMicros`): equal moments give equal days, later ones never fewer."""
    return ((moment - EPOCH) // MICROSECOND) / MICROS_PER_DAY


def load_population(survey: Survey, now: datetime, *, among: Ints | None = None) -> Population:
    """Every contact of the survey's workspace as arrays, read in chunks straight into numpy
    (a server-side cursor on PostgreSQL): a million contacts take a few hundred MB at most.

    `among`: only these contacts (ids), with their whole history."""
    workspace_id = survey.workspace_id
    contacts = Contact.objects.filter(workspace_id=workspace_id)
    asks_of = SurveyRequest.objects.filter(workspace_id=workspace_id, contact__isnull=False)
    answers_of = Response.objects.filter(workspace_id=workspace_id, contact__isnull=False)
    if among is not None:
        contacts = _among(contacts, "id", among)
        asks_of = _among(asks_of, "contact_id", among)
        answers_of = _among(answers_of, "contact_id", among)
    table = _read_table(
        contacts.order_by().values_list(
            "pk",
            EpochMicros(Coalesce("signed_up_at", "created_at")),
            Coalesce("account_id", Value(0)),
            *(_flag(rule.failing()) for rule in ROW_RULES),
        ),
        width=3 + len(ROW_RULES),
    )
    # Sorted here, not by the database: numpy sorts a million ids faster than the
    # database sorts and sends them.
    table = table[np.argsort(table[:, 0], kind="stable")]
    table[:, 1] /= MICROS_PER_DAY
    ids = table[:, 0].astype(np.int64)
    n = len(ids)
    if targeting_filter(survey, now) == Q():
        targeted = np.ones(n, dtype=bool)
    else:
        chosen = _read_table(
            contacts.filter(targeting_filter(survey, now)).values_list("pk"), width=1
        )
        targeted = np.isin(ids, chosen[:, 0].astype(np.int64))

    # One pass over the workspace's asks: this survey's last wave and when, the last time
    # anyone was asked, and whether an ask is waiting.
    of_survey = Q(survey=survey, wave__isnull=False) & ~Q(status=AskStatus.CANCELLED)
    asks = (
        asks_of.values("contact_id")
        .annotate(
            w=Max("wave", filter=of_survey),
            # The latest time per contact first, then converted: once a contact, not once
            # an ask.
            at=EpochMicros(Max(Coalesce("sent_at", "due_at"), filter=of_survey)),
            sent=EpochMicros(Max(ASKED_AT)),
            waiting=Count("pk", filter=WAITING),
        )
        .values_list("contact_id", "w", "at", "sent", "waiting")
    )
    at, columns = _scatter(ids, _read_table(asks, width=5), 4)
    wave = np.zeros(n, dtype=np.int64)
    wave_at = np.full(n, np.nan)
    last_contact = np.full(n, np.nan)
    pending = np.zeros(n, dtype=bool)
    wave[at] = np.nan_to_num(columns[:, 0]).astype(np.int64)
    wave_at[at] = columns[:, 1] / MICROS_PER_DAY
    last_contact[at] = columns[:, 2] / MICROS_PER_DAY
    pending[at] = columns[:, 3] > 0
    answered = (
        answers_of.values("contact_id")
        .annotate(at=EpochMicros(Max(ANSWERED_AT)))
        .values_list("contact_id", "at")
    )
    at, columns = _scatter(ids, _read_table(answered, width=2), 1)
    last_contact[at] = np.fmax(last_contact[at], columns[:, 0] / MICROS_PER_DAY)
    return Population(
        contact_id=ids,
        start=table[:, 1].copy(),
        account=table[:, 2].astype(np.int64),
        wave=wave,
        wave_at=wave_at,
        pending=pending,
        last_contact=last_contact,
        fails=table[:, 3:] > 0,
        targeted=targeted,
        survey_id=survey.pk,
    )


def contact_rule_counts(survey: Survey, rules: Rules, now: datetime) -> Ints | None:
    """How many contacts of the workspace each rule of `CONTACT_REASONS` keeps out (not
    targeted, sampling, then the row rules of `program.rules`, each contact under the first
    it fails, as `select` counts them), then how many pass them all: one aggregate, no row
    per contact. None when a contact id is too large for the database to hash."""
    contacts = Contact.objects.filter(workspace_id=survey.workspace_id)
    last = Contact.objects.order_by("-pk").values_list("pk", flat=True).first()
    if last is not None and last > HASHABLE_IDS:
        return None
    passing = len(CONTACT_REASONS)
    failing: list[When] = []  # in the order of CONTACT_REASONS: the first that holds counts
    targeting = targeting_filter(survey, now)
    if targeting != Q():
        targeted = Contact.objects.filter(targeting, workspace_id=survey.workspace_id)
        failing.append(When(~Q(pk__in=targeted.values("pk")), then=Value(0)))
    # `select` samples the buckets below this (a bucket is a whole number).
    sampled_below = math.ceil(rules.sample_percent * (BUCKETS / 100))
    if sampled_below < BUCKETS:
        bucket = (F("pk") * HASH_MULTIPLIER + (survey.pk * 97 + 12345)) % HASH_PRIME % BUCKETS
        contacts = contacts.annotate(bucket=bucket)
        failing.append(When(bucket__gte=sampled_below, then=Value(1)))
    failing.extend(
        When(rule.failing(), then=Value(CONTACT_REASONS.index(rule.reason)))
        for rule in ROW_RULES
        if rule.applies(rules.channel)
    )
    reason = Case(*failing, default=Value(passing)) if failing else Value(passing)
    rows = (
        contacts.annotate(reason=ExpressionWrapper(reason, output_field=IntegerField()))
        .order_by()
        .values("reason")
        .annotate(n=Count("pk"))
        .values_list("reason", "n")
    )
    counts = np.zeros(passing + 1, dtype=np.int64)
    for code, n in rows:
        counts[int(code)] = n
    return counts


def undecided_contacts(survey: Survey, rules: Rules, now: datetime) -> Ints | None:
    """The contacts whom the due date, a waiting ask or the cooldown might keep from being
    asked at `now`, as sorted ids (more, never fewer): every other contact of the workspace
    is due, has no ask waiting and is past the cooldown. Found from a few narrow queries
    (recent signups, recent or waiting asks, recent answers), with a day's margin on every
    bound. None for a one-off programme, whose later waves never come due."""
    if rules.kind == "lifecycle":
        # The latest the first wave and any later one can be due after signup / the last.
        first = max(rules.initial)
        later = max(*rules.second, rules.third, rules.every)
    elif rules.kind == "recurring":
        first = rules.min_tenure + max(rules.every, 1)
        later = rules.every
    else:
        return None
    margin = timedelta(days=1)
    workspace_id = survey.workspace_id
    recent = now - timedelta(days=rules.cooldown_days) - margin
    waves_after = now - timedelta(days=later) - margin
    of_survey = Q(survey=survey, wave__isnull=False) & ~Q(status=AskStatus.CANCELLED)
    queries = [
        Contact.objects.filter(workspace_id=workspace_id)
        .annotate(start=Coalesce("signed_up_at", "created_at"))
        .filter(start__gt=now - timedelta(days=first) - margin)
        .values_list("pk"),
        SurveyRequest.objects.filter(workspace_id=workspace_id, contact__isnull=False)
        .filter(
            asks_read(recent)
            | (of_survey & (Q(sent_at__gt=waves_after) | Q(due_at__gt=waves_after)))
        )
        .values_list("contact_id"),
        Response.objects.filter(
            workspace_id=workspace_id, contact__isnull=False, **{f"{ANSWERED_AT}__gte": recent}
        ).values_list("contact_id"),
    ]
    ids = np.concatenate([_read_table(query.order_by(), width=1)[:, 0] for query in queries])
    return np.unique(ids.astype(np.int64))


def _among(rows: QuerySet[Any, Any], column: str, ids: Ints) -> QuerySet[Any, Any]:
    """The rows whose `column` holds one of `ids`, passed as one parameter whatever their
    number: an array on PostgreSQL (which hashes it and scans the table), a JSON array on
    SQLite (whose ids it looks up in the index, one by one)."""
    connection = connections[rows.db]
    quote = connection.ops.quote_name
    qualified = f"{quote(rows.model._meta.db_table)}.{quote(column)}"
    listed = ",".join(map(str, ids.tolist()))
    if connection.vendor == "postgresql":
        sql, value = f"{qualified} = ANY(%s::bigint[])", f"{{{listed}}}"
    else:
        sql, value = f"{qualified} IN (SELECT value FROM json_each(%s))", f"[{listed}]"
    return rows.filter(RawSQL(sql, [value], output_field=BooleanField()))


def _flag(condition: Q) -> Case:
    """1 or 0: a number on every database, so every column reads as a float."""
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def _read_table(rows: QuerySet[Any, Any], width: int) -> Floats:
    """Rows of numbers (NULL as NaN) as one float matrix.

    The query's SQL is Django's; its rows skip Django's per-value conversion, which cost
    more than the database's work at a million rows: PostgreSQL sends them as one CSV
    stream (COPY) that pyarrow parses in C, SQLite hands over tuples in chunks.
    """
    connection = connections[rows.db]
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return _copied_table(cursor, sql, params, width)
        cursor.execute(sql, params)
        chunks = []
        while batch := cursor.fetchmany(CHUNK):
            chunks.append(np.array(batch, dtype=np.float64).reshape(-1, width))
    return np.concatenate(chunks) if chunks else np.zeros((0, width))


def _copied_table(cursor: Any, sql: str, params: Any, width: int) -> Floats:
    # Imported here: pyarrow costs a web process 27 MB it has no other use for.
    import pyarrow as pa
    from pyarrow import csv as pa_csv

    stream = io.BytesIO()
    with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params) as copy:
        for block in copy:
            stream.write(block)
    if not stream.tell():
        return np.zeros((0, width))
    stream.seek(0)
    names = [f"c{i}" for i in range(width)]
    table = pa_csv.read_csv(
        stream,
        read_options=pa_csv.ReadOptions(column_names=names),
        # Every column a float, whatever its first rows hold; an empty field (NULL) is NaN.
        convert_options=pa_csv.ConvertOptions(column_types=dict.fromkeys(names, pa.float64())),
    )
    return np.column_stack(
        [column.to_numpy(zero_copy_only=False) for column in table.columns]
    ).reshape(-1, width)


def _scatter(ids: Ints, table: Floats, width: int) -> tuple[Ints, Floats]:
    """Rows (contact id, values…) as positions in `ids` (sorted) and a value matrix; rows of
    contacts not in `ids` are dropped."""
    if not len(ids):
        return np.zeros(0, dtype=np.int64), table[:0, 1:]
    contact_ids = table[:, 0].astype(np.int64)
    at = np.searchsorted(ids, contact_ids)
    found = (at < len(ids)) & (ids[np.minimum(at, len(ids) - 1)] == contact_ids)
    return at[found], table[found, 1:]


def asked_this_week_by_account(survey: Survey, now: datetime) -> dict[int, int]:
    """Contacts of each account asked in the last 7 days, by any survey of the workspace."""
    rows = (
        SurveyRequest.objects.filter(
            workspace_id=survey.workspace_id,
            created_at__gte=now - timedelta(days=7),
            contact__account__isnull=False,
        )
        .exclude(status=AskStatus.CANCELLED)
        .values("contact__account_id")
        .annotate(n=Count("contact_id", distinct=True))
        .values_list("contact__account_id", "n")
    )
    return {int(account): int(count) for account, count in rows}
