"""Displayed scores round half away from zero, on the float's exact value."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from npsloop.stats import round_half_away


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.5, 1),
        (-0.5, -1),
        (1.5, 2),
        (2.5, 3),
        (-2.5, -3),
        (14.5, 15),
        (-14.5, -15),
        (14.499999999999998, 14),
        (0.49999999999999994, 0),
        (-0.49999999999999994, 0),
        (0.0, 0),
        (-0.0, 0),
        (99.5, 100),
        (-99.5, -100),
        (35.46659193866748, 35),
        (61.62078670210921, 62),
        (100.0, 100),
        (3, 3),
    ],
)
def test_it_rounds_half_away_from_zero(value: float, expected: int) -> None:
    result = round_half_away(value)
    assert result == expected
    assert type(result) is int


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan])
def test_it_refuses_values_without_a_nearest_integer(value: float) -> None:
    with pytest.raises(ValueError, match="only a finite number can be rounded"):
        round_half_away(value)


@settings(database=None)
@given(st.floats(min_value=-1e6, max_value=1e6))
def test_it_rounds_symmetrically_and_to_the_nearest(value: float) -> None:
    result = round_half_away(value)
    assert round_half_away(-value) == -result
    assert abs(result - value) <= 0.5


@settings(database=None)
@given(st.integers(min_value=-200, max_value=199))
def test_it_sends_every_half_away_from_zero(k: int) -> None:
    half = k + 0.5
    assert round_half_away(half) == (k + 1 if half > 0 else k)
