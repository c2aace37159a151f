"""NPS by group for a period: the numbers behind the API's /metrics and the dashboard.

Day-aligned questions (whole days, grouped by time or channel) are answered from the
daily rollups, whatever the volume. Anything finer — a time of day, an account, a
contact property — is counted from the responses themselves.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connections
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import TruncDay, TruncMonth, TruncQuarter, TruncWeek

from npsloop.contacts.models import Account
from npsloop.errors import InvalidInput
from npsloop.stats import Histogram
from npsloop.surveys.models import Response, ScoreDay, unknown_channel
from npsloop.workspaces.models import Workspace

TIME_GROUPS = ("day", "week", "month", "quarter")
ROLLUP_GROUPS = (*TIME_GROUPS, "channel", "wave", "survey")
# Signup cohorts: the month or quarter in which the contact signed up.
COHORT_GROUPS = {"signup_month": "month", "signup_quarter": "quarter"}
NAMED_GROUPS = (*ROLLUP_GROUPS, "account", *COHORT_GROUPS)
ROLLUP_COLUMNS = {"channel": "channel", "wave": "wave", "survey": "survey_id"}
MAX_GROUPS = 3

Group = dict[str, str | None]


@dataclass
class MetricsQuery:
    survey_id: int | None = None
    since: date | datetime | None = None
    until: date | datetime | None = None
    channel: str | None = None
    wave: int | None = None
    account_id: int | None = None
    # Responses with this tag only: tags live on responses, not in the daily rollups, so a
    # tagged question is always counted from the responses.
    tag_id: int | None = None
    group_by: list[str] = field(default_factory=list)


def compute_metrics(workspace: Workspace, query: MetricsQuery) -> list[tuple[Group, Histogram]]:
    """Histograms per group, sorted by group; one entry (empty group) when not grouped.

    ``since`` is inclusive and ``until`` exclusive; a date means the start of that day
    in the workspace's time zone.
    """
    _check(query)
    if _fits_rollups(query):
        counts = _from_rollups(workspace, query)
    else:
        counts = _from_responses(workspace, query)
    if not query.group_by and not counts:
        return [({}, Histogram.empty())]
    keys = sorted(counts, key=lambda k: tuple((v is None, v or "") for v in k))
    return [
        (dict(zip(query.group_by, key, strict=True)), Histogram(tuple(counts[key]))) for key in keys
    ]


def _check(query: MetricsQuery) -> None:
    errors: dict[str, str] = {}
    if query.channel is not None and (problem := unknown_channel(query.channel)):
        errors["channel"] = problem
    if query.wave is not None and not 0 <= query.wave <= 1000:
        errors["wave"] = f"must be a wave number from 1 to 1000, or 0 for none, got {query.wave}"
    if len(query.group_by) > MAX_GROUPS:
        errors["group_by"] = f"at most {MAX_GROUPS} dimensions, got {len(query.group_by)}"
    if len(set(query.group_by)) != len(query.group_by):
        errors["group_by"] = "each dimension at most once"
    for name in query.group_by:
        if not name or len(name) > 100:
            errors["group_by"] = (
                f"must be one of {', '.join(NAMED_GROUPS)} or a contact property name, got {name!r}"
            )
    if query.since and query.until and _as_key(query.since) >= _as_key(query.until):
        errors["until"] = "must be after since"
    if errors:
        raise InvalidInput(errors)


def _as_key(bound: date | datetime) -> tuple[date, time]:
    if isinstance(bound, datetime):
        return (bound.date(), bound.time())
    return (bound, time.min)


def _fits_rollups(query: MetricsQuery) -> bool:
    whole_days = all(
        bound is None or not isinstance(bound, datetime) for bound in (query.since, query.until)
    )
    return (
        whole_days
        and query.account_id is None
        and query.tag_id is None
        and all(name in ROLLUP_GROUPS for name in query.group_by)
    )


# group key -> 11 counts, one per score (the database guarantees scores are 0 to 10)
Counts = dict[tuple[str | None, ...], list[int]]


def _new_bins() -> list[int]:
    return [0] * 11


def _from_rollups(workspace: Workspace, query: MetricsQuery) -> Counts:
    rows = ScoreDay.objects.filter(workspace=workspace, count__gt=0)
    if query.survey_id is not None:
        rows = rows.filter(survey_id=query.survey_id)
    if query.channel is not None:
        rows = rows.filter(channel=query.channel)
    if query.wave is not None:
        rows = rows.filter(wave=query.wave)
    if query.since is not None:
        rows = rows.filter(day__gte=query.since)
    if query.until is not None:
        rows = rows.filter(day__lt=query.until)
    columns: list[str] = []
    for name in query.group_by:
        column = ROLLUP_COLUMNS.get(name, "day")
        if column not in columns:
            columns.append(column)
    counts: Counts = defaultdict(_new_bins)
    for row in rows.values(*columns, "score").annotate(total=Sum("count")):
        key = tuple(_label(name, row) for name in query.group_by)
        counts[key][row["score"]] += row["total"]
    return counts


def _label(name: str, row: dict[str, Any]) -> str | None:
    if name == "channel":
        return str(row["channel"])
    if name == "survey":
        return str(row["survey_id"])
    if name == "wave":
        return str(row["wave"]) if row["wave"] else None
    return time_label(name, row["day"])


def time_label(name: str, day: date) -> str:
    if name == "day":
        return day.isoformat()
    if name == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if name == "month":
        return f"{day.year}-{day.month:02d}"
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _from_responses(workspace: Workspace, query: MetricsQuery) -> Counts:
    zone = ZoneInfo(workspace.time_zone)
    rows: QuerySet[Response] = Response.objects.filter(workspace=workspace)
    if query.survey_id is not None:
        rows = rows.filter(survey_id=query.survey_id)
    if query.channel is not None:
        rows = rows.filter(channel=query.channel)
    if query.wave is not None:
        rows = rows.filter(wave=query.wave or None)
    if query.account_id is not None:
        rows = rows.filter(account_id=query.account_id)
    if query.tag_id is not None:
        # A response has a tag at most once (response_tag_once), so the join counts each
        # response once; the (tag, response) index leads to the tagged few.
        rows = rows.filter(tag_links__tag_id=query.tag_id)
    if query.since is not None:
        rows = rows.filter(Q(created_at__gte=moment(query.since, zone)))
    if query.until is not None:
        rows = rows.filter(Q(created_at__lt=moment(query.until, zone)))
    truncs = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth, "quarter": TruncQuarter}
    annotations: dict[str, Any] = {}
    for name in query.group_by:
        column = f"g_{len(annotations)}"
        if name in truncs:
            annotations[column] = truncs[name]("created_at", tzinfo=zone)
        elif name == "channel":
            annotations[column] = F("channel")
        elif name == "survey":
            annotations[column] = F("survey_id")
        elif name == "wave":
            annotations[column] = F("wave")
        elif name in COHORT_GROUPS:
            trunc = truncs[COHORT_GROUPS[name]]
            annotations[column] = trunc("contact__signed_up_at", tzinfo=zone)
        elif name == "account":
            # Grouped by id and named afterwards (see _grouped_rows): a join per response
            # costs more than naming the few thousand groups.
            annotations[column] = F("account_id")
        else:
            annotations[column] = KeyTextTransform(name, "properties")
    # The score last, so the rows are grouped in the order of the (workspace, account,
    # score) index: PostgreSQL then counts them as that index hands them over, without
    # hashing. COUNT(*), not COUNT(id): the index alone answers it then.
    annotations["score_"] = F("score")
    grouped = rows.annotate(**annotations).values(*annotations).annotate(n=Count("*"))
    width = len(query.group_by)
    # Counted by the values as fetched, then labelled once per group rather than per row
    # (values with the same label, say two accounts without an external id, then merge).
    by_value: dict[tuple[Any, ...], list[int]] = defaultdict(_new_bins)
    for row in _grouped_rows(grouped, query.group_by):
        by_value[row[:width]][row[width]] += row[width + 1]
    counts: Counts = defaultdict(_new_bins)
    for values, bins in by_value.items():
        key = tuple(
            response_label(name, value) for name, value in zip(query.group_by, values, strict=True)
        )
        if key in counts:
            counts[key] = [a + b for a, b in zip(counts[key], bins, strict=True)]
        else:
            counts[key] = bins
    return counts


def _grouped_rows(grouped: QuerySet[Response, Any], names: list[str]) -> list[tuple[Any, ...]]:
    """(group values…, score, count) rows, accounts named by their external id.

    Rows are fetched with a plain cursor: building a Django row per group and score took
    longer than counting a million responses. Times and dates come back as the database's
    own types (text on SQLite), so groupings by them keep Django's conversions.
    """
    columns = [f"g_{i}" for i in range(len(names))]
    if any(name in TIME_GROUPS or name in COHORT_GROUPS for name in names):
        rows = list(grouped.values_list(*columns, "score_", "n"))
        return _named_accounts(rows, names)
    connection = connections[grouped.db]
    quote = connection.ops.quote_name
    sql, params = grouped.query.sql_with_params()
    if "account" in names:
        account = Account._meta
        selected = [
            f"{quote('account')}.{quote(account.get_field('external_id').column)}"
            if name == "account"
            else f"{quote('grouped')}.{quote(column)}"
            for name, column in zip(names, columns, strict=True)
        ]
        position = columns[names.index("account")]
        sql = (
            f"SELECT {', '.join(selected)}, {quote('grouped')}.{quote('score_')}, "
            f"{quote('grouped')}.{quote('n')} FROM ({sql}) {quote('grouped')} "
            f"LEFT JOIN {quote(account.db_table)} {quote('account')} "
            f"ON {quote('account')}.{quote(account.pk.column)} = "
            f"{quote('grouped')}.{quote(position)}"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _named_accounts(rows: list[tuple[Any, ...]], names: list[str]) -> list[tuple[Any, ...]]:
    """The rows with account ids replaced by the accounts' external ids, in one look-up."""
    if "account" not in names:
        return rows
    position = names.index("account")
    ids = {row[position] for row in rows if row[position] is not None}
    external: dict[object, str] = dict(
        Account.objects.filter(pk__in=ids).values_list("pk", "external_id")
    )
    return [(*row[:position], external.get(row[position]), *row[position + 1 :]) for row in rows]


def response_label(name: str, value: object) -> str | None:
    if value is None:
        return None
    if name in COHORT_GROUPS:
        name = COHORT_GROUPS[name]
    if name in TIME_GROUPS and isinstance(value, datetime | date):
        day = value.date() if isinstance(value, datetime) else value
        return time_label(name, day)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def moment(bound: date | datetime, zone: ZoneInfo) -> datetime:
    if isinstance(bound, datetime):
        return bound
    return datetime.combine(bound, time.min, tzinfo=zone)
