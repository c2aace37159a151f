"""Dates and times in requests: ISO 8601 with a time zone, from 1970-01-01 to 2100-01-01.

Pydantic alone would read ``1714550400`` as a Unix time, ``2024-05-01T09:30`` as a time in
no zone at all, and year 1 as gladly as this year; the first two silently shift historical
responses by hours, the last stored rows PostgreSQL could not read back. These types hand
every value to npsloop.moments' one check and answer its message as a 422.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from npsloop.moments import ACCEPTED, BadMoment, checked_moment
from npsloop.workspaces.models import Workspace


def parse_moment(value: object) -> datetime:
    """A moment in UTC, or a pydantic error with the shared message."""
    try:
        return checked_moment(value)
    except BadMoment as error:
        raise _refused(error) from None


def parse_bound(value: object) -> date | datetime:
    """A date (a whole day in the workspace's time zone, checked as a UTC day here, where
    the workspace is not known yet) or a moment."""
    try:
        moment = checked_moment(value, day_zone=UTC)
    except BadMoment as error:
        raise _refused(error) from None
    if isinstance(value, str) and len(value.strip()) == 10:  # a date, as checked_moment reads it
        return moment.date()
    return moment


def _refused(error: BadMoment) -> PydanticCustomError:
    # The message goes in as context: a template would read braces in the value as fields.
    return PydanticCustomError("datetime_format", "{message}", {"message": str(error)})


def start_of(bound: date | datetime, workspace: Workspace) -> datetime:
    """A date as a bound means the start of that day in the workspace's time zone."""
    if isinstance(bound, datetime):
        return bound
    return datetime.combine(bound, time.min, tzinfo=ZoneInfo(workspace.time_zone))


Moment = Annotated[
    datetime,
    BeforeValidator(parse_moment),
    Field(description=f"{ACCEPTED[0].upper()}{ACCEPTED[1:]}, in ISO 8601."),
]
Bound = Annotated[
    date | datetime,
    BeforeValidator(parse_bound),
    Field(
        description=(
            "A date like 2024-05-01 (the start of that day in the workspace's time zone) "
            f"or {ACCEPTED}, in ISO 8601."
        )
    ),
]
