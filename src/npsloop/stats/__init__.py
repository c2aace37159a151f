"""NPS arithmetic, defined once (docs: STATISTICS.md); pure Python, no Django.

Every score npsloop shows, sends or returns is computed by these functions, so the API, the
reports, the e-mails and the file calculator cannot disagree about a denominator.
"""

from __future__ import annotations

from npsloop.stats.compare import Comparison, compare, compare_to_benchmark
from npsloop.stats.estimate import nps
from npsloop.stats.histogram import Histogram
from npsloop.stats.intervals import confidence_interval
from npsloop.stats.rounding import round_half_away
from npsloop.stats.sample_size import sample_size
from npsloop.stats.scores import CATEGORIES, Category, ScoreError, category_of, parse_score
from npsloop.stats.summary import Summary, summarize

__all__ = [
    "CATEGORIES",
    "Category",
    "Comparison",
    "Histogram",
    "ScoreError",
    "Summary",
    "category_of",
    "compare",
    "compare_to_benchmark",
    "confidence_interval",
    "nps",
    "parse_score",
    "round_half_away",
    "sample_size",
    "summarize",
]
