"""npsloop.stats is importable on its own: no Django, no other part of npsloop."""

from __future__ import annotations

import subprocess
import sys

import npsloop.stats


def test_it_exports_the_agreed_names() -> None:
    assert sorted(npsloop.stats.__all__) == sorted(
        [
            "ScoreError",
            "parse_score",
            "category_of",
            "Category",
            "CATEGORIES",
            "Histogram",
            "round_half_away",
            "nps",
            "confidence_interval",
            "Comparison",
            "compare",
            "compare_to_benchmark",
            "sample_size",
            "Summary",
            "summarize",
        ]
    )
    for name in npsloop.stats.__all__:
        assert hasattr(npsloop.stats, name)


def test_it_imports_without_django_or_the_rest_of_npsloop() -> None:
    script = (
        "import sys, npsloop.stats\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in {'django', 'numpy'}"
        " or (m.startswith('npsloop.') and not m.startswith('npsloop.stats'))]\n"
        "print(loaded)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
