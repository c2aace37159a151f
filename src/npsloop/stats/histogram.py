"""The 11-bin histogram of scores: the only shape a sample has inside npsloop.

Storing counts per score (rather than per category) keeps the raw distribution for charts,
while every statistic reads only the three category totals. Histograms add, so a report over
many waves or segments is the sum of theirs and never needs the individual responses.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import SupportsIndex

from npsloop.stats.scores import MAX_SCORE, require_score

BIN_COUNT = MAX_SCORE + 1


def _count(value: object, label: str) -> int:
    """A count as a plain int; numpy integers from aggregates are fine, floats and bools not."""
    # Plain ints first: isinstance() against a Protocol is slow enough to dominate a
    # metrics request with thousands of groups.
    if type(value) is int and value >= 0:
        return value
    if isinstance(value, SupportsIndex) and not isinstance(value, bool):
        number = operator.index(value)
        if number >= 0:
            return number
    raise ValueError(f"{label} must be a non-negative integer, got {value!r}")


@dataclass(frozen=True, slots=True)
class Histogram:
    """How many responses gave each score; `bins[s]` is the count for score s (0..10)."""

    bins: tuple[int, ...]

    def __post_init__(self) -> None:
        bins = tuple(self.bins)
        if len(bins) != BIN_COUNT:
            raise ValueError(
                f"a histogram needs {BIN_COUNT} counts, one per score 0 to {MAX_SCORE}, "
                f"got {len(bins)}"
            )
        checked = tuple(_count(c, f"count for score {s}") for s, c in enumerate(bins))
        object.__setattr__(self, "bins", checked)

    @classmethod
    def empty(cls) -> Histogram:
        """The sample with no responses: the identity for `+`."""
        return cls((0,) * BIN_COUNT)

    @classmethod
    def from_scores(cls, scores: Iterable[int]) -> Histogram:
        """Count already-parsed int scores; strings belong to `parse_score` first."""
        bins = [0] * BIN_COUNT
        for score in scores:
            bins[require_score(score)] += 1
        return cls(tuple(bins))

    @classmethod
    def from_categories(cls, promoters: int, passives: int, detractors: int) -> Histogram:
        """A histogram from category totals alone, placed at scores 10, 8 and 0.

        Which score inside a category carries the count does not matter to any statistic,
        so this is enough for benchmarks and for the calculator's three-number form.
        """
        bins = [0] * BIN_COUNT
        bins[10] = _count(promoters, "promoters")
        bins[8] = _count(passives, "passives")
        bins[0] = _count(detractors, "detractors")
        return cls(tuple(bins))

    @classmethod
    def from_counts(cls, counts: Mapping[int, int]) -> Histogram:
        """A histogram from a score -> count mapping (a GROUP BY result); absent scores are 0."""
        bins = [0] * BIN_COUNT
        for score, count in counts.items():
            bins[require_score(score)] = _count(count, f"count for score {score}")
        return cls(tuple(bins))

    @classmethod
    def total(cls, histograms: Iterable[Histogram]) -> Histogram:
        """The histogram of the union of disjoint samples."""
        result = cls.empty()
        for histogram in histograms:
            result = result + histogram
        return result

    def __add__(self, other: Histogram) -> Histogram:
        if not isinstance(other, Histogram):
            return NotImplemented
        return Histogram(tuple(a + b for a, b in zip(self.bins, other.bins, strict=True)))

    @property
    def promoters(self) -> int:
        return self.bins[9] + self.bins[10]

    @property
    def passives(self) -> int:
        return self.bins[7] + self.bins[8]

    @property
    def detractors(self) -> int:
        return sum(self.bins[0:7])

    @property
    def n(self) -> int:
        return sum(self.bins)
