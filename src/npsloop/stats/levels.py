"""Confidence levels, significance thresholds and the normal distribution behind them.

Validating here gives every public function the same message for the same mistake; the
usual one is passing a percentage (95) where a fraction (0.95) is meant.
"""

from __future__ import annotations

import functools
import math
from statistics import NormalDist

_STANDARD_NORMAL = NormalDist()


def _fraction(value: object, name: str, example: str) -> float:
    """A number strictly between 0 and 1, or a ValueError naming the accepted range."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 < value < 1
    ):
        raise ValueError(
            f"{name} must be a number between 0 and 1 (exclusive), such as {example}, got {value!r}"
        )
    return float(value)


def check_confidence(confidence: object) -> float:
    return _fraction(confidence, "confidence", "0.95")


def check_alpha(alpha: object) -> float:
    return _fraction(alpha, "alpha", "0.05")


def z_for(confidence: object) -> float:
    """The two-sided normal quantile for a confidence level (1.959964 for 0.95)."""
    return _quantile(check_confidence(confidence))


@functools.lru_cache(maxsize=64)
def _quantile(level: float) -> float:
    # Remembered: an answer summarises thousands of groups at one or two levels.
    return _STANDARD_NORMAL.inv_cdf(0.5 + level / 2)


def two_sided_p(z: float) -> float:
    """p = 2·(1 - Φ(|z|)), computed as 2·Φ(-|z|) so tiny p-values do not round to 0."""
    return 2 * _STANDARD_NORMAL.cdf(-abs(z))
