"""Scoring Parquet files: integer or text scores, rejected rows reported by row number."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from .exports import VECTOR_SCORES, Score


def parquet(path: Path, columns: dict[str, pa.Array], row_group_size: int = 1000) -> Path:
    pq.write_table(pa.table(columns), path, row_group_size=row_group_size)
    return path


@pytest.mark.parametrize("score_type", [pa.int8(), pa.int64(), pa.uint16(), pa.string()])
def test_it_scores_the_statistics_test_vector(
    score: Score, tmp_path: Path, score_type: pa.DataType
) -> None:
    values = [str(s) for s in VECTOR_SCORES] if score_type == pa.string() else VECTOR_SCORES
    path = parquet(tmp_path / "r.parquet", {"score": pa.array(values, score_type)}, 7)

    outcome = score(path, "--format", "json")

    assert outcome.status == 0, outcome.err
    [row] = outcome.json
    assert (row["n"], row["nps"]) == (100, 50)
    assert (round(row["ci_low"], 2), round(row["ci_high"], 2)) == (35.47, 61.62)  # type: ignore[call-overload]


def test_it_groups_by_text_numbers_and_nulls(score: Score, tmp_path: Path) -> None:
    columns: dict[str, pa.Array] = {
        "score": pa.array([10, 9, 0, 8, 7], pa.int32()),
        "plan": pa.array(["pro", "pro", None, "", "free"]),
        "seats": pa.array([5, 5, 10, None, 5]),
    }
    path = parquet(tmp_path / "r.parquet", columns, row_group_size=2)

    outcome = score(path, "--by", "plan", "--by", "seats", "--format", "json")

    assert [(row["group"], row["n"]) for row in outcome.json] == [
        ({"plan": "", "seats": ""}, 1),
        ({"plan": "", "seats": "10"}, 1),
        ({"plan": "free", "seats": "5"}, 1),
        ({"plan": "pro", "seats": "5"}, 2),
    ]


@pytest.mark.parametrize(
    ("values", "shown"),
    [
        (pa.array([9, 10, 11], pa.int64()), "11"),
        (pa.array([9, 10, -1], pa.int8()), "-1"),
        (pa.array([9, 10, None], pa.int8()), "None"),
        (pa.array(["9", "10", "7.5"]), "'7.5'"),
        (pa.array([9.0, 10.0, 7.0]), "9.0"),
        (pa.array([True, False, True]), "True"),
    ],
)
def test_it_stops_at_the_row_of_an_invalid_score(
    score: Score, tmp_path: Path, values: pa.Array, shown: str
) -> None:
    path = parquet(tmp_path / "r.parquet", {"score": values}, row_group_size=2)

    outcome = score(path)

    assert outcome.status == 2
    row = 1 if shown in ("9.0", "True") else 3
    assert outcome.err == (
        f"npsloop score: error: r.parquet, row {row}: score must be an integer from 0 to 10, "
        f"got {shown} (use --skip-invalid to skip such rows)\n"
    )


def test_skip_invalid_counts_rejected_rows(score: Score, tmp_path: Path) -> None:
    path = parquet(tmp_path / "r.parquet", {"score": pa.array([9, None, 11, 0, 10])})

    [row] = score(path, "--skip-invalid", "--format", "json").json

    assert (row["n"], row["invalid"], row["promoters"], row["detractors"]) == (3, 2, 2, 1)


def test_a_missing_column_lists_the_columns(score: Score, tmp_path: Path) -> None:
    path = parquet(tmp_path / "r.parquet", {"rating": pa.array([9]), "plan": pa.array(["a"])})

    outcome = score(path)

    assert outcome.status == 2
    assert outcome.err == (
        "npsloop score: error: no column 'score' in r.parquet; it has: rating, plan\n"
    )


def test_a_file_that_is_not_parquet_is_refused(score: Score, tmp_path: Path) -> None:
    path = tmp_path / "r.parquet"
    path.write_text("score\n9\n")

    outcome = score(path)

    assert outcome.status == 2
    assert outcome.err.startswith("npsloop score: error: r.parquet is not a readable Parquet file")
    assert outcome.err.count("\n") == 1


def test_an_empty_table_has_no_score(score: Score, tmp_path: Path) -> None:
    path = parquet(tmp_path / "r.parquet", {"score": pa.array([], pa.int8())})

    [row] = score(path, "--format", "json").json

    assert (row["n"], row["nps"]) == (0, None)


def test_a_dictionary_encoded_score_column_is_read(score: Score, tmp_path: Path) -> None:
    values = pa.array([str(s) for s in VECTOR_SCORES]).dictionary_encode()
    path = parquet(tmp_path / "r.parquet", {"score": values})

    [row] = score(path, "--format", "json").json

    assert (row["n"], row["nps"]) == (100, 50)


def test_a_score_column_of_records_is_refused(score: Score, tmp_path: Path) -> None:
    path = parquet(tmp_path / "r.parquet", {"score": pa.array([{"value": 9}])})

    outcome = score(path)

    assert outcome.status == 2
    assert outcome.err == (
        "npsloop score: error: column 'score' holds struct<value: int64> values; "
        "expected numbers or text\n"
    )
