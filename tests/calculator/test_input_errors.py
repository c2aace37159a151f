"""Files and options that are not accepted: one line on stderr, exit status 2, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from npsloop.calculator import csv_scan

from .exports import Score, csv_text, write_text


def test_a_missing_score_column_lists_the_columns_the_file_has(
    score: Score, tmp_path: Path
) -> None:
    path = write_text(tmp_path / "r.csv", csv_text("id,rating,plan", ["1,9,pro"]))

    outcome = score(path)

    assert outcome.status == 2
    assert outcome.err == (
        "npsloop score: error: no column 'score' in r.csv; it has: id, rating, plan\n"
    )


def test_a_missing_by_column_lists_the_columns_the_file_has(score: Score, tmp_path: Path) -> None:
    path = write_text(tmp_path / "r.csv", csv_text("score,plan", ["9,pro"]))

    outcome = score(path, "--by", "plan", "--by", "region", "--by", "country")

    assert outcome.status == 2
    assert outcome.err == (
        "npsloop score: error: no columns 'region', 'country' in r.csv; it has: score, plan\n"
    )


def test_an_unknown_extension_names_the_accepted_ones(score: Score, tmp_path: Path) -> None:
    path = write_text(tmp_path / "responses.xlsx", "score\n9\n")

    outcome = score(path)

    assert outcome.status == 2
    assert "cannot tell the format of responses.xlsx from its name" in outcome.err
    for extension in [".csv", ".csv.gz", ".jsonl", ".ndjson", ".parquet"]:
        assert extension in outcome.err


def test_a_missing_file_is_named(score: Score, tmp_path: Path) -> None:
    outcome = score(tmp_path / "nowhere.csv")

    assert outcome.status == 2
    assert outcome.err == f"npsloop score: error: no such file: {tmp_path / 'nowhere.csv'}\n"


def test_a_directory_is_not_a_file(score: Score, tmp_path: Path) -> None:
    folder = tmp_path / "exports.csv"
    folder.mkdir()

    outcome = score(folder)

    assert outcome.status == 2
    assert "is not a file" in outcome.err


@pytest.mark.parametrize("level", ["1.5", "0", "1", "95", "-0.1", "nan", "high"])
def test_a_confidence_outside_zero_to_one_is_refused(
    score: Score, tmp_path: Path, level: str
) -> None:
    path = write_text(tmp_path / "r.csv", csv_text("score", ["9"]))

    outcome = score(path, "--confidence", level)

    assert outcome.status == 2
    assert outcome.err == (
        "npsloop score: error: --confidence must be a number between 0 and 1 (exclusive), "
        f"such as 0.95, got '{level}'\n"
    )


def test_a_row_with_the_wrong_number_of_fields_is_located(score: Score, tmp_path: Path) -> None:
    rows = ["1,9,pro", '2,"multi\nline",pro', "3,10,pro,extra", "4,8,pro"]
    path = write_text(tmp_path / "r.csv", csv_text("id,score,plan", rows))

    outcome = score(path)

    assert outcome.status == 2
    assert outcome.err.startswith(
        "npsloop score: error: r.csv, line 5: malformed CSV, 4 fields where the header has 3;"
    )
    assert outcome.err.count("\n") == 1


def test_a_file_that_is_not_utf8_is_refused(score: Score, tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes("score,city\n9,Zürich\n".encode("latin-1"))

    outcome = score(path, "--by", "city")

    assert outcome.status == 2
    assert "r.csv: is not UTF-8 text (invalid start byte)" in outcome.err


def test_text_that_is_not_utf8_in_an_unused_column_is_refused_as_import_refuses_it(
    score: Score, tmp_path: Path
) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes("score,city\n9,Zürich\n".encode("latin-1"))

    outcome = score(path, "--format", "json")

    assert (outcome.status, outcome.err) == (
        2,
        "npsloop score: error: r.csv: is not UTF-8 text (invalid start byte); "
        "export or save it as UTF-8\n",
    )


def test_text_that_is_not_utf8_far_into_the_file_is_found_in_whichever_segment_holds_it(
    score: Score, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csv_scan, "SEGMENT_BYTES", 4096)
    rows = "".join(f"{n % 11},Zürich\n" for n in range(20_000)).encode()
    path = tmp_path / "r.csv"
    path.write_bytes(b"score,city\n" + rows + "9,Zürich\n".encode("latin-1") + rows)

    outcome = score(path, "--format", "json")

    assert outcome.err.startswith("npsloop score: error: r.csv: is not UTF-8 text")
    # The same file without the Latin-1 row is read in full, by the scanner.
    path.write_bytes(b"score,city\n" + rows + rows)
    assert score(path, "--format", "json").json[0]["n"] == 40_000


def test_a_corrupt_gzip_file_is_reported(score: Score, tmp_path: Path) -> None:
    path = tmp_path / "r.csv.gz"
    path.write_bytes(b"this is not gzip")

    outcome = score(path)

    assert outcome.status == 2
    assert outcome.err.startswith("npsloop score: error: cannot read")
    assert outcome.err.count("\n") == 1
