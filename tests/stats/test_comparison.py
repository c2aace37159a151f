"""compare() and compare_to_benchmark(): is a difference in NPS real?"""

from __future__ import annotations

import dataclasses
import math
from statistics import NormalDist

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from npsloop.stats import Comparison, Histogram, compare, compare_to_benchmark

Z95 = 1.959964

counts = st.integers(min_value=0, max_value=2000)
samples = (
    st.tuples(counts, counts, counts)
    .filter(lambda c: sum(c) > 0)
    .map(lambda c: Histogram.from_categories(*c))
)


def adjusted(h: Histogram) -> tuple[float, float]:
    """(P' - D', V'/n') straight from STATISTICS.md."""
    n = h.n + 3
    p, d = (h.promoters + 0.75) / n, (h.detractors + 0.75) / n
    return p - d, (p + d - (p - d) ** 2) / n


def test_it_matches_the_specification_vector() -> None:
    result = compare(Histogram.from_categories(60, 30, 10), Histogram.from_categories(40, 35, 25))
    assert result.difference == pytest.approx(35.0, abs=0.005)
    assert result.z == pytest.approx(3.314, abs=0.0005)
    assert result.p_value == pytest.approx(0.00092, abs=0.000005)
    assert result.significant is True
    assert (result.confidence, result.alpha) == (0.95, 0.05)


def test_it_agrees_with_the_formula() -> None:
    h1, h2 = Histogram.from_categories(60, 30, 10), Histogram.from_categories(40, 35, 25)
    (net1, var1), (net2, var2) = adjusted(h1), adjusted(h2)
    se = math.sqrt(var1 + var2)
    z = (net1 - net2) / se
    result = compare(h1, h2)
    assert result.z == pytest.approx(z)
    assert result.p_value == pytest.approx(2 * (1 - NormalDist().cdf(abs(z))))
    assert result.ci_low == pytest.approx(100 * (net1 - net2 - Z95 * se), abs=1e-4)
    assert result.ci_high == pytest.approx(100 * (net1 - net2 + Z95 * se), abs=1e-4)
    assert result.ci_low == pytest.approx(13.88, abs=0.005)
    assert result.ci_high == pytest.approx(54.08, abs=0.005)


def test_it_calls_a_difference_significant_only_below_alpha() -> None:
    h1, h2 = Histogram.from_categories(60, 30, 10), Histogram.from_categories(40, 35, 25)
    assert compare(h1, h2, alpha=0.001).significant is True
    assert compare(h1, h2, alpha=0.0005).significant is False


def test_it_reports_no_clear_change_for_small_differences() -> None:
    result = compare(Histogram.from_categories(52, 30, 18), Histogram.from_categories(50, 30, 20))
    assert result.significant is False
    assert result.ci_low is not None and result.ci_low < 0 < (result.ci_high or 0)


@pytest.mark.parametrize(
    ("h1", "h2"),
    [
        (Histogram.empty(), Histogram.from_categories(1, 2, 3)),
        (Histogram.from_categories(1, 2, 3), Histogram.empty()),
        (Histogram.empty(), Histogram.empty()),
    ],
)
def test_it_has_no_result_when_a_sample_is_empty(h1: Histogram, h2: Histogram) -> None:
    assert compare(h1, h2, confidence=0.9, alpha=0.1) == Comparison(
        difference=None,
        z=None,
        p_value=None,
        ci_low=None,
        ci_high=None,
        significant=False,
        confidence=0.9,
        alpha=0.1,
    )
    assert compare_to_benchmark(Histogram.empty(), 30).difference is None


def test_it_keeps_its_fields_in_a_fixed_order() -> None:
    assert [f.name for f in dataclasses.fields(Comparison)] == [
        "difference",
        "z",
        "p_value",
        "ci_low",
        "ci_high",
        "significant",
        "confidence",
        "alpha",
    ]


@pytest.mark.parametrize("alpha", [0, 1, 5, -0.05, math.nan, None])
def test_it_rejects_alpha_outside_zero_to_one(alpha: object) -> None:
    with pytest.raises(ValueError, match=r"^alpha must be a number between 0 and 1 \(exclusive\)"):
        compare(Histogram.empty(), Histogram.empty(), alpha=alpha)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^alpha must be"):
        compare_to_benchmark(Histogram.empty(), 0, alpha=alpha)  # type: ignore[arg-type]


def test_it_rejects_a_percentage_as_confidence() -> None:
    with pytest.raises(ValueError, match=r"^confidence must be .* such as 0\.95, got 95$"):
        compare(Histogram.empty(), Histogram.empty(), confidence=95)


def test_it_compares_against_a_benchmark_by_the_formula() -> None:
    h = Histogram.from_categories(60, 30, 10)
    net, var = adjusted(h)
    z = (net - 0.40) / math.sqrt(var)
    result = compare_to_benchmark(h, 40)
    assert result.difference == pytest.approx(10.0)
    assert result.z == pytest.approx(z)
    assert result.p_value == pytest.approx(2 * (1 - NormalDist().cdf(abs(z))))
    assert result.significant is False
    # The interval of the difference is the score's own interval shifted by the benchmark.
    assert result.ci_low == pytest.approx(35.47 - 40, abs=0.005)
    assert result.ci_high == pytest.approx(61.62 - 40, abs=0.005)


def test_it_finds_a_score_clearly_above_a_low_benchmark() -> None:
    result = compare_to_benchmark(Histogram.from_categories(60, 30, 10), 20)
    assert result.significant is True
    assert (result.ci_low or 0) > 0


@pytest.mark.parametrize("benchmark", [-101, 100.5, math.nan, math.inf, None, "30", True])
def test_it_rejects_a_benchmark_outside_the_nps_range(benchmark: object) -> None:
    with pytest.raises(ValueError, match=r"^benchmark must be an NPS from -100 to 100, got "):
        compare_to_benchmark(Histogram.from_categories(1, 1, 1), benchmark)  # type: ignore[arg-type]


@settings(database=None)
@given(samples)
def test_it_never_finds_a_sample_different_from_itself(h: Histogram) -> None:
    result = compare(h, h)
    assert result.z == 0
    assert result.p_value == 1
    assert result.difference == 0
    assert result.significant is False
    assert (result.ci_low or 0) == pytest.approx(-(result.ci_high or 0))


@settings(database=None)
@given(samples, samples)
def test_it_is_antisymmetric(h1: Histogram, h2: Histogram) -> None:
    forward, backward = compare(h1, h2), compare(h2, h1)
    assert forward.z == pytest.approx(-(backward.z or 0))
    assert forward.p_value == pytest.approx(backward.p_value)
    assert forward.significant == backward.significant
    assert 0 <= (forward.p_value or 0) <= 1
    assert -200 <= (forward.ci_low or 0) <= (forward.ci_high or 0) <= 200


@settings(database=None)
@given(samples, st.integers(min_value=-100, max_value=100))
def test_it_tests_against_a_benchmark_consistently_with_the_interval(
    h: Histogram, benchmark: int
) -> None:
    result = compare_to_benchmark(h, benchmark)
    assert 0 <= (result.p_value or 0) <= 1
    # Significant at 5% exactly when the 95% interval leaves the benchmark out (unless the
    # interval was clipped at ±100, which only happens on the side away from the data).
    low, high = (result.ci_low or 0), (result.ci_high or 0)
    unclipped = low + benchmark > -100 and high + benchmark < 100
    if unclipped and abs(abs(result.z or 0) - Z95) > 1e-6:
        assert result.significant == (low > 0 or high < 0)
