"""sample_size(): responses needed for a margin of error, optionally for a small customer base."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from npsloop.stats import sample_size

Z95 = 1.959964


def test_it_matches_the_specification_vectors() -> None:
    assert sample_size(5, promoter_share=0.5, detractor_share=0.2) == 935
    assert sample_size(5) == 1534


def test_it_agrees_with_the_formula() -> None:
    variance = 0.5 + 0.2 - (0.5 - 0.2) ** 2
    assert sample_size(5, promoter_share=0.5, detractor_share=0.2) == math.ceil(
        Z95**2 * variance / 0.05**2 - 3
    )
    assert sample_size(5) == math.ceil(Z95**2 / 0.05**2 - 3)
    assert sample_size(10, confidence=0.9) == math.ceil(1.644854**2 / 0.1**2 - 3)


def test_it_needs_nobody_when_the_margin_is_wider_than_the_pseudo_observations_give() -> None:
    assert sample_size(150) == 0
    assert sample_size(5, promoter_share=0, detractor_share=0) == 0


def test_it_needs_fewer_responses_from_a_small_customer_base() -> None:
    assert sample_size(5, population=1000) < sample_size(5)
    assert sample_size(5, population=100) <= 100
    assert sample_size(5, population=10**12) == sample_size(5)


def test_it_asks_everybody_when_the_base_is_tiny() -> None:
    assert sample_size(1, population=5) == 5
    assert sample_size(1, population=1) == 1
    assert sample_size(5, promoter_share=0, detractor_share=0, population=1) == 0


def test_it_meets_the_corrected_margin_by_the_formula() -> None:
    n, population = sample_size(5, population=1000), 1000

    def margin(k: int) -> float:
        return 100 * Z95 * math.sqrt(1 / (k + 3)) * math.sqrt((population - k) / (population - 1))

    assert margin(n) <= 5 < margin(n - 1)
    assert n == 605


@pytest.mark.parametrize("margin", [0, -5, math.nan, math.inf, None, "5", True])
def test_it_rejects_a_margin_that_is_not_positive(margin: object) -> None:
    with pytest.raises(ValueError, match=r"^margin must be a positive number of NPS points"):
        sample_size(margin)  # type: ignore[arg-type]


@pytest.mark.parametrize(("promoter_share", "detractor_share"), [(0.5, None), (None, 0.2)])
def test_it_wants_both_shares_or_neither(
    promoter_share: float | None, detractor_share: float | None
) -> None:
    with pytest.raises(ValueError, match="give both promoter_share and detractor_share"):
        sample_size(5, promoter_share=promoter_share, detractor_share=detractor_share)


@pytest.mark.parametrize(
    ("promoter_share", "detractor_share", "message"),
    [
        (50, 20, r"^promoter_share must be a fraction from 0 to 1, such as 0\.5 for 50%, got 50$"),
        (0.5, -0.1, r"^detractor_share must be a fraction from 0 to 1"),
        (0.7, 0.4, r"cannot add up to more than 1"),
    ],
)
def test_it_rejects_impossible_shares(
    promoter_share: float, detractor_share: float, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        sample_size(5, promoter_share=promoter_share, detractor_share=detractor_share)


def test_it_accepts_shares_that_add_up_to_one_after_rounding() -> None:
    assert sample_size(5, promoter_share=0.7, detractor_share=0.30000000000000004) > 0


@pytest.mark.parametrize("population", [0, -10, 2.5, True, "100"])
def test_it_rejects_a_population_that_is_not_a_positive_count(population: object) -> None:
    with pytest.raises(ValueError, match=r"^population must be a whole number of customers"):
        sample_size(5, population=population)  # type: ignore[arg-type]


@pytest.mark.parametrize("confidence", [0, 95])
def test_it_rejects_a_bad_confidence(confidence: float) -> None:
    with pytest.raises(ValueError, match=r"^confidence must be"):
        sample_size(5, confidence=confidence)


shares = st.tuples(
    st.integers(min_value=0, max_value=100), st.integers(min_value=0, max_value=100)
).filter(lambda s: sum(s) <= 100)


@settings(database=None)
@given(st.floats(min_value=0.5, max_value=50), shares)
def test_it_gives_the_smallest_n_that_meets_the_margin(
    margin: float, percents: tuple[int, int]
) -> None:
    promoters, detractors = percents[0] / 100, percents[1] / 100
    variance = promoters + detractors - (promoters - detractors) ** 2
    n = sample_size(margin, promoter_share=promoters, detractor_share=detractors)

    def half_width(k: int) -> float:
        return 100 * Z95 * math.sqrt(variance / (k + 3))

    assert half_width(n) <= margin * (1 + 1e-6)
    if n > 0:
        assert half_width(n - 1) > margin * (1 - 1e-6)


@settings(database=None)
@given(st.floats(min_value=0.5, max_value=50), st.integers(min_value=1, max_value=100_000))
def test_it_never_asks_for_more_than_the_whole_base(margin: float, population: int) -> None:
    n = sample_size(margin, population=population)
    assert 0 <= n <= population
    assert n <= sample_size(margin)

    def half_width(k: int) -> float:
        if population == 1:  # the correction's own formula divides by zero here
            return 0.0 if k == 1 else math.inf
        correction = (population - k) / (population - 1)
        return 100 * Z95 * math.sqrt(1 / (k + 3)) * math.sqrt(correction)

    assert half_width(n) <= margin * (1 + 1e-6)
    if n > 0:
        assert half_width(n - 1) > margin * (1 - 1e-6)
