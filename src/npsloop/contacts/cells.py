"""What the cells of an import file mean: text, and moments in time.

Shared by the contacts and responses imports so that a date is read the same way in both.
"""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from npsloop.errors import InvalidInput
from npsloop.moments import BadMoment, checked_moment


def text(value: object, field: str, *, numbers: bool = False) -> str:
    """Text as it is; whole numbers too when ``numbers`` (ids in JSON are often numbers)."""
    if isinstance(value, str):
        return value
    if numbers and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise InvalidInput({field: f"must be text, got {json.dumps(value)}"})


def moment(value: object, field: str, zone: ZoneInfo) -> datetime:
    """A date (midnight in the workspace's time zone) or a date and time with an offset,
    from 1970-01-01 to 2100-01-01 (npsloop.moments).

    A date and time without an offset is refused: guessing its zone would silently shift
    it by hours for anyone whose file came from elsewhere.
    """
    try:
        return checked_moment(value, day_zone=zone)
    except BadMoment as error:
        raise InvalidInput({field: str(error)}) from None
