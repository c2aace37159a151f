"""/surveys/{id}/programme: when a survey asks, and the forecast."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from npsloop.api.errors import answers, field_error, one_of, reported_at, within
from npsloop.api.moments import Moment
from npsloop.api.surveys import survey_in_workspace
from npsloop.program.models import Programme, ProgrammeKind
from npsloop.program.planner import forecast, plan
from npsloop.program.programmes import (
    DAYS,
    FIELDS,
    OPTIONAL_COUNTS,
    PROGRAMME_CHANNELS,
    programme_of,
    update_programme,
)
from npsloop.program.schedule import REASONS

router = Router(tags=["programme"])
MAX_FORECAST_DAYS = 365


class ProgrammeOut(Schema):
    enabled: bool
    kind: str = Field(description="lifecycle, recurring or one_off")
    initial_min_days: int
    initial_max_days: int
    second_min_days: int
    second_max_days: int
    third_days: int
    every_days: int
    min_tenure_days: int
    one_off_at: datetime | None
    sample_percent: int
    daily_cap: int | None
    daily_cap_percent: float | None
    account_cap_per_week: int | None
    blackout_days: int
    channels: list[str]
    fallback_days: int


class ProgrammePatch(Schema):
    enabled: bool | None = None
    kind: str | None = Field(None, json_schema_extra=one_of(ProgrammeKind.values))
    initial_min_days: int | None = Field(None, json_schema_extra=within(DAYS["initial_min_days"]))
    initial_max_days: int | None = Field(None, json_schema_extra=within(DAYS["initial_max_days"]))
    second_min_days: int | None = Field(None, json_schema_extra=within(DAYS["second_min_days"]))
    second_max_days: int | None = Field(None, json_schema_extra=within(DAYS["second_max_days"]))
    third_days: int | None = Field(None, json_schema_extra=within(DAYS["third_days"]))
    every_days: int | None = Field(None, json_schema_extra=within(DAYS["every_days"]))
    min_tenure_days: int | None = Field(None, json_schema_extra=within(DAYS["min_tenure_days"]))
    one_off_at: Moment | None = None
    sample_percent: int | None = Field(None, json_schema_extra=within((1, 100)))
    daily_cap: int | None = Field(None, json_schema_extra=within(OPTIONAL_COUNTS["daily_cap"]))
    daily_cap_percent: float | None = Field(
        None, json_schema_extra={"exclusiveMinimum": 0, "maximum": 100}
    )
    account_cap_per_week: int | None = Field(
        None, json_schema_extra=within(OPTIONAL_COUNTS["account_cap_per_week"])
    )
    blackout_days: int | None = Field(None, json_schema_extra=within(DAYS["blackout_days"]))
    channels: list[str] | None = Field(
        None,
        json_schema_extra={
            "minItems": 1,
            "uniqueItems": True,
            "items": {"type": "string", **one_of(PROGRAMME_CHANNELS)},
        },
    )
    fallback_days: int | None = Field(None, json_schema_extra=within(DAYS["fallback_days"]))


class ForecastParams(Schema):
    days: int = Field(90, json_schema_extra=within((1, MAX_FORECAST_DAYS)))


class DayOut(Schema):
    day: date
    asks: int


class ForecastOut(Schema):
    asked_now: int = Field(description="Asks the planner would create right now.")
    excluded_now: dict[str, int] = Field(
        description="How many contacts each rule keeps out now, each contact under the "
        "first rule it fails (in the order listed); see docs/programme.md.",
        json_schema_extra={"propertyNames": {"enum": [str(reason) for reason in REASONS]}},
    )
    days: list[DayOut]


def programme_json(programme: Programme) -> dict[str, Any]:
    return {field: getattr(programme, field) for field in FIELDS}


@router.get(
    "/{int:survey_id}/programme",
    response=answers({200: ProgrammeOut}, 404),
    summary="Get the programme",
)
def get_programme(request: HttpRequest, survey_id: int) -> dict[str, Any]:
    return programme_json(programme_of(survey_in_workspace(request, survey_id)))


@router.patch(
    "/{int:survey_id}/programme",
    response=answers({200: ProgrammeOut}, 404, 413, 422),
    summary="Change the programme",
)
def patch_programme(
    request: HttpRequest, survey_id: int, payload: ProgrammePatch
) -> dict[str, Any]:
    programme = programme_of(survey_in_workspace(request, survey_id))
    with reported_at("body"):
        update_programme(programme, payload.dict(exclude_unset=True))
    return programme_json(programme)


@router.get(
    "/{int:survey_id}/forecast",
    response=answers({200: ForecastOut}, 404, 422),
    summary="Forecast the asks",
    description="How many asks go out each day over the next `days` (default 90), and how "
    "many contacts each rule keeps out now. Creates nothing.",
)
def get_forecast(
    request: HttpRequest, survey_id: int, params: Query[ForecastParams]
) -> dict[str, Any]:
    days = params.days
    if not 1 <= days <= MAX_FORECAST_DAYS:
        raise field_error(("query", "days"), f"must be from 1 to {MAX_FORECAST_DAYS}, got {days}")
    survey = survey_in_workspace(request, survey_id)
    programme_of(survey)
    now = plan(survey, dry_run=True)
    ahead = forecast(survey, days)
    return {
        "asked_now": sum(now.waves.values()),
        "excluded_now": now.excluded,
        "days": [{"day": day, "asks": count} for day, count in ahead.days],
    }
