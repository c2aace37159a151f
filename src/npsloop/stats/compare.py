"""Is a change in NPS real? Two independent samples, or one sample against a benchmark.

Both tests use the adjusted shares, like the default interval, so a period where every answer
agreed still has a spread and a comparison never divides by zero in practice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from npsloop.stats.estimate import adjusted_net_share, nps
from npsloop.stats.histogram import Histogram
from npsloop.stats.intervals import NPS_LIMIT, clip, confidence_interval
from npsloop.stats.levels import check_alpha, check_confidence, two_sided_p, z_for

# Two scores in [-100, 100] differ by at most 200 points.
DIFFERENCE_LIMIT = 2 * NPS_LIMIT


@dataclass(frozen=True, slots=True)
class Comparison:
    """The outcome of a comparison; everything but the levels is None for an empty sample.

    `difference` is the unrounded point estimate in NPS points (first minus second, or sample
    minus benchmark); `ci_low`/`ci_high` bound that difference at `confidence`; `significant`
    is p < alpha, and when it is False the UI says "no clear change".
    """

    difference: float | None
    z: float | None
    p_value: float | None
    ci_low: float | None
    ci_high: float | None
    significant: bool
    confidence: float
    alpha: float


def _without_data(confidence: float, alpha: float) -> Comparison:
    return Comparison(None, None, None, None, None, False, confidence, alpha)


def _z_and_p(net_difference: float, standard_error: float) -> tuple[float, float]:
    """z and two-sided p; a zero spread means nothing can be told apart, so z = 0, p = 1."""
    if standard_error == 0:
        return 0.0, 1.0
    z = net_difference / standard_error
    return z, two_sided_p(z)


def compare(
    h1: Histogram, h2: Histogram, confidence: float = 0.95, alpha: float = 0.05
) -> Comparison:
    """Compare two independent samples (two periods, two segments): is NPS₁ - NPS₂ real?"""
    level, alpha = check_confidence(confidence), check_alpha(alpha)
    z_level = z_for(level)
    first, second = adjusted_net_share(h1), adjusted_net_share(h2)
    nps1, nps2 = nps(h1), nps(h2)
    if first is None or second is None or nps1 is None or nps2 is None:
        return _without_data(level, alpha)
    net_difference = first.net - second.net
    standard_error = math.sqrt(first.variance / first.n + second.variance / second.n)
    z, p_value = _z_and_p(net_difference, standard_error)
    half_width = z_level * standard_error
    return Comparison(
        difference=nps1 - nps2,
        z=z,
        p_value=p_value,
        ci_low=clip(100 * (net_difference - half_width), DIFFERENCE_LIMIT),
        ci_high=clip(100 * (net_difference + half_width), DIFFERENCE_LIMIT),
        significant=p_value < alpha,
        confidence=level,
        alpha=alpha,
    )


def _check_benchmark(benchmark: object) -> float:
    if (
        isinstance(benchmark, bool)
        or not isinstance(benchmark, int | float)
        or not math.isfinite(benchmark)
        or not -NPS_LIMIT <= benchmark <= NPS_LIMIT
    ):
        raise ValueError(f"benchmark must be an NPS from -100 to 100, got {benchmark!r}")
    return float(benchmark)


def compare_to_benchmark(
    h: Histogram, benchmark: float, confidence: float = 0.95, alpha: float = 0.05
) -> Comparison:
    """Compare a sample with a fixed NPS (an industry figure, a target) that has no spread.

    The interval of the difference is the sample's adjusted interval shifted by the benchmark,
    so it agrees exactly with the interval shown next to the score.
    """
    target = _check_benchmark(benchmark)
    level, alpha = check_confidence(confidence), check_alpha(alpha)
    share = adjusted_net_share(h)
    point = nps(h)
    interval = confidence_interval(h, level)
    if share is None or point is None or interval is None:
        return _without_data(level, alpha)
    z, p_value = _z_and_p(share.net - target / 100, share.standard_error)
    return Comparison(
        difference=point - target,
        z=z,
        p_value=p_value,
        ci_low=interval[0] - target,
        ci_high=interval[1] - target,
        significant=p_value < alpha,
        confidence=level,
        alpha=alpha,
    )
