"""summarize(): the counts, shares and score shown beside every NPS, and their JSON shape."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from npsloop.stats import Histogram, Summary, summarize

KEYS = [
    "n",
    "promoters",
    "passives",
    "detractors",
    "promoter_percent",
    "passive_percent",
    "detractor_percent",
    "nps",
    "nps_exact",
    "ci_low",
    "ci_high",
    "confidence",
]


def test_it_summarizes_the_first_specification_vector() -> None:
    summary = summarize(Histogram.from_categories(60, 30, 10))
    assert summary.n == 100
    assert (summary.promoters, summary.passives, summary.detractors) == (60, 30, 10)
    assert (summary.promoter_percent, summary.passive_percent, summary.detractor_percent) == (
        60.0,
        30.0,
        10.0,
    )
    assert summary.nps == 50
    assert summary.nps_exact == pytest.approx(50.0)
    assert summary.ci_low == pytest.approx(35.47, abs=0.005)
    assert summary.ci_high == pytest.approx(61.62, abs=0.005)
    assert summary.confidence == 0.95


def test_it_returns_exactly_the_documented_keys_in_order() -> None:
    data = summarize(Histogram.from_categories(40, 35, 25)).as_dict()
    assert list(data) == KEYS
    assert data["nps"] == 15
    assert data["ci_low"] == pytest.approx(-0.70, abs=0.005)
    assert data["ci_high"] == pytest.approx(29.82, abs=0.005)
    json.dumps(data)


def test_it_has_nulls_not_zeros_without_responses() -> None:
    data = summarize(Histogram.empty(), confidence=0.9).as_dict()
    assert data == {
        "n": 0,
        "promoters": 0,
        "passives": 0,
        "detractors": 0,
        "promoter_percent": None,
        "passive_percent": None,
        "detractor_percent": None,
        "nps": None,
        "nps_exact": None,
        "ci_low": None,
        "ci_high": None,
        "confidence": 0.9,
    }


def test_it_rounds_the_displayed_score_half_away_from_zero() -> None:
    up = summarize(Histogram.from_categories(promoters=29, passives=171, detractors=0))
    down = summarize(Histogram.from_categories(promoters=0, passives=171, detractors=29))
    assert (up.nps, up.nps_exact) == (15, 14.5)
    assert (down.nps, down.nps_exact) == (-15, -14.5)


def test_it_uses_the_requested_confidence() -> None:
    h = Histogram.from_categories(40, 35, 25)
    wide, narrow = summarize(h, 0.99), summarize(h, 0.8)
    assert (wide.ci_low or 0) < (narrow.ci_low or 0) < (narrow.ci_high or 0) < (wide.ci_high or 0)
    assert wide.confidence == 0.99


def test_it_rejects_a_bad_confidence_even_without_responses() -> None:
    with pytest.raises(ValueError, match=r"^confidence must be .* got 95$"):
        summarize(Histogram.empty(), 95)


def test_it_is_a_frozen_value() -> None:
    summary = summarize(Histogram.from_categories(1, 1, 1))
    assert summary == summarize(Histogram.from_scores([10, 7, 3]))
    assert isinstance(summary, Summary)
    with pytest.raises(AttributeError):
        summary.nps = 3  # type: ignore[misc]


@settings(database=None)
@given(st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=300))
def test_it_keeps_percentages_and_score_consistent(scores: list[int]) -> None:
    summary = summarize(Histogram.from_scores(scores))
    assert summary.n == len(scores)
    total = (
        (summary.promoter_percent or 0)
        + (summary.passive_percent or 0)
        + (summary.detractor_percent or 0)
    )
    assert total == pytest.approx(100.0)
    assert summary.nps_exact == pytest.approx(
        (summary.promoter_percent or 0) - (summary.detractor_percent or 0)
    )
    assert abs((summary.nps or 0) - (summary.nps_exact or 0)) <= 0.5
