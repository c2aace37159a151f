"""A score that is not an integer from 0 to 10 stops the run at its line, or is skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from .exports import Score, csv_text, write_text

HINT = "(use --skip-invalid to skip such rows)"


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ("11", "'11'"),
        ("-1", "'-1'"),
        ("7.5", "'7.5'"),
        ("7.0", "'7.0'"),
        ("abc", "'abc'"),
        ("", "''"),
        ("+7", "'+7'"),
    ],
)
def test_it_stops_at_the_line_of_the_first_invalid_score(
    score: Score, tmp_path: Path, cell: str, shown: str
) -> None:
    path = write_text(tmp_path / "r.csv", csv_text("id,score", ["1,9", "2,10", f"3,{cell}", "4,x"]))

    outcome = score(path)

    assert outcome.status == 2
    assert outcome.out == ""
    assert outcome.err == (
        f"npsloop score: error: r.csv, line 4: "
        f"score must be an integer from 0 to 10, got {shown} {HINT}\n"
    )


def test_the_line_number_counts_physical_lines_of_multi_line_comments(
    score: Score, tmp_path: Path
) -> None:
    rows = [
        '1,9,"first line',
        "second line, with a comma",
        'third ""quoted"" line"',
        "2,10,ok",
        "",
        '3,8,"a\r\nb"',
        "4,7.5,bad",
    ]
    path = write_text(tmp_path / "r.csv", csv_text("id,score,comment", rows))

    outcome = score(path)

    assert outcome.status == 2
    assert "r.csv, line 9: score must be an integer from 0 to 10, got '7.5'" in outcome.err


def test_a_gzipped_csv_reports_the_line_too(score: Score, tmp_path: Path) -> None:
    path = write_text(tmp_path / "r.csv.gz", csv_text("score", ["9", '"a\nb"']))

    outcome = score(path)

    assert outcome.status == 2
    assert "line 3: score must be an integer from 0 to 10, got 'a\\nb'" in outcome.err


def test_skip_invalid_skips_and_counts_rejected_rows_per_group(
    score: Score, tmp_path: Path
) -> None:
    rows = ["10,pro", "7.5,pro", ",pro", "9,free", "11,free", "abc,eu", "0,eu"]
    path = write_text(tmp_path / "r.csv", csv_text("score,plan", rows))

    outcome = score(path, "--by", "plan", "--skip-invalid", "--format", "json")

    assert outcome.status == 0
    assert [(r["group"], r["n"], r["invalid"]) for r in outcome.json] == [
        ({"plan": "eu"}, 1, 1),
        ({"plan": "free"}, 1, 1),
        ({"plan": "pro"}, 1, 2),
    ]
    assert outcome.json[0]["nps"] == -100
    assert list(outcome.json[0])[-1] == "invalid"
    assert "skipped 4 rows whose score is not an integer from 0 to 10" in outcome.err


def test_a_group_of_only_invalid_rows_has_no_score(score: Score, tmp_path: Path) -> None:
    path = write_text(tmp_path / "r.csv", csv_text("score,plan", ["n/a,pro", "9,free"]))

    outcome = score(path, "--by", "plan", "--skip-invalid", "--format", "json")

    pro = outcome.json[1]
    assert (pro["group"], pro["n"], pro["invalid"], pro["nps"]) == ({"plan": "pro"}, 0, 1, None)


def test_without_invalid_rows_skip_invalid_reports_zero(score: Score, tmp_path: Path) -> None:
    path = write_text(tmp_path / "r.csv", csv_text("score", ["9", "3"]))

    outcome = score(path, "--skip-invalid", "--format", "json")

    assert outcome.json[0]["invalid"] == 0
    assert outcome.err == ""
