"""Scoring CSV exports, plain and gzipped, overall and per group."""

from __future__ import annotations

import math
from pathlib import Path
from statistics import NormalDist

import pytest

from .exports import SUMMARY_KEYS, VECTOR_SCORES, Score, csv_text, write_text


def vector_csv(path: Path) -> Path:
    rows = [f"{i},{s},{'pro' if i % 2 else 'free'}" for i, s in enumerate(VECTOR_SCORES)]
    return write_text(path, csv_text("id,score,plan", rows))


@pytest.mark.parametrize("name", ["responses.csv", "responses.csv.gz", "responses.gz"])
def test_it_scores_the_statistics_test_vector(score: Score, tmp_path: Path, name: str) -> None:
    outcome = score(vector_csv(tmp_path / name), "--format", "json")

    assert outcome.status == 0, outcome.err
    [row] = outcome.json
    assert list(row) == ["group", *SUMMARY_KEYS]
    assert row["group"] == {}
    assert (row["n"], row["promoters"], row["passives"], row["detractors"]) == (100, 60, 30, 10)
    assert (row["promoter_percent"], row["passive_percent"], row["detractor_percent"]) == (
        60.0,
        30.0,
        10.0,
    )
    assert row["nps"] == 50
    assert row["nps_exact"] == pytest.approx(50.0)
    assert round(row["ci_low"], 2) == 35.47  # type: ignore[call-overload]
    assert round(row["ci_high"], 2) == 61.62  # type: ignore[call-overload]
    assert row["confidence"] == 0.95


def test_it_matches_the_adjusted_wald_formula(score: Score, tmp_path: Path) -> None:
    outcome = score(vector_csv(tmp_path / "r.csv"), "--format", "json", "--confidence", "0.9")

    n = 100 + 3
    promoters, detractors = (60 + 0.75) / n, (10 + 0.75) / n
    variance = promoters + detractors - (promoters - detractors) ** 2
    z = NormalDist().inv_cdf(0.95)
    half_width = z * math.sqrt(variance / n)
    [row] = outcome.json
    assert row["confidence"] == 0.9
    assert row["ci_low"] == pytest.approx(100 * (promoters - detractors - half_width))
    assert row["ci_high"] == pytest.approx(100 * (promoters - detractors + half_width))


def test_it_groups_by_one_column_sorted_by_value(score: Score, tmp_path: Path) -> None:
    rows = ["1,10,pro", "2,0,free", "3,9,pro", "4,7,free", "5,8,enterprise"]
    path = write_text(tmp_path / "r.csv", csv_text("id,score,plan", rows))

    outcome = score(path, "--by", "plan", "--format", "json")

    assert outcome.status == 0, outcome.err
    assert [row["group"] for row in outcome.json] == [
        {"plan": "enterprise"},
        {"plan": "free"},
        {"plan": "pro"},
    ]
    assert [row["n"] for row in outcome.json] == [1, 2, 2]
    assert [row["nps"] for row in outcome.json] == [0, -50, 100]


def test_it_groups_by_a_combination_of_columns(score: Score, tmp_path: Path) -> None:
    rows = ["10,pro,eu", "0,pro,us", "9,pro,eu", "7,free,eu", "8,free,eu"]
    path = write_text(tmp_path / "r.csv.gz", csv_text("score,plan,region", rows))

    outcome = score(path, "--by", "plan", "--by", "region", "--format", "json")

    assert [(row["group"], row["n"]) for row in outcome.json] == [
        ({"plan": "free", "region": "eu"}, 2),
        ({"plan": "pro", "region": "eu"}, 2),
        ({"plan": "pro", "region": "us"}, 1),
    ]


def test_it_keeps_group_values_as_written_and_empty_cells_as_their_own_group(
    score: Score, tmp_path: Path
) -> None:
    rows = ["10,Pro", "9,pro", "0,", '8,""', "7, pro"]
    path = write_text(tmp_path / "r.csv", csv_text("score,plan", rows))

    outcome = score(path, "--by", "plan", "--format", "json")

    assert [(row["group"], row["n"]) for row in outcome.json] == [
        ({"plan": ""}, 2),
        ({"plan": " pro"}, 1),
        ({"plan": "Pro"}, 1),
        ({"plan": "pro"}, 1),
    ]


def test_it_accepts_scores_with_leading_zeros_and_spaces(score: Score, tmp_path: Path) -> None:
    path = write_text(tmp_path / "r.csv", csv_text("score", ["07", " 9 ", "010", "0"]))

    [row] = score(path, "--format", "json").json

    assert (row["promoters"], row["passives"], row["detractors"]) == (2, 1, 1)


def test_it_reads_quoted_fields_windows_line_ends_and_a_byte_order_mark(
    score: Score, tmp_path: Path
) -> None:
    text = '\ufeffscore,comment\r\n10,"fast, ""really"" fast"\r\n\r\n6,"two\r\nlines"\r\n'
    path = write_text(tmp_path / "r.csv", text)

    [row] = score(path, "--format", "json").json

    assert (row["n"], row["promoters"], row["detractors"]) == (2, 1, 1)


def test_it_uses_another_score_column_when_asked(score: Score, tmp_path: Path) -> None:
    path = write_text(tmp_path / "r.csv", csv_text("rating,score", ["10,not a score", "9,x"]))

    [row] = score(path, "--column", "rating", "--format", "json").json

    assert (row["n"], row["nps"]) == (2, 100)


def test_a_file_with_only_a_header_has_no_score(score: Score, tmp_path: Path) -> None:
    path = write_text(tmp_path / "r.csv", "id,score\n")

    outcome = score(path, "--format", "json")

    assert outcome.status == 0
    [row] = outcome.json
    assert row["group"] == {}
    assert row["n"] == 0
    assert all(row[key] is None for key in ["nps", "nps_exact", "ci_low", "ci_high"])


def test_a_file_without_rows_has_no_score_and_no_groups(score: Score, tmp_path: Path) -> None:
    path = write_text(tmp_path / "r.csv", "score,plan\n")

    overall = score(path, "--format", "json")
    grouped = score(path, "--by", "plan", "--format", "json")

    assert (overall.status, overall.json[0]["n"], overall.json[0]["nps"]) == (0, 0, None)
    assert (grouped.status, grouped.json) == (0, [])


def test_an_empty_file_is_refused_as_import_refuses_it(score: Score, tmp_path: Path) -> None:
    outcome = score(write_text(tmp_path / "r.csv", ""))

    assert (outcome.status, outcome.err) == (
        2,
        "npsloop score: error: r.csv: is empty; expected a header line naming the columns\n",
    )
