"""Scoring JSON Lines exports: one object per line, numbers or digit strings as scores."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from .exports import VECTOR_SCORES, Score, write_text


def jsonl(records: Sequence[object]) -> str:
    return "".join(json.dumps(record) + "\n" for record in records)


@pytest.mark.parametrize("name", ["r.jsonl", "r.ndjson", "r.jsonl.gz", "r.ndjson.gz"])
def test_it_scores_the_statistics_test_vector(score: Score, tmp_path: Path, name: str) -> None:
    records = [{"id": i, "score": s} for i, s in enumerate(VECTOR_SCORES)]
    path = write_text(tmp_path / name, jsonl(records))

    outcome = score(path, "--format", "json")

    assert outcome.status == 0, outcome.err
    [row] = outcome.json
    assert (row["n"], row["nps"]) == (100, 50)
    assert (round(row["ci_low"], 2), round(row["ci_high"], 2)) == (35.47, 61.62)  # type: ignore[call-overload]


def test_it_groups_by_values_in_their_json_spelling(score: Score, tmp_path: Path) -> None:
    records = [
        {"score": 10, "plan": "pro"},
        {"score": "9", "plan": "pro"},
        {"score": 0, "plan": None},
        {"score": 8, "plan": ""},
        {"score": 7, "plan": 3},
        {"score": 6, "plan": True},
    ]
    path = write_text(tmp_path / "r.jsonl", jsonl(records) + "\n   \n")

    outcome = score(path, "--by", "plan", "--format", "json")

    assert [(row["group"], row["n"]) for row in outcome.json] == [
        ({"plan": ""}, 2),
        ({"plan": "3"}, 1),
        ({"plan": "pro"}, 2),
        ({"plan": "true"}, 1),
    ]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("7.5", "7.5"),
        ("7.0", "7.0"),
        ("11", "11"),
        ("-1", "-1"),
        ('"abc"', "'abc'"),
        ("null", "None"),
        ("true", "True"),
        ('""', "''"),
    ],
)
def test_it_stops_at_the_line_of_an_invalid_score(
    score: Score, tmp_path: Path, value: str, shown: str
) -> None:
    path = write_text(tmp_path / "r.jsonl", f'{{"score": 9}}\n\n{{"score": {value}}}\n')

    outcome = score(path)

    assert outcome.status == 2
    assert outcome.err == (
        f"npsloop score: error: r.jsonl, line 3: score must be an integer from 0 to 10, "
        f"got {shown} (use --skip-invalid to skip such rows)\n"
    )


def test_skip_invalid_counts_rejected_lines(score: Score, tmp_path: Path) -> None:
    records = [{"score": 9}, {"score": 7.5}, {"score": None}, {"score": 3}]
    path = write_text(tmp_path / "r.jsonl", jsonl(records))

    [row] = score(path, "--skip-invalid", "--format", "json").json

    assert (row["n"], row["invalid"], row["nps"]) == (2, 2, 0)


def test_a_missing_field_lists_the_fields_of_that_line(score: Score, tmp_path: Path) -> None:
    path = write_text(tmp_path / "r.jsonl", jsonl([{"score": 9}, {"rating": 9, "plan": "pro"}]))

    outcome = score(path)

    assert outcome.status == 2
    assert outcome.err == (
        "npsloop score: error: no column 'score' in r.jsonl, line 2; it has: rating, plan\n"
    )


def test_a_line_that_is_not_json_is_located(score: Score, tmp_path: Path) -> None:
    path = write_text(tmp_path / "r.jsonl", '{"score": 9}\n{"score": 9,}\n')

    outcome = score(path)

    assert outcome.status == 2
    assert outcome.err.startswith("npsloop score: error: r.jsonl, line 2: not valid JSON (")


def test_a_line_that_is_not_an_object_is_refused(score: Score, tmp_path: Path) -> None:
    path = write_text(tmp_path / "r.jsonl", "[9, 10]\n")

    outcome = score(path)

    assert outcome.status == 2
    assert "r.jsonl, line 1: expected a JSON object such as" in outcome.err


def test_an_empty_file_is_refused_as_import_refuses_it(score: Score, tmp_path: Path) -> None:
    outcome = score(write_text(tmp_path / "r.jsonl", "\n\n"), "--format", "json")

    assert (outcome.status, outcome.err) == (
        2,
        "npsloop score: error: r.jsonl: is empty; expected one JSON object per line\n",
    )
