"""Changing a survey's programme: the one door for its settings page and the API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from npsloop.errors import InvalidInput
from npsloop.moments import BadMoment, checked_moment
from npsloop.program.models import Programme, ProgrammeKind
from npsloop.surveys.models import Channel, Survey

DAYS = {
    "initial_min_days": (0, 365),
    "initial_max_days": (0, 365),
    "second_min_days": (1, 730),
    "second_max_days": (1, 730),
    "third_days": (1, 730),
    "every_days": (1, 730),
    "min_tenure_days": (0, 3650),
    "blackout_days": (0, 90),
    "fallback_days": (1, 60),
}
OPTIONAL_COUNTS = {"daily_cap": (1, 10_000_000), "account_cap_per_week": (1, 10_000)}
PROGRAMME_CHANNELS = (Channel.EMAIL, Channel.IN_APP)
FIELDS = (
    *DAYS,
    *OPTIONAL_COUNTS,
    "enabled",
    "kind",
    "sample_percent",
    "daily_cap_percent",
    "channels",
    "one_off_at",
)


def programme_of(survey: Survey) -> Programme:
    programme, _ = Programme.objects.get_or_create(survey=survey)
    return programme


def update_programme(programme: Programme, changes: Mapping[str, Any]) -> Programme:
    """Apply the changes, all or none; InvalidInput names every bad field and what it takes."""
    errors: dict[str, str] = {}
    for field, value in changes.items():
        problem = _problem(field, value)
        if problem:
            errors[field] = problem
    if errors:
        raise InvalidInput(errors)
    merged = {field: getattr(programme, field) for field in FIELDS} | dict(changes)
    for low, high in (
        ("initial_min_days", "initial_max_days"),
        ("second_min_days", "second_max_days"),
    ):
        if merged[low] > merged[high]:
            errors[high] = f"must be at least {low} ({merged[low]}), got {merged[high]}"
    if merged["kind"] == ProgrammeKind.ONE_OFF and merged["one_off_at"] is None:
        errors["one_off_at"] = "a one-off wave needs the date-time it goes out"
    if errors:
        raise InvalidInput(errors)
    for field, value in changes.items():
        if field == "one_off_at" and value is not None:
            value = checked_moment(value)  # checked above; now in UTC
        setattr(programme, field, value)
    programme.updated_at = timezone.now()
    programme.save()
    return programme


def _problem(field: str, value: object) -> str | None:
    if field not in FIELDS:
        return f"can't be changed; changeable fields: {', '.join(FIELDS)}"
    if field in DAYS or field in OPTIONAL_COUNTS:
        if value is None and field in OPTIONAL_COUNTS:
            return None
        low, high = DAYS.get(field) or OPTIONAL_COUNTS[field]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            empty = " (or empty for none)" if field in OPTIONAL_COUNTS else ""
            return f"must be a whole number from {low} to {high}{empty}, got {value!r}"
    elif field == "enabled" and not isinstance(value, bool):
        return f"must be true or false, got {value!r}"
    elif field == "kind" and value not in ProgrammeKind.values:
        return f"must be one of {', '.join(ProgrammeKind.values)}, got {value!r}"
    elif field == "sample_percent":
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100:
            return f"must be a whole number from 1 to 100, got {value!r}"
    elif field == "daily_cap_percent" and value is not None:
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 100:
            return f"must be a percentage above 0 and at most 100 (or empty), got {value!r}"
    elif field == "channels":
        if (
            not isinstance(value, list)
            or not value
            or len(set(value)) != len(value)
            or any(channel not in PROGRAMME_CHANNELS for channel in value)
        ):
            return (
                "must list channels in order of preference, each once: "
                f"{', '.join(PROGRAMME_CHANNELS)}"
            )
    elif field == "one_off_at" and value is not None:
        try:
            checked_moment(value)
        except BadMoment as error:
            return str(error)
    return None
