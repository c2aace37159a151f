"""What every dashboard page is filtered by: the period (in the workspace's days), the
survey, channel and wave; and the responses those filters let through."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone

from npsloop.errors import InvalidInput
from npsloop.insights.metrics import MetricsQuery, moment
from npsloop.moments import EARLIEST, LATEST
from npsloop.surveys.annotations import tags_named
from npsloop.surveys.models import Channel, Response, Survey, Tag
from npsloop.workspaces.models import Workspace

PERIODS = {
    "30d": "Last 30 days",
    "90d": "Last 90 days",
    "quarter": "This quarter",
    "year": "Last 12 months",
    "custom": "Custom",
}
MAX_CUSTOM_DAYS = 3660
FIRST_DAY = EARLIEST.date()
LAST_DAY = LATEST.date() - timedelta(days=1)


def bucket_start(day: date, grain: str) -> date:
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def next_bucket(start: date, grain: str) -> date:
    if grain == "week":
        return start + timedelta(days=7)
    months = 1 if grain == "month" else 3
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    key: str
    since: date  # first day, inclusive
    until: date  # day after the last day

    @property
    def days(self) -> int:
        return (self.until - self.since).days

    @property
    def last_day(self) -> date:
        return self.until - timedelta(days=1)

    def previous(self) -> Period:
        """The equal period just before this one."""
        return Period(self.key, self.since - timedelta(days=self.days), self.since)

    @property
    def label(self) -> str:
        return f"{self.since:%-d %b %Y} \u2013 {self.last_day:%-d %b %Y}"


@dataclass(frozen=True)
class Filters:
    """What every dashboard page is filtered by; all of it lives in the URL."""

    period: Period
    survey: Survey | None = None
    channel: str | None = None
    wave: int | None = None
    account_id: int | None = None  # the account pages; not a URL parameter
    tag: Tag | None = None  # responses with this tag only

    def query(
        self, period: Period | None = None, group_by: list[str] | None = None
    ) -> MetricsQuery:
        period = period or self.period
        return MetricsQuery(
            survey_id=self.survey.pk if self.survey else None,
            since=period.since,
            until=period.until,
            channel=self.channel,
            wave=self.wave,
            account_id=self.account_id,
            tag_id=self.tag.pk if self.tag else None,
            group_by=group_by or [],
        )

    def params(self) -> dict[str, str]:
        """The URL query that reproduces these filters."""
        params = {"period": self.period.key}
        if self.period.key == "custom":
            params["since"] = self.period.since.isoformat()
            params["until"] = self.period.last_day.isoformat()  # as people say it
        if self.survey:
            params["survey"] = str(self.survey.pk)
        if self.channel:
            params["channel"] = self.channel
        if self.wave is not None:
            params["wave"] = str(self.wave)
        if self.tag is not None:
            params["tag"] = self.tag.name
        return params


def today_in(workspace: Workspace, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(ZoneInfo(workspace.time_zone)).date()


def resolve_period(key: str, since: str, until: str, today: date) -> Period:
    """The period a URL names. `until` of a custom period is its last day, as people say
    it ("1 to 31 March"); inside, periods end the day after."""
    if key not in PERIODS:
        raise InvalidInput({"period": f"must be one of {', '.join(PERIODS)}, got {key!r}"})
    tomorrow = today + timedelta(days=1)
    if key == "30d":
        return Period(key, tomorrow - timedelta(days=30), tomorrow)
    if key == "90d":
        return Period(key, tomorrow - timedelta(days=90), tomorrow)
    if key == "year":
        return Period(key, tomorrow - timedelta(days=365), tomorrow)
    if key == "quarter":
        return Period(key, bucket_start(today, "quarter"), tomorrow)
    errors: dict[str, str] = {}
    start = _day(since, "since", errors)
    last = _day(until, "until", errors)
    if start and last:
        if last < start:
            errors["until"] = f"must be on or after since ({start.isoformat()})"
        elif (last - start).days >= MAX_CUSTOM_DAYS:
            errors["until"] = f"a period may span at most {MAX_CUSTOM_DAYS} days"
    if errors or start is None or last is None:
        raise InvalidInput(errors)
    return Period(key, start, last + timedelta(days=1))


def _day(value: str, name: str, errors: dict[str, str]) -> date | None:
    """A day of a custom period, within the years every stored moment lies in (periods are
    compared with the ones before them, which year 1 has none of)."""
    if not value:
        errors[name] = "a custom period needs a date like 2026-03-01"
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        day = None
    if day is None or not FIRST_DAY <= day <= LAST_DAY:
        errors[name] = (
            f"must be a date like 2026-03-01 from {FIRST_DAY} to {LAST_DAY}, got {value!r}"
        )
        return None
    return day


def resolve_filters(workspace: Workspace, params: dict[str, str], today: date) -> Filters:
    """Filters from URL parameters; InvalidInput naming each bad one and what it accepts."""
    errors: dict[str, str] = {}
    try:
        period = resolve_period(
            params.get("period") or "90d", params.get("since", ""), params.get("until", ""), today
        )
    except InvalidInput as error:
        errors.update(error.errors)
        period = resolve_period("90d", "", "", today)
    survey = None
    if raw := params.get("survey"):
        survey = (
            Survey.objects.filter(workspace=workspace, pk=raw).first() if raw.isdigit() else None
        )
        if survey is None:
            errors["survey"] = f"no survey {raw!r} in this workspace; choose one from the list"
    channel = params.get("channel") or None
    if channel is not None and channel not in Channel.values:
        errors["channel"] = f"must be one of {', '.join(Channel.values)}, got {channel!r}"
    wave = None
    if raw := params.get("wave"):
        if not raw.isdigit() or int(raw) > 1000:
            errors["wave"] = f"must be a wave number (1, 2, …) or 0 for none, got {raw!r}"
        else:
            wave = int(raw)
    tag = None
    if raw := params.get("tag"):
        try:
            [tag] = tags_named(workspace, [raw])
        except InvalidInput as error:
            errors["tag"] = error.errors["tags"]
    if errors:
        raise InvalidInput(errors)
    if survey is not None:
        survey.workspace = workspace
    return Filters(period, survey, channel, wave, tag=tag)


def responses_in(workspace: Workspace, filters: Filters) -> QuerySet[Response]:
    """The workspace's responses that the filters let through (the period in the
    workspace's days; wave 0, "asked by no wave", is stored as NULL)."""
    zone = ZoneInfo(workspace.time_zone)
    rows = Response.objects.filter(
        workspace=workspace,
        created_at__gte=moment(filters.period.since, zone),
        created_at__lt=moment(filters.period.until, zone),
    )
    if filters.survey is not None:
        rows = rows.filter(survey_id=filters.survey.pk)
    if filters.channel is not None:
        rows = rows.filter(channel=filters.channel)
    if filters.wave is not None:
        rows = rows.filter(wave=filters.wave or None)
    if filters.account_id is not None:
        rows = rows.filter(account_id=filters.account_id)
    if filters.tag is not None:
        rows = rows.filter(tag_links__tag=filters.tag)
    return rows
