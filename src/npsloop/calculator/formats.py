"""Which reader a file needs, told by its name alone."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from npsloop.calculator.errors import CalculatorError


class Format(Enum):
    CSV = "CSV"
    JSON_LINES = "JSON Lines"
    PARQUET = "Parquet"


@dataclass(frozen=True, slots=True)
class FileKind:
    format: Format
    gzipped: bool


# Longest suffix first, so "x.jsonl.gz" is JSON Lines rather than a gzipped CSV.
_SUFFIXES: tuple[tuple[str, FileKind], ...] = (
    (".jsonl.gz", FileKind(Format.JSON_LINES, gzipped=True)),
    (".ndjson.gz", FileKind(Format.JSON_LINES, gzipped=True)),
    (".csv.gz", FileKind(Format.CSV, gzipped=True)),
    (".jsonl", FileKind(Format.JSON_LINES, gzipped=False)),
    (".ndjson", FileKind(Format.JSON_LINES, gzipped=False)),
    (".parquet", FileKind(Format.PARQUET, gzipped=False)),
    (".csv", FileKind(Format.CSV, gzipped=False)),
    (".gz", FileKind(Format.CSV, gzipped=True)),
)
ACCEPTED = (
    "CSV (.csv, .csv.gz, .gz), JSON Lines (.jsonl, .ndjson, optionally .gz), Parquet (.parquet)"
)


def kind_of(path: Path) -> FileKind:
    """The format of `path` from its extension (case-insensitive)."""
    name = path.name.lower()
    for suffix, kind in _SUFFIXES:
        if name.endswith(suffix):
            return kind
    raise CalculatorError(
        f"cannot tell the format of {path.name} from its name; accepted extensions: {ACCEPTED}"
    )
