"""Export files for `npsloop score` to read, and what a run of it returned."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# The STATISTICS.md test vector: 60 promoters, 30 passives, 10 detractors -> NPS 50,
# 95% interval [35.47, 61.62]. Spread over every score so each bin is exercised.
VECTOR_SCORES = [10] * 35 + [9] * 25 + [8] * 18 + [7] * 12 + [6, 5, 4, 3, 2, 1, 0, 0, 6, 5]

SUMMARY_KEYS = [
    "n",
    "promoters",
    "passives",
    "detractors",
    "promoter_percent",
    "passive_percent",
    "detractor_percent",
    "nps",
    "nps_exact",
    "ci_low",
    "ci_high",
    "confidence",
]


@dataclass(frozen=True)
class Outcome:
    status: int
    out: str
    err: str

    @property
    def json(self) -> list[dict[str, object]]:
        rows = json.loads(self.out)
        assert isinstance(rows, list)
        return rows


Score = Callable[..., Outcome]


def write_text(path: Path, text: str) -> Path:
    """Write `text` as UTF-8, gzipped when the name ends in .gz."""
    if path.name.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


def csv_text(header: str, rows: list[str]) -> str:
    return "\n".join([header, *rows]) + "\n"
