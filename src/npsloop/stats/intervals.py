"""Confidence intervals for one sample's NPS, adjusted Wald unless asked otherwise.

The plain Wald interval is offered for people reproducing a textbook number, never as the
default: with all answers in one category its width is zero, which reads as certainty.
"""

from __future__ import annotations

from typing import Final

from npsloop.stats.estimate import NetShare, adjusted_net_share, plain_net_share
from npsloop.stats.histogram import Histogram
from npsloop.stats.levels import z_for

METHODS: Final = ("adjusted-wald", "wald")
NPS_LIMIT: Final = 100.0


def clip(value: float, limit: float) -> float:
    """Keep a bound inside [-limit, limit]; an NPS cannot leave [-100, 100]."""
    return max(-limit, min(limit, value))


def interval_of(share: NetShare, z: float) -> tuple[float, float]:
    """100·(net ± z·√(V/n)), clipped to the NPS range."""
    half_width = z * share.standard_error
    return (
        clip(100 * (share.net - half_width), NPS_LIMIT),
        clip(100 * (share.net + half_width), NPS_LIMIT),
    )


def confidence_interval(
    h: Histogram, confidence: float = 0.95, method: str = "adjusted-wald"
) -> tuple[float, float] | None:
    """(low, high) in NPS points, or None when the sample is empty.

    The arguments are checked before the sample is, so a bad request fails the same way
    whether or not any responses have arrived yet.
    """
    z = z_for(confidence)
    if method not in METHODS:
        accepted = ", ".join(repr(m) for m in METHODS)
        raise ValueError(f"method must be one of {accepted}, got {method!r}")
    share = adjusted_net_share(h) if method == "adjusted-wald" else plain_net_share(h)
    if share is None:
        return None
    return interval_of(share, z)
