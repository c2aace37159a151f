"""Dates and times in requests: ISO 8601 only, and never without a time zone.

Pydantic alone would read ``1714550400`` as a Unix time and ``2024-05-01T09:30`` as a
time in no zone at all; either silently shifts historical responses by hours. These
types accept what is unambiguous and say what is accepted otherwise.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from npsloop.workspaces.models import Workspace

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MOMENT_FORMAT = "an ISO 8601 date-time with a time zone, like 2024-05-01T09:30:00Z"


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 50 else text[:47] + "..."


def parse_moment(value: object) -> datetime:
    """A timezone-aware datetime from ISO 8601 text, or a pydantic error naming the format."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None and not DATE.match(value.strip()):
            return moment
    raise PydanticCustomError(
        "datetime_format", f"must be {MOMENT_FORMAT}, got {{value}}", {"value": _shown(value)}
    )


def parse_bound(value: object) -> date | datetime:
    """A date (a whole day in the workspace's time zone) or a timezone-aware datetime."""
    if isinstance(value, str) and DATE.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    elif isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return parse_moment(value)
    except PydanticCustomError:
        raise PydanticCustomError(
            "datetime_format",
            f"must be a date like 2024-05-01 or {MOMENT_FORMAT}, got {{value}}",
            {"value": _shown(value)},
        ) from None


def start_of(bound: date | datetime, workspace: Workspace) -> datetime:
    """A date as a bound means the start of that day in the workspace's time zone."""
    if isinstance(bound, datetime):
        return bound
    return datetime.combine(bound, time.min, tzinfo=ZoneInfo(workspace.time_zone))


Moment = Annotated[
    datetime,
    BeforeValidator(parse_moment),
    Field(description=f"{MOMENT_FORMAT[0].upper()}{MOMENT_FORMAT[1:]}."),
]
Bound = Annotated[
    date | datetime,
    BeforeValidator(parse_bound),
    Field(
        description=(
            "A date like 2024-05-01 (the start of that day in the workspace's time zone) "
            f"or {MOMENT_FORMAT}."
        )
    ),
]
