"""The errors the calculator reports to the person running it, without a traceback."""

from __future__ import annotations


class CalculatorError(Exception):
    """A problem with the input file or the options; the message says what is accepted."""


class InvalidScoreError(CalculatorError):
    """A row whose score is not an integer from 0 to 10, and where it is in the file.

    `location` is "line 17" for text formats (the physical line, so an editor jumps to it) and
    "row 17" for Parquet, which has no lines.
    """

    def __init__(self, file_name: str, location: str, reason: str) -> None:
        self.location = location
        self.reason = reason
        super().__init__(
            f"{file_name}, {location}: {reason} (use --skip-invalid to skip such rows)"
        )


def missing_columns_error(missing: list[str], available: list[str], where: str) -> CalculatorError:
    """The error for --column/--by names that the file does not have, listing those it has."""
    names = ", ".join(repr(name) for name in missing)
    noun = "column" if len(missing) == 1 else "columns"
    has = ", ".join(available) if available else "(none)"
    return CalculatorError(f"no {noun} {names} in {where}; it has: {has}")
