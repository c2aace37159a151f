"""/surveys/{id}/programme: when a survey asks, and the forecast."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from npsloop.api.errors import answers, field_error, reported_at
from npsloop.api.moments import Moment
from npsloop.api.surveys import survey_in_workspace
from npsloop.program.models import Programme
from npsloop.program.planner import forecast, plan
from npsloop.program.programmes import FIELDS, programme_of, update_programme
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
    kind: str | None = None
    initial_min_days: int | None = None
    initial_max_days: int | None = None
    second_min_days: int | None = None
    second_max_days: int | None = None
    third_days: int | None = None
    every_days: int | None = None
    min_tenure_days: int | None = None
    one_off_at: Moment | None = None
    sample_percent: int | None = None
    daily_cap: int | None = None
    daily_cap_percent: float | None = None
    account_cap_per_week: int | None = None
    blackout_days: int | None = None
    channels: list[str] | None = None
    fallback_days: int | None = None


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
def get_forecast(request: HttpRequest, survey_id: int, days: int = 90) -> dict[str, Any]:
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
