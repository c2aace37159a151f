"""The point estimate and the spread it carries, plain and with pseudo-observations.

NPS is the mean of a variable that is +1 for a promoter, 0 for a passive and -1 for a
detractor, so its spread is that of a mean: V/n with V = P + D - (P - D)².
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from npsloop.stats.histogram import Histogram

# Rocks (2016): adding 0.75 detractor, 1.5 passive and 0.75 promoter keeps the interval from
# collapsing to a point when every answer agrees, and covers best among the simple methods.
PSEUDO_PROMOTERS = 0.75
PSEUDO_PASSIVES = 1.5
PSEUDO_DETRACTORS = 0.75


@dataclass(frozen=True, slots=True)
class NetShare:
    """P - D as a fraction in [-1, 1], the per-respondent variance, and the (effective) n."""

    net: float
    variance: float
    n: float

    @property
    def standard_error(self) -> float:
        return math.sqrt(self.variance / self.n)


def nps(h: Histogram) -> float | None:
    """100·(P - D), unrounded; None for an empty sample, because "no answers" is not 0."""
    if h.n == 0:
        return None
    # One int division is correctly rounded, so an exact tie such as 14.5 stays exact for
    # round_half_away; 100 * (p/n - d/n) could land on 14.499999999999998.
    return 100 * (h.promoters - h.detractors) / h.n


def _net_share(promoters: float, detractors: float, n: float) -> NetShare:
    promoter_share = promoters / n
    detractor_share = detractors / n
    net = promoter_share - detractor_share
    # Never negative in exact arithmetic; the max() absorbs rounding when V is about 0.
    variance = max(0.0, promoter_share + detractor_share - net * net)
    return NetShare(net=net, variance=variance, n=n)


def plain_net_share(h: Histogram) -> NetShare | None:
    """The sample's own shares (for the Wald interval); None when n == 0."""
    if h.n == 0:
        return None
    return _net_share(h.promoters, h.detractors, h.n)


def adjusted_net_share(h: Histogram) -> NetShare | None:
    """Shares after adding the pseudo-observations (n' = n + 3); None when n == 0.

    An empty sample still gets None: the pseudo-observations shape an interval around real
    answers, they are not an answer themselves.
    """
    if h.n == 0:
        return None
    pseudo_n = PSEUDO_PROMOTERS + PSEUDO_PASSIVES + PSEUDO_DETRACTORS
    return _net_share(
        h.promoters + PSEUDO_PROMOTERS, h.detractors + PSEUDO_DETRACTORS, h.n + pseudo_n
    )
