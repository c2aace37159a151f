"""Histograms: validated 11-bin counts that add like a monoid."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from npsloop.stats import Histogram, ScoreError, summarize

score_lists = st.lists(st.integers(min_value=0, max_value=10), max_size=200)
histograms = st.lists(st.integers(min_value=0, max_value=1000), min_size=11, max_size=11).map(
    lambda bins: Histogram(tuple(bins))
)


def test_it_counts_categories_from_bins() -> None:
    h = Histogram((1, 1, 1, 1, 1, 1, 1, 2, 3, 4, 5))
    assert (h.detractors, h.passives, h.promoters, h.n) == (7, 5, 9, 21)


def test_it_builds_from_scores() -> None:
    h = Histogram.from_scores([10, 10, 9, 8, 0, 6])
    assert h.bins == (1, 0, 0, 0, 0, 0, 1, 0, 1, 1, 2)


def test_it_builds_from_categories_at_scores_ten_eight_and_zero() -> None:
    h = Histogram.from_categories(promoters=3, passives=2, detractors=1)
    assert h.bins == (1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 3)


def test_it_builds_from_a_score_count_mapping() -> None:
    h = Histogram.from_counts({9: 4, 3: 2})
    assert h.bins == (0, 0, 0, 2, 0, 0, 0, 0, 0, 4, 0)


def test_it_has_an_empty_histogram() -> None:
    assert Histogram.empty().bins == (0,) * 11
    assert Histogram.empty().n == 0


def test_it_stores_bins_as_a_tuple_of_plain_ints() -> None:
    h = Histogram([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5])  # type: ignore[arg-type]
    assert h.bins == (0,) * 10 + (5,)
    assert hash(h) == hash(Histogram.from_categories(5, 0, 0))


def test_it_is_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        Histogram.empty().bins = (1,) * 11  # type: ignore[misc]


@pytest.mark.parametrize("length", [0, 10, 12])
def test_it_rejects_the_wrong_number_of_bins(length: int) -> None:
    with pytest.raises(ValueError, match=f"needs 11 counts, one per score 0 to 10, got {length}"):
        Histogram((0,) * length)


@pytest.mark.parametrize("bad", [-1, 1.0, True, None, "1"])
def test_it_rejects_bins_that_are_not_counts(bad: object) -> None:
    bins = [0] * 11
    bins[4] = bad  # type: ignore[call-overload]
    with pytest.raises(ValueError, match=r"count for score 4 must be a non-negative integer"):
        Histogram(tuple(bins))


def test_it_names_the_category_in_a_bad_category_count() -> None:
    with pytest.raises(ValueError, match=r"^passives must be a non-negative integer, got -2$"):
        Histogram.from_categories(1, -2, 0)


def test_it_rejects_invalid_scores_when_counting() -> None:
    with pytest.raises(ScoreError, match="got 11"):
        Histogram.from_scores([3, 11])
    with pytest.raises(ScoreError, match="got '7'"):
        Histogram.from_scores(["7"])  # type: ignore[list-item]
    with pytest.raises(ScoreError, match="got 12"):
        Histogram.from_counts({12: 1})


def test_it_does_not_add_to_other_types() -> None:
    with pytest.raises(TypeError):
        Histogram.empty() + (0,) * 11  # type: ignore[operator]


def test_it_totals_many_histograms() -> None:
    parts = [Histogram.from_scores([10]), Histogram.from_scores([0, 7]), Histogram.empty()]
    assert Histogram.total(parts) == Histogram.from_scores([10, 0, 7])
    assert Histogram.total([]) == Histogram.empty()


@settings(database=None)
@given(score_lists, score_lists)
def test_it_adds_to_the_histogram_of_the_concatenated_scores(a: list[int], b: list[int]) -> None:
    combined = Histogram.from_scores(a) + Histogram.from_scores(b)
    assert combined == Histogram.from_scores(a + b)
    assert summarize(combined) == summarize(Histogram.from_scores(a + b))


@settings(database=None)
@given(histograms, histograms, histograms)
def test_it_adds_associatively(a: Histogram, b: Histogram, c: Histogram) -> None:
    assert (a + b) + c == a + (b + c)
    assert a + b == b + a


@settings(database=None)
@given(histograms)
def test_it_has_the_empty_histogram_as_identity(h: Histogram) -> None:
    assert h + Histogram.empty() == h == Histogram.empty() + h


@settings(database=None)
@given(histograms)
def test_it_splits_n_into_the_three_categories(h: Histogram) -> None:
    assert h.promoters + h.passives + h.detractors == h.n == sum(h.bins)
