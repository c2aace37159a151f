"""nps(): 100·(P - D), unrounded, and None (never 0) without responses."""

from __future__ import annotations

import pytest

from npsloop.stats import Histogram, nps, round_half_away


@pytest.mark.parametrize(
    ("promoters", "passives", "detractors", "expected"),
    [(60, 30, 10, 50.0), (40, 35, 25, 15.0), (0, 50, 0, 0.0), (1, 0, 0, 100.0), (0, 0, 3, -100.0)],
)
def test_it_matches_the_specification_vectors(
    promoters: int, passives: int, detractors: int, expected: float
) -> None:
    h = Histogram.from_categories(promoters, passives, detractors)
    n = promoters + passives + detractors
    assert nps(h) == pytest.approx(expected, abs=0.005)
    assert nps(h) == pytest.approx(100 * (promoters / n - detractors / n))


def test_it_has_no_score_without_responses() -> None:
    assert nps(Histogram.empty()) is None


def test_it_reads_only_the_categories() -> None:
    spread = Histogram.from_scores([9, 10, 7, 8, 0, 1, 2, 3])
    lumped = Histogram.from_categories(promoters=2, passives=2, detractors=4)
    assert nps(spread) == nps(lumped) == -25.0


def test_it_keeps_exact_ties_exact_so_they_round_away_from_zero() -> None:
    # 29 promoters out of 200: 100 * (29/200) in floats is 14.499999999999998.
    h = Histogram.from_categories(promoters=29, passives=171, detractors=0)
    assert nps(h) == 14.5
    assert round_half_away(nps(h) or 0.0) == 15
    mirrored = Histogram.from_categories(promoters=0, passives=171, detractors=29)
    assert nps(mirrored) == -14.5
