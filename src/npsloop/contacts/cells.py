"""What the cells of an import file mean: text, and moments in time.

Shared by the contacts and responses imports so that a date is read the same way in both.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from npsloop.errors import InvalidInput

MOMENT_FORMS = "a date like 2024-05-01 or a date and time with an offset like 2024-05-01T09:30:00Z"


def text(value: object, field: str, *, numbers: bool = False) -> str:
    """Text as it is; whole numbers too when ``numbers`` (ids in JSON are often numbers)."""
    if isinstance(value, str):
        return value
    if numbers and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise InvalidInput({field: f"must be text, got {json.dumps(value)}"})


def moment(value: object, field: str, zone: ZoneInfo) -> datetime:
    """A date (midnight in the workspace's time zone) or a date and time with an offset.

    A date and time without an offset is refused: guessing its zone would silently shift
    it by hours for anyone whose file came from elsewhere.
    """
    if not isinstance(value, str):
        raise InvalidInput({field: f"must be {MOMENT_FORMS}, got {json.dumps(value)}"})
    given = value.strip()
    if len(given) == 10:
        try:
            return datetime.combine(date.fromisoformat(given), time(), tzinfo=zone)
        except ValueError:
            pass
    try:
        parsed = datetime.fromisoformat(given)
    except ValueError:
        raise InvalidInput({field: f"must be {MOMENT_FORMS}, got {given!r}"}) from None
    if parsed.tzinfo is None:
        raise InvalidInput(
            {field: f"needs a time zone offset (…Z or …+02:00) when it has a time, got {given!r}"}
        )
    return parsed
