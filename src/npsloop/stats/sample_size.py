"""How many responses a survey needs for a chosen margin of error.

The adjusted interval's half-width is z·√(V/n') with n' = n + 3, so the margin e (in NPS
points, E = e/100) is met once n + 3 ≥ z²·V/E²; hence n = ⌈z²·V/E² - 3⌉.
"""

from __future__ import annotations

import math

from npsloop.stats.levels import z_for

# Shares are fractions; allow the rounding in e.g. 0.7 + 0.30000000000000004.
_SHARE_TOLERANCE = 1e-9


def _check_margin(margin: object) -> float:
    if (
        isinstance(margin, bool)
        or not isinstance(margin, int | float)
        or not math.isfinite(margin)
        or margin <= 0
    ):
        raise ValueError(
            f"margin must be a positive number of NPS points, such as 5 for ±5, got {margin!r}"
        )
    return float(margin)


def _share(value: object, name: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 <= value <= 1
    ):
        raise ValueError(
            f"{name} must be a fraction from 0 to 1, such as 0.5 for 50%, got {value!r}"
        )
    return float(value)


def _variance(promoter_share: float | None, detractor_share: float | None) -> float:
    """V = P + D - (P - D)² from expected shares, or 1 (its maximum) when they are unknown."""
    if promoter_share is None and detractor_share is None:
        return 1.0
    if promoter_share is None or detractor_share is None:
        raise ValueError(
            "give both promoter_share and detractor_share, or neither for the worst case"
        )
    promoters = _share(promoter_share, "promoter_share")
    detractors = _share(detractor_share, "detractor_share")
    if promoters + detractors > 1 + _SHARE_TOLERANCE:
        raise ValueError(
            "promoter_share and detractor_share cannot add up to more than 1, "
            f"got {promoters!r} + {detractors!r}"
        )
    net = promoters - detractors
    return max(0.0, promoters + detractors - net * net)


def _check_population(population: object) -> int:
    if isinstance(population, bool) or not isinstance(population, int) or population < 1:
        raise ValueError(
            f"population must be a whole number of customers, at least 1, got {population!r}"
        )
    return population


def _with_population(a: float, population: int) -> int:
    """The smallest n whose corrected margin is met, for a customer base of N.

    With the finite-population correction the condition z·√(V/(n+3))·√((N-n)/(N-1)) ≤ E
    becomes, writing a = z²·V/E² and multiplying out (both sides are non-negative):

        a·(N - n) ≤ (n + 3)·(N - 1)   ⇔   n·(N - 1 + a) ≥ a·N - 3·(N - 1)

    so n = ⌈(a·N - 3·(N - 1)) / (N - 1 + a)⌉. As N grows this tends to a - 3, the
    uncorrected answer. It never exceeds N, since a·N - 3N + 3 ≤ N·(N - 1 + a) reduces to
    (N + 3)(N - 1) ≥ 0; and it is raised to 0 when the pseudo-observations alone suffice.
    The multiplied-out form also covers N = 1, where the correction itself divides by zero:
    asking the one customer (n = 1) always meets the margin.
    """
    denominator = population - 1 + a
    if denominator == 0:  # N = 1 and V = 0: nothing to estimate, nobody to ask.
        return 0
    needed = math.ceil((a * population - 3 * (population - 1)) / denominator)
    return max(0, min(population, needed))


def sample_size(
    margin: float,
    confidence: float = 0.95,
    promoter_share: float | None = None,
    detractor_share: float | None = None,
    population: int | None = None,
) -> int:
    """Responses needed so the adjusted interval is at most ±`margin` NPS points wide.

    Without expected shares the worst case V = 1 is assumed (half promoters, half
    detractors), which is what to plan with before the first wave. `population` applies the
    finite-population correction for a small customer base.
    """
    error = _check_margin(margin) / 100
    z = z_for(confidence)
    variance = _variance(promoter_share, detractor_share)
    a = z * z * variance / (error * error)
    if population is not None:
        return _with_population(a, _check_population(population))
    return max(0, math.ceil(a - 3))
