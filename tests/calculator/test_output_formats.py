"""The three outputs: JSON and CSV with the API's field names, an aligned table for people."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .exports import SUMMARY_KEYS, VECTOR_SCORES, Score, csv_text, write_text


def plans_csv(tmp_path: Path) -> Path:
    rows = [f"{s},pro" for s in VECTOR_SCORES] + ["0,free", "9,", "x,free"]
    return write_text(tmp_path / "r.csv", csv_text("score,plan", rows))


def test_json_objects_have_exactly_the_group_and_summary_keys(score: Score, tmp_path: Path) -> None:
    path = plans_csv(tmp_path)

    plain = score(path, "--by", "plan", "--format", "json", "--skip-invalid")
    without_by = score(write_text(tmp_path / "s.csv", "score\n9\n"), "--format", "json")

    assert [list(row) for row in plain.json] == [["group", *SUMMARY_KEYS, "invalid"]] * 3
    assert [list(row) for row in without_by.json] == [["group", *SUMMARY_KEYS]]


def test_csv_has_a_column_per_by_name_then_the_summary_fields(score: Score, tmp_path: Path) -> None:
    path = plans_csv(tmp_path)
    outcome = score(path, "--by", "plan", "--format", "csv", "--skip-invalid")
    as_json = score(path, "--by", "plan", "--format", "json", "--skip-invalid").json

    rows = list(csv.DictReader(io.StringIO(outcome.out)))
    assert outcome.status == 0
    assert list(rows[0]) == ["plan", *SUMMARY_KEYS, "invalid"]
    assert [(r["plan"], r["n"], r["nps"], r["invalid"]) for r in rows] == [
        ("", "1", "100", "0"),
        ("free", "1", "-100", "1"),
        ("pro", "100", "50", "0"),
    ]
    # Full precision, so a script gets the same numbers from csv as from json.
    assert float(rows[2]["ci_low"]) == as_json[2]["ci_low"]
    assert float(rows[2]["nps_exact"]) == as_json[2]["nps_exact"]


def test_csv_leaves_cells_empty_where_there_is_no_score(score: Score, tmp_path: Path) -> None:
    outcome = score(write_text(tmp_path / "r.csv", "score\n"), "--format", "csv")

    assert outcome.out.splitlines() == [
        ",".join(SUMMARY_KEYS),
        "0,0,0,0,,,,,,,,0.95",
    ]


def test_the_table_shows_nps_interval_n_and_shares(score: Score, tmp_path: Path) -> None:
    # 90% adjusted Wald, by hand: pro has n' = 103, P' = 60.75/103, D' = 10.75/103, so
    # 100 * (0.4854 -+ 1.6449 * 0.06672) = 37.6 to 59.5.
    outcome = score(plans_csv(tmp_path), "--by", "plan", "--confidence", "0.9", "--skip-invalid")

    assert outcome.status == 0
    assert outcome.out.splitlines() == [
        "plan      NPS         90% CI    n  promoters  passives  detractors  skipped",
        "(empty)  +100  -36.7 to 86.7    1     100.0%      0.0%        0.0%        0",
        "free     -100  -86.7 to 36.7    1       0.0%      0.0%      100.0%        1",
        "pro       +50   37.6 to 59.5  100      60.0%     30.0%       10.0%        0",
    ]


def test_the_table_of_an_empty_file_says_there_is_no_score(score: Score, tmp_path: Path) -> None:
    outcome = score(write_text(tmp_path / "r.csv", "score\n"))

    assert outcome.out.splitlines() == [
        "NPS  95% CI  n  promoters  passives  detractors",
        "  -       -  0          -         -           -",
    ]


def test_the_table_of_no_groups_says_so(score: Score, tmp_path: Path) -> None:
    outcome = score(write_text(tmp_path / "r.csv", "score,plan\n"), "--by", "plan")

    assert outcome.out == "no responses\n"
