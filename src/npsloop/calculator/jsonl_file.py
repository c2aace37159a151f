"""Scores from a JSON Lines export (one object per line, optionally gzipped).

There is no speed target here, so each line is decoded by the json module and each score goes
through `parse_score` as it is: 7 is a score; 7.0, "7.5", true and null are not.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import IO

from npsloop import text_files
from npsloop.calculator.errors import CalculatorError, InvalidScoreError, missing_columns_error
from npsloop.calculator.tally import INVALID, Tally, group_label
from npsloop.stats import ScoreError, parse_score


def count_jsonl(
    path: Path, score: str, by: list[str], skip_invalid: bool, compressed: bool
) -> Tally:
    """Count the file's scores per group, or raise CalculatorError saying what is wrong."""
    tally = Tally(len(by))
    objects = 0
    with _open_text(path, compressed) as text:
        for number, line in enumerate(text, start=1):
            if not line.strip():
                continue
            objects += 1
            record = _decode(line, number, path.name)
            missing = [name for name in dict.fromkeys([score, *by]) if name not in record]
            if missing:
                raise missing_columns_error(missing, list(record), f"{path.name}, line {number}")
            group = tuple(group_label(record[name]) for name in by)
            try:
                tally.add(group, parse_score(record[score]))
            except ScoreError as error:
                if not skip_invalid:
                    raise InvalidScoreError(path.name, f"line {number}", str(error)) from error
                tally.add(group, INVALID)
    if not objects:
        raise CalculatorError(text_files.empty(path.name, "jsonl"))
    return tally


def _open_text(path: Path, compressed: bool) -> IO[str]:
    if compressed:
        return gzip.open(path, "rt", encoding="utf-8-sig")
    return path.open(encoding="utf-8-sig")


def _decode(line: str, number: int, file_name: str) -> dict[str, object]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise CalculatorError(
            f"{file_name}, line {number}: not valid JSON ({error.msg}); "
            "expected one JSON object per line"
        ) from error
    if not isinstance(record, dict):
        raise CalculatorError(
            f"{file_name}, line {number}: expected a JSON object such as "
            f'{{"score": 9}}, got {type(record).__name__}'
        )
    return record
