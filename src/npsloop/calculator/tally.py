"""Counting scores per group: the histograms a file reduces to, plus its rejected rows."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Final

from npsloop.stats import Histogram, ScoreError, parse_score

SCORE_BINS: Final = 11
# Rejected rows are counted in a twelfth bin beside the scores, so one pass over the data
# yields both the histograms and the per-group count that --skip-invalid reports.
INVALID: Final = SCORE_BINS
BINS: Final = SCORE_BINS + 1


@dataclass(frozen=True, slots=True)
class GroupCount:
    """One group of a file: its --by values, its histogram and how many rows were rejected."""

    group: tuple[str, ...]
    histogram: Histogram
    invalid: int


def group_label(value: object) -> str:
    """The text of a --by value; every format's groups are strings, as a CSV's would be.

    Missing values (an empty CSV cell, JSON null, Parquet null) all become the group "", and
    JSON scalars keep their JSON spelling, so `true` and `1.5` read the same in every output.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float | list | dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


@dataclass(frozen=True, slots=True)
class Rejection:
    """The first rejected row of a batch: its index in the batch and why it was rejected."""

    row: int
    reason: str


class ScoreCodes:
    """Remembers the verdict of `parse_score` for each distinct raw value seen so far."""

    def __init__(self) -> None:
        # Keyed by type as well, because True == 1 and "7" must not share a verdict with 7.
        self._codes: dict[tuple[type, object], int] = {}

    def code(self, value: object) -> int:
        key = (type(value), value)
        code = self._codes.get(key)
        if code is None:
            try:
                code = parse_score(value)
            except ScoreError:
                code = INVALID
            self._codes[key] = code
        return code

    @staticmethod
    def reason(value: object) -> str:
        """Why `value` was rejected, in the words of `parse_score`."""
        try:
            parse_score(value)
        except ScoreError as error:
            return str(error)
        raise AssertionError(f"{value!r} is a valid score")


class Tally:
    """Score counts per group, filled row by row (JSON Lines) or in bulk (CSV, Parquet)."""

    def __init__(self, group_width: int) -> None:
        self.group_width = group_width
        self._bins: dict[tuple[str, ...], list[int]] = {}

    def add(self, group: tuple[str, ...], code: int, count: int = 1) -> None:
        """Count `count` rows of `group` with score `code` (0..10), or INVALID."""
        bins = self._bins.get(group)
        if bins is None:
            bins = self._bins[group] = [0] * BINS
        bins[code] += count

    @property
    def invalid(self) -> int:
        return sum(bins[INVALID] for bins in self._bins.values())

    def groups(self) -> list[GroupCount]:
        """The groups sorted by their values.

        Without --by there is always exactly one group, so an empty file still has a summary
        (n = 0, no score); with --by, groups exist only where rows do.
        """
        if self.group_width == 0 and not self._bins:
            return [GroupCount((), Histogram.empty(), 0)]
        return [
            GroupCount(group, Histogram(tuple(bins[:SCORE_BINS])), bins[INVALID])
            for group, bins in sorted(self._bins.items())
        ]
