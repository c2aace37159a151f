"""Everything shown beside a score, computed once: the JSON of the API and the calculator."""

from __future__ import annotations

from dataclasses import dataclass, fields

from npsloop.stats.estimate import nps
from npsloop.stats.histogram import Histogram
from npsloop.stats.intervals import confidence_interval
from npsloop.stats.levels import check_confidence
from npsloop.stats.rounding import round_half_away


@dataclass(frozen=True, slots=True)
class Summary:
    """Counts, shares and the score of one sample; every derived value is None when n == 0.

    `nps` is the displayed integer, `nps_exact` the unrounded value, `ci_low`/`ci_high` the
    adjusted-Wald bounds at `confidence`. The field order is the order of the JSON keys.
    """

    n: int
    promoters: int
    passives: int
    detractors: int
    promoter_percent: float | None
    passive_percent: float | None
    detractor_percent: float | None
    nps: int | None
    nps_exact: float | None
    ci_low: float | None
    ci_high: float | None
    confidence: float

    def as_dict(self) -> dict[str, object]:
        """The fields as a dict in declaration order, ready for JSON."""
        return {name: getattr(self, name) for name in _FIELD_NAMES}


# Read once: dataclasses.fields() costs more than the arithmetic of a summary, and the API
# summarises thousands of groups (accounts) per request.
_FIELD_NAMES = tuple(field.name for field in fields(Summary))


def _percent(count: int, n: int) -> float | None:
    return 100 * count / n if n else None


def summarize(h: Histogram, confidence: float = 0.95) -> Summary:
    """The summary of a sample at a confidence level (0.95 unless asked otherwise)."""
    level = check_confidence(confidence)
    exact = nps(h)
    interval = confidence_interval(h, level)
    return Summary(
        n=h.n,
        promoters=h.promoters,
        passives=h.passives,
        detractors=h.detractors,
        promoter_percent=_percent(h.promoters, h.n),
        passive_percent=_percent(h.passives, h.n),
        detractor_percent=_percent(h.detractors, h.n),
        nps=None if exact is None else round_half_away(exact),
        nps_exact=exact,
        ci_low=None if interval is None else interval[0],
        ci_high=None if interval is None else interval[1],
        confidence=level,
    )
