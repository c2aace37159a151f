"""Loading a survey's contacts for the planner: a few set-based queries into arrays."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.db.models import Count, F, FloatField, Func, Max
from django.db.models.functions import Coalesce

from npsloop.contacts.models import Contact
from npsloop.program.models import PENDING_STATUSES, AskStatus, SurveyRequest
from npsloop.program.schedule import Floats, Ints, Population
from npsloop.program.targeting import targeting_filter
from npsloop.surveys.models import Response, Survey

SECONDS_PER_DAY = 86_400.0


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
            template="(EXTRACT(EPOCH FROM %(expressions)s) / 86400.0)",
            **extra,
        )


def epoch_days(moment: datetime) -> float:
    return moment.timestamp() / SECONDS_PER_DAY


def load_population(survey: Survey, now: datetime) -> Population:
    workspace_id = survey.workspace_id
    contacts = Contact.objects.filter(workspace_id=workspace_id)
    rows = list(
        contacts.order_by("pk").values_list(
            "pk",
            EpochDays(Coalesce("signed_up_at", "created_at")),
            "account_id",
            "unsubscribed_at",
            "bounced_at",
            "email",
        )
    )
    n = len(rows)
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
    start = np.fromiter((r[1] for r in rows), dtype=np.float64, count=n)
    account = np.fromiter((r[2] or 0 for r in rows), dtype=np.int64, count=n)
    unsubscribed = np.fromiter((r[3] is not None for r in rows), dtype=bool, count=n)
    reachable = np.fromiter((r[4] is None and bool(r[5]) for r in rows), dtype=bool, count=n)
    del rows
    targeted = np.isin(
        ids,
        np.fromiter(
            contacts.filter(targeting_filter(survey, now)).values_list("pk", flat=True), np.int64
        ),
    )
    wave = np.zeros(n, dtype=np.int64)
    wave_at = np.full(n, np.nan)
    waves = (
        SurveyRequest.objects.filter(survey=survey, wave__isnull=False)
        .exclude(status=AskStatus.CANCELLED)
        .values("contact_id")
        .annotate(w=Max("wave"), at=Max(EpochDays(Coalesce("sent_at", "due_at"))))
        .values_list("contact_id", "w", "at")
    )
    at, columns = _scatter(ids, waves, 2)
    wave[at] = columns[:, 0].astype(np.int64)
    wave_at[at] = columns[:, 1]

    asks = SurveyRequest.objects.filter(workspace_id=workspace_id, contact__isnull=False)
    pending = np.isin(
        ids,
        np.fromiter(
            asks.filter(status__in=PENDING_STATUSES)
            .values_list("contact_id", flat=True)
            .distinct(),
            np.int64,
        ),
    )
    last_contact = np.full(n, np.nan)
    for source in (
        asks.filter(sent_at__isnull=False)
        .values("contact_id")
        .annotate(at=Max(EpochDays(F("sent_at"))))
        .values_list("contact_id", "at"),
        Response.objects.filter(workspace_id=workspace_id, contact__isnull=False)
        .values("contact_id")
        .annotate(at=Max(EpochDays(F("created_at"))))
        .values_list("contact_id", "at"),
    ):
        at, columns = _scatter(ids, source, 1)
        last_contact[at] = np.fmax(last_contact[at], columns[:, 0])
    return Population(
        contact_id=ids,
        start=start,
        account=account,
        wave=wave,
        wave_at=wave_at,
        pending=pending,
        last_contact=last_contact,
        unsubscribed=unsubscribed,
        reachable=reachable,
        targeted=targeted,
        survey_id=survey.pk,
    )


def _scatter(ids: Ints, rows: Iterable[tuple[Any, ...]], width: int) -> tuple[Ints, Floats]:
    """Rows (contact id, values…) as positions in `ids` (sorted) and a value matrix; rows of
    contacts not in `ids` are dropped."""
    table = np.array(list(rows), dtype=np.float64).reshape(-1, width + 1)
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
