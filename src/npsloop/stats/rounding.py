"""Rounding for display: half away from zero, on the exact value of the float.

Python's round() rounds half to even (round(14.5) == 14), which would show an NPS of 14.5 as
14 but -14.5 as -14 — asymmetric between a score and its mirror. Going through Decimal uses
the float's exact binary value, so no `x + 0.5` step can push 0.49999999999999994 up to 1.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal


def round_half_away(x: float) -> int:
    """The nearest integer to x, with ties going away from zero (2.5 -> 3, -2.5 -> -3)."""
    if not math.isfinite(x):
        raise ValueError(f"only a finite number can be rounded to an integer, got {x!r}")
    # Decimal's ROUND_HALF_UP is "half away from zero", unlike the everyday "towards +inf".
    return int(Decimal(x).to_integral_value(rounding=ROUND_HALF_UP))
