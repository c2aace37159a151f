"""confidence_interval(): adjusted Wald by default, plain Wald on request, both clipped."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from npsloop.stats import Histogram, confidence_interval, nps

Z95 = 1.959964

counts = st.integers(min_value=0, max_value=2000)
samples = st.tuples(counts, counts, counts).filter(lambda c: sum(c) > 0)


def reference_interval(
    promoters: float, passives: float, detractors: float, z: float = Z95
) -> tuple[float, float]:
    """The formula from STATISTICS.md, written out separately from the code under test."""
    n = promoters + passives + detractors
    net = promoters / n - detractors / n
    spread = z * math.sqrt((promoters / n + detractors / n - net**2) / n)
    return max(-100.0, 100 * (net - spread)), min(100.0, 100 * (net + spread))


def reference_adjusted(
    promoters: int, passives: int, detractors: int, z: float = Z95
) -> tuple[float, float]:
    return reference_interval(promoters + 0.75, passives + 1.5, detractors + 0.75, z)


SPEC_VECTORS = [
    ((60, 30, 10), (35.47, 61.62)),
    ((40, 35, 25), (-0.70, 29.82)),
    ((0, 50, 0), (-4.53, 4.53)),
]


@pytest.mark.parametrize(("categories", "expected"), SPEC_VECTORS)
def test_it_matches_the_specification_vectors(
    categories: tuple[int, int, int], expected: tuple[float, float]
) -> None:
    interval = confidence_interval(Histogram.from_categories(*categories))
    assert interval == pytest.approx(expected, abs=0.005)
    assert interval == pytest.approx(reference_adjusted(*categories), abs=1e-4)


def test_it_has_no_interval_without_responses() -> None:
    assert confidence_interval(Histogram.empty()) is None
    assert confidence_interval(Histogram.empty(), method="wald") is None


def test_it_computes_the_plain_wald_interval_on_request() -> None:
    h = Histogram.from_categories(60, 30, 10)
    interval = confidence_interval(h, method="wald")
    assert interval == pytest.approx(reference_interval(60, 30, 10), abs=1e-4)
    assert interval == pytest.approx((36.85, 63.15), abs=0.005)


def test_it_collapses_only_the_plain_wald_interval_when_all_answers_agree() -> None:
    h = Histogram.from_categories(promoters=20, passives=0, detractors=0)
    assert confidence_interval(h, method="wald") == (100.0, 100.0)
    low, high = confidence_interval(h) or (0.0, 0.0)
    assert low < high


def test_it_can_leave_out_a_perfect_score_from_a_tiny_sample() -> None:
    # One promoter is weak evidence: the adjusted interval pulls towards 0 and stops below 100.
    low, high = confidence_interval(Histogram.from_categories(1, 0, 0)) or (0.0, 0.0)
    assert high < 100.0
    assert (low, high) == pytest.approx(reference_adjusted(1, 0, 0), abs=1e-4)


def test_it_clips_to_the_nps_range() -> None:
    assert confidence_interval(Histogram.from_categories(1, 0, 1), method="wald") == (-100, 100)
    assert confidence_interval(Histogram.from_categories(1, 0, 0), confidence=0.9999) == (
        -100.0,
        100.0,
    )


def test_it_widens_with_the_confidence_level() -> None:
    h = Histogram.from_categories(40, 35, 25)
    widths = [
        high - low
        for low, high in (confidence_interval(h, c) or (0, 0) for c in (0.8, 0.9, 0.95, 0.99))
    ]
    assert widths == sorted(widths)
    assert len(set(widths)) == 4
    assert confidence_interval(h, 0.9) == pytest.approx(
        reference_adjusted(40, 35, 25, z=1.644854), abs=1e-4
    )


@pytest.mark.parametrize(
    "confidence", [0, 1, 95, -0.5, 1.5, math.nan, math.inf, True, "0.95", None]
)
def test_it_rejects_confidence_outside_zero_to_one(confidence: object) -> None:
    message = (
        r"^confidence must be a number between 0 and 1 \(exclusive\), such as 0\.95, "
        rf"got {re.escape(repr(confidence))}$"
    )
    for h in (Histogram.empty(), Histogram.from_categories(1, 2, 3)):
        with pytest.raises(ValueError, match=message):
            confidence_interval(h, confidence)  # type: ignore[arg-type]


@pytest.mark.parametrize("method", ["wilson", "adjusted_wald", "Wald", ""])
def test_it_rejects_unknown_methods_naming_the_accepted_ones(method: str) -> None:
    with pytest.raises(ValueError) as caught:
        confidence_interval(Histogram.empty(), method=method)
    assert str(caught.value) == f"method must be one of 'adjusted-wald', 'wald', got {method!r}"


@settings(database=None)
@given(samples, st.sampled_from([0.8, 0.9, 0.95, 0.99]), st.sampled_from(["adjusted-wald", "wald"]))
def test_it_stays_within_the_nps_range(
    categories: tuple[int, int, int], confidence: float, method: str
) -> None:
    low, high = confidence_interval(Histogram.from_categories(*categories), confidence, method) or (
        math.nan,
        math.nan,
    )
    assert -100 <= low <= high <= 100


@settings(database=None)
@given(samples)
def test_it_centres_the_adjusted_interval_on_the_shrunken_estimate(
    categories: tuple[int, int, int],
) -> None:
    promoters, _, detractors = categories
    h = Histogram.from_categories(*categories)
    low, high = confidence_interval(h) or (math.nan, math.nan)
    centre = 100 * (promoters - detractors) / (h.n + 3)
    assert low <= centre <= high
    # The pseudo-observations pull towards 0, never past it.
    point = nps(h) or 0.0
    assert abs(centre) <= abs(point)
    assert centre * point >= 0


@settings(database=None)
@given(samples)
def test_it_always_contains_the_point_estimate_with_plain_wald(
    categories: tuple[int, int, int],
) -> None:
    h = Histogram.from_categories(*categories)
    low, high = confidence_interval(h, method="wald") or (math.nan, math.nan)
    assert low <= (nps(h) or 0.0) <= high


@settings(database=None)
@given(samples, st.integers(min_value=2, max_value=50))
def test_it_narrows_as_the_sample_grows_at_fixed_shares(
    categories: tuple[int, int, int], k: int
) -> None:
    small = confidence_interval(Histogram.from_categories(*categories)) or (0.0, 0.0)
    large = confidence_interval(Histogram.from_categories(*(k * c for c in categories))) or (
        0.0,
        0.0,
    )
    assert large[1] - large[0] < small[1] - small[0]


@settings(database=None)
@given(samples, st.sampled_from(["adjusted-wald", "wald"]))
def test_it_mirrors_when_promoters_and_detractors_swap(
    categories: tuple[int, int, int], method: str
) -> None:
    promoters, passives, detractors = categories
    low, high = confidence_interval(
        Histogram.from_categories(promoters, passives, detractors), method=method
    ) or (0.0, 0.0)
    mirrored = confidence_interval(
        Histogram.from_categories(detractors, passives, promoters), method=method
    )
    assert mirrored == pytest.approx((-high, -low), abs=1e-9)


@settings(database=None)
@given(samples)
def test_it_agrees_with_the_formula(categories: tuple[int, int, int]) -> None:
    assume(sum(categories) > 0)
    assert confidence_interval(Histogram.from_categories(*categories)) == pytest.approx(
        reference_adjusted(*categories), abs=1e-3
    )
