"""What a score is: the one rule shared by the API, the CSV import and the file calculator.

Keeping the rule here means a "7.0" typed into a spreadsheet is rejected the same way
everywhere, instead of being silently truncated by one entry point and refused by another.
"""

from __future__ import annotations

import re
from typing import Final, Literal

Category = Literal["promoter", "passive", "detractor"]
CATEGORIES: Final[tuple[Category, Category, Category]] = ("promoter", "passive", "detractor")

MIN_SCORE: Final = 0
MAX_SCORE: Final = 10

# ASCII digits only: `\d` would also let through Arabic-Indic or full-width digits, which
# no survey form produces and which would make the accepted set depend on Unicode tables.
_DIGITS: Final = re.compile(r"[0-9]+")
# A score never needs more than two significant digits; checking the length first keeps
# a megabyte of zeros or digits from reaching int().
_MAX_SIGNIFICANT_DIGITS: Final = 2
_MAX_SHOWN_CHARS: Final = 50


class ScoreError(ValueError):
    """A value that is not a score; the message is written for the person who sent it."""

    def __init__(self, value: object) -> None:
        super().__init__(
            f"score must be an integer from {MIN_SCORE} to {MAX_SCORE}, got {_shown(value)}"
        )
        self.value = value


def _shown(value: object) -> str:
    """The repr of a rejected value, shortened so a pasted essay does not flood an error."""
    text = repr(value)
    if len(text) > _MAX_SHOWN_CHARS:
        return text[: _MAX_SHOWN_CHARS - 3] + "..."
    return text


def require_score(value: object) -> int:
    """Check a value that should already be an int score (internal callers, not user input).

    bool is refused although it is an int subclass: True is a checkbox, not a 1.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise ScoreError(value)
    if not MIN_SCORE <= value <= MAX_SCORE:
        raise ScoreError(value)
    return int(value)


def parse_score(value: object) -> int:
    """Turn user input into a score, or raise ScoreError saying what was wrong.

    Accepts an int 0..10 or a string of ASCII digits for one (surrounding whitespace and
    leading zeros are fine: " 07 " is 7). Floats are refused even when whole, because a
    7.0 usually means a column was averaged or converted somewhere upstream.
    """
    if isinstance(value, str):
        text = value.strip()
        if not _DIGITS.fullmatch(text):
            raise ScoreError(value)
        if len(text.lstrip("0")) > _MAX_SIGNIFICANT_DIGITS:
            raise ScoreError(value)
        number = int(text.lstrip("0") or "0")
        if not MIN_SCORE <= number <= MAX_SCORE:
            raise ScoreError(value)
        return number
    return require_score(value)


def category_of(score: int) -> Category:
    """Promoter (9-10), passive (7-8) or detractor (0-6); every statistic rests on this."""
    checked = require_score(score)
    if checked >= 9:
        return "promoter"
    if checked >= 7:
        return "passive"
    return "detractor"
