"""Loading a survey's contacts for the planner: a few set-based queries into arrays."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import islice
from typing import Any

import numpy as np
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Max,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce

from npsloop.contacts.models import Contact
from npsloop.program.models import PENDING_STATUSES, AskStatus, SurveyRequest
from npsloop.program.schedule import Floats, Ints, Population
from npsloop.program.targeting import targeting_filter
from npsloop.surveys.models import Response, Survey

SECONDS_PER_DAY = 86_400.0
CHUNK = 50_000


class EpochDays(Func):
    """A date-time column as days since 1970-01-01 UTC (a float), computed by the database:
    a million rows arrive as numbers, not as a million datetime objects."""

    output_field = FloatField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="(julianday(%(expressions)s) - 2440587.5)", **extra
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            # date_part gives a double; EXTRACT a numeric that arrives as Decimal.
            template="(date_part('epoch', %(expressions)s) / 86400.0)",
            **extra,
        )


def epoch_days(moment: datetime) -> float:
    return moment.timestamp() / SECONDS_PER_DAY


def load_population(survey: Survey, now: datetime) -> Population:
    """Every contact of the survey's workspace as arrays, read in chunks straight into numpy
    (a server-side cursor on PostgreSQL): a million contacts take a few hundred MB at most."""
    workspace_id = survey.workspace_id
    contacts = Contact.objects.filter(workspace_id=workspace_id)
    table = _read_table(
        contacts.order_by("pk").values_list(
            "pk",
            EpochDays(Coalesce("signed_up_at", "created_at")),
            Coalesce("account_id", Value(0)),
            _flag(Q(unsubscribed_at__isnull=False)),
            _flag(Q(bounced_at__isnull=True) & Q(email__isnull=False) & ~Q(email="")),
        ),
        width=5,
    )
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
        SurveyRequest.objects.filter(workspace_id=workspace_id, contact__isnull=False)
        .values("contact_id")
        .annotate(
            w=Max("wave", filter=of_survey),
            at=Max(EpochDays(Coalesce("sent_at", "due_at")), filter=of_survey),
            sent=Max(EpochDays(F("sent_at"))),
            waiting=Count("pk", filter=Q(status__in=PENDING_STATUSES)),
        )
        .values_list("contact_id", "w", "at", "sent", "waiting")
    )
    at, columns = _scatter(ids, _read_table(asks, width=5), 4)
    wave = np.zeros(n, dtype=np.int64)
    wave_at = np.full(n, np.nan)
    last_contact = np.full(n, np.nan)
    pending = np.zeros(n, dtype=bool)
    wave[at] = np.nan_to_num(columns[:, 0]).astype(np.int64)
    wave_at[at] = columns[:, 1]
    last_contact[at] = columns[:, 2]
    pending[at] = columns[:, 3] > 0
    answered = (
        Response.objects.filter(workspace_id=workspace_id, contact__isnull=False)
        .values("contact_id")
        .annotate(at=Max(EpochDays(F("created_at"))))
        .values_list("contact_id", "at")
    )
    at, columns = _scatter(ids, _read_table(answered, width=2), 1)
    last_contact[at] = np.fmax(last_contact[at], columns[:, 0])
    return Population(
        contact_id=ids,
        start=table[:, 1].copy(),
        account=table[:, 2].astype(np.int64),
        wave=wave,
        wave_at=wave_at,
        pending=pending,
        last_contact=last_contact,
        unsubscribed=table[:, 3] > 0,
        reachable=table[:, 4] > 0,
        targeted=targeted,
        survey_id=survey.pk,
    )


def _flag(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def _read_table(rows: QuerySet[Any, Any], width: int) -> Floats:
    """Rows of numbers (NULL as NaN) as one float matrix, built chunk by chunk."""
    chunks = []
    iterator = rows.iterator(chunk_size=CHUNK)
    while batch := list(islice(iterator, CHUNK)):
        chunks.append(np.array(batch, dtype=np.float64).reshape(-1, width))
    return np.concatenate(chunks) if chunks else np.zeros((0, width))


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
