"""Multi-line values that straddle Arrow's read blocks still count exactly.

The CSV reader first splits blocks at any newline, which is fast but wrong inside a quoted
value; these tests shrink the blocks so that many boundaries fall inside comments. They read
with Arrow alone, as files the compiled scanner declines are read (test_csv_scanner.py has
the scanner's own segment boundaries).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from npsloop.calculator import csv_file, csv_scan

from .exports import Score, write_text


@pytest.fixture(autouse=True)
def arrow_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_scan, "_csvscan", None)


COMMENTS = ['"two\nlines"', '"a, b\n\nc ""d"""', "plain", '""', '"x\r\ny,\nz"']


def responses(count: int, seed: int) -> tuple[str, list[int]]:
    chooser = random.Random(seed)
    scores = [chooser.randint(0, 10) for _ in range(count)]
    lines = [f"{i},{s},{chooser.choice(COMMENTS)}" for i, s in enumerate(scores)]
    return "id,score,comment\n" + "\n".join(lines) + "\n", scores


@pytest.mark.parametrize("block_bytes", [64, 97, 256, 1000])
def test_multi_line_comments_across_blocks_count_exactly(
    score: Score, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block_bytes: int
) -> None:
    monkeypatch.setattr(csv_file, "_BLOCK_BYTES", block_bytes)
    text, scores = responses(2000, seed=block_bytes)
    path = write_text(tmp_path / "r.csv", text)

    [row] = score(path, "--format", "json").json

    assert row["n"] == len(scores)
    assert row["promoters"] == sum(s >= 9 for s in scores)
    assert row["detractors"] == sum(s <= 6 for s in scores)


def test_an_invalid_score_after_straddling_comments_has_its_exact_line(
    score: Score, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csv_file, "_BLOCK_BYTES", 128)
    text, _scores = responses(500, seed=1)
    path = write_text(tmp_path / "r.csv", text + "500,ten,late\n")
    expected_line = text.count("\n") + 1

    outcome = score(path)

    assert outcome.status == 2
    assert f"r.csv, line {expected_line}: score must be" in outcome.err
