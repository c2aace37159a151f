"""Scores from a CSV export (plain or gzipped).

A plain file is counted by the compiled scanner on every core (`csv_scan`), which reads
only the score and --by columns. Whatever it declines (gzipped files, quotes Arrow reads
differently, rows of the wrong width, text that is not UTF-8, or an install without the
compiled module) is read by Arrow's multi-threaded CSV parser, which converts only those
columns, each as a dictionary column, and whose answers and errors are the reference.
Where errors are concerned, Python's csv module re-reads the file: it is slow but counts
physical lines exactly, which is what a person needs to find row 4,127,003 in an editor.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

from npsloop import text_files
from npsloop.calculator.csv_scan import count_scanned
from npsloop.calculator.errors import CalculatorError, InvalidScoreError, missing_columns_error
from npsloop.calculator.tally import Rejection, ScoreCodes, Tally

if TYPE_CHECKING:
    import pyarrow as pa

# Arrow (and numpy, through it) is imported only when a file needs it: loading it costs
# the command a tenth of a second, which the scanner spends reading a hundred megabytes.
_BLOCK_BYTES = 4 << 20
# The error path may meet a pasted essay in a comment; Python's csv module refuses fields
# over 128 KiB by default, while Arrow reads them.
_FIELD_LIMIT = 1 << 30


def count_csv(path: Path, score: str, by: list[str], skip_invalid: bool, compressed: bool) -> Tally:
    """Count the file's scores per group, or raise CalculatorError saying what is wrong."""
    header = read_header(path, compressed)
    if header is None:
        raise CalculatorError(text_files.empty(path.name, "csv"))
    missing = [name for name in dict.fromkeys([score, *by]) if name not in header]
    if missing:
        raise missing_columns_error(missing, header, path.name)

    if not compressed:
        scanned = count_scanned(path, header, score, by)
        if scanned is not None:
            tally, rejection = scanned
            if rejection is not None and not skip_invalid:
                raise _invalid_score(path, compressed, rejection)
            return tally

    # Arrow checks only the columns it converts; the scanner checked every byte.
    require_utf8(path, compressed)
    import pyarrow as pa

    # Letting Arrow split blocks at any newline is much faster than tracking quotes, and
    # correct unless a quoted value with a line break spans a block boundary. Its remaining
    # lines are then parsed as rows of their own, which fails on the field count or on the
    # score, and either failure makes us read the file again the careful way. Only text lines
    # that happen to be complete rows with a valid score could slip through.
    if not compressed:
        try:
            counted = _count(path, score, by, newlines_in_values=False)
        except pa.ArrowException:
            counted = None
        if counted is not None and counted[0].invalid == 0:
            return counted[0]
    try:
        tally, rejection = _count(path, score, by, newlines_in_values=True)
    except pa.ArrowInvalid as error:
        raise _parse_error(path, compressed, len(header), error) from error
    except pa.ArrowException as error:
        raise CalculatorError(f"cannot read {path.name} as CSV: {_first_line(error)}") from error
    if rejection is not None and not skip_invalid:
        raise _invalid_score(path, compressed, rejection)
    return tally


def require_utf8(path: Path, compressed: bool) -> None:
    """Refuse a file that is not UTF-8 text anywhere, as `npsloop import` does."""
    with gzip.open(path, "rb") if compressed else path.open("rb") as stream:
        error = text_files.first_decode_error(stream)
    if error is not None:
        raise CalculatorError(text_files.not_utf8(path.name, error))


def _invalid_score(path: Path, compressed: bool, rejection: Rejection) -> InvalidScoreError:
    line = physical_line(path, compressed, rejection.row)
    # Should Python's csv module ever count records differently from Arrow, the data row
    # number still lets a person find the value.
    where = f"line {line}" if line is not None else f"data row {rejection.row + 1}"
    return InvalidScoreError(path.name, where, rejection.reason)


def _count(
    path: Path, score: str, by: list[str], newlines_in_values: bool
) -> tuple[Tally, Rejection | None]:
    import pyarrow as pa
    import pyarrow.csv as pv

    from npsloop.calculator.columnar import count_batch

    columns = list(dict.fromkeys([score, *by]))
    text = pa.dictionary(pa.int32(), pa.string())
    # Arrow decompresses by extension, and every name kind_of() calls gzipped ends in ".gz".
    table = pv.read_csv(
        str(path),
        read_options=pv.ReadOptions(block_size=_BLOCK_BYTES),
        parse_options=pv.ParseOptions(newlines_in_values=newlines_in_values),
        convert_options=pv.ConvertOptions(
            include_columns=columns,
            column_types=dict.fromkeys(columns, text),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    tally = Tally(len(by))
    scores = ScoreCodes()
    first: Rejection | None = None
    offset = 0
    for batch in table.to_batches():
        groups = [(name, batch.column(name)) for name in by]
        rejection = count_batch(tally, scores, batch.column(score), groups, score)
        if rejection is not None and first is None:
            first = Rejection(offset + rejection.row, rejection.reason)
        offset += batch.num_rows
    return tally, first


@contextmanager
def _open_text(path: Path, compressed: bool) -> Iterator[IO[str]]:
    # utf-8-sig drops the byte-order mark spreadsheet programs write, as Arrow does. Bytes
    # that are not UTF-8 are replaced here: the header is read before the whole file is
    # judged (by the scanner, or by require_utf8), so a missing column is named first.
    if compressed:
        with gzip.open(path, "rt", encoding="utf-8-sig", errors="replace", newline="") as text:
            yield text
    else:
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as text:
            yield text


@contextmanager
def _records(path: Path, compressed: bool) -> Iterator[Iterator[tuple[int, list[str]]]]:
    """The non-empty records of the file with the physical line each starts on.

    Blank lines are skipped, as Arrow skips them, so the n-th record here is Arrow's n-th.
    """
    previous_limit = csv.field_size_limit(_FIELD_LIMIT)
    try:
        with _open_text(path, compressed) as text:
            yield _numbered(text)
    finally:
        csv.field_size_limit(previous_limit)


def _numbered(text: IO[str]) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(text)
    lines_before = 0
    for record in reader:
        if record:
            yield lines_before + 1, record
        lines_before = reader.line_num


def read_header(path: Path, compressed: bool) -> list[str] | None:
    """The column names, or None for a file with no lines at all."""
    with _records(path, compressed) as records:
        for _line, record in records:
            return record
    return None


def physical_line(path: Path, compressed: bool, row: int) -> int | None:
    """The line on which data row `row` (0 = first after the header) starts."""
    with _records(path, compressed) as records:
        for index, (line, _record) in enumerate(records):
            if index == row + 1:
                return line
    return None


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:200] if text else type(error).__name__


def _parse_error(
    path: Path, compressed: bool, width: int, error: pa.ArrowInvalid
) -> CalculatorError:
    """Say where the CSV is malformed, in lines, rather than in Arrow's terms."""
    detail = _first_line(error)
    try:
        with _records(path, compressed) as records:
            for line, record in records:
                if len(record) != width:
                    return CalculatorError(
                        f"{path.name}, line {line}: malformed CSV, {len(record)} fields where "
                        f"the header has {width}; values containing commas, quotes or line "
                        'breaks must be quoted ("a, b"), with inner quotes doubled ("")'
                    )
    except csv.Error as python_error:
        detail = str(python_error)
    return CalculatorError(f"{path.name}: malformed CSV ({detail})")
