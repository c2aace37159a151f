"""Reading import files row by row: CSV, CSV.gz and JSON Lines (.jsonl/.ndjson, optionally .gz).

Files are streamed, so a file of any size costs the same memory. Every row knows the
physical line it starts on, so a rejected row can be found with any editor, even after a
quoted cell that spans several lines.
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import json
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO

from npsloop import text_files
from npsloop.errors import NUL_REASON

ACCEPTED_SUFFIXES = ".csv, .csv.gz, .jsonl, .jsonl.gz, .ndjson or .ndjson.gz"
_FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}


class FileProblem(Exception):
    """The file as a whole can't be read; the message says what was wrong and what is accepted."""


@dataclass(frozen=True, slots=True)
class Row:
    """One record of the file.

    ``values`` maps column name to value: text from CSV, JSON scalars as they are from
    JSON Lines. ``original`` is what a rejects file repeats: the CSV cells, or the JSON
    line. ``problem`` is set when the record itself could not be read.
    """

    line: int
    values: dict[str, object]
    original: list[str]
    problem: str | None = None


class Table:
    """An open import file. Use as a context manager; iterate ``rows()`` once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.format = file_format(path)
        if not path.is_file():
            raise FileProblem(f"{path}: no such file")
        self._raw: BinaryIO = path.open("rb")
        self.size = path.stat().st_size
        stream = gzip.GzipFile(fileobj=self._raw) if _is_gzip(path) else self._raw
        self._text = _text(stream)
        self.header: list[str] | None = None
        self._lines: Iterator[tuple[int, str]] = iter(())
        if self.format == "csv":
            self._read_header()
        else:
            self._find_first_object()

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._text.close()
        self._raw.close()

    def bytes_read(self) -> int:
        """How far into the file (as stored on disk) reading has come: for progress bars."""
        return self._raw.tell()

    def rows(self) -> Iterator[Row]:
        with self._reading():
            yield from self._csv_rows() if self.format == "csv" else self._jsonl_rows()

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """Problems of the whole file's bytes, as FileProblems."""
        try:
            yield
        except UnicodeDecodeError as error:
            raise FileProblem(text_files.not_utf8(self.path, error)) from None
        except (gzip.BadGzipFile, EOFError, zlib.error) as error:
            raise FileProblem(f"{self.path}: is not a complete gzip file ({error})") from None

    def _read_header(self) -> None:
        self._reader = csv.reader(self._text, strict=True)
        try:
            with self._reading():
                for cells in self._reader:
                    if cells:
                        self.header = [cell.strip() for cell in cells]
                        break
        except csv.Error as error:
            raise FileProblem(f"{self.path}: line 1: malformed CSV header ({error})") from None
        if self.header is None:
            raise FileProblem(text_files.empty(self.path, "csv"))
        for number, name in enumerate(self.header, start=1):
            if not name:
                raise FileProblem(f"{self.path}: column {number} of the header has no name")
        seen: set[str] = set()
        for name in self.header:
            if name in seen:
                raise FileProblem(f"{self.path}: the header names the column {name!r} twice")
            seen.add(name)

    def _csv_rows(self) -> Iterator[Row]:
        assert self.header is not None
        header = self.header
        reader = self._reader
        last_line = reader.line_num
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise FileProblem(
                    f"{self.path}: line {last_line + 1}: malformed CSV ({error}); "
                    "rows before it were read, nothing after it"
                ) from None
            start, last_line = last_line + 1, reader.line_num
            if not cells:
                continue
            if len(cells) != len(header):
                problem = f"has {len(cells)} cells but the header has {len(header)} columns"
                yield Row(start, {}, cells, problem)
            elif "\x00" in "".join(cells):
                yield Row(start, {}, [c.replace("\x00", "") for c in cells], NUL_REASON)
            else:
                yield Row(start, dict(zip(header, cells, strict=True)), cells)

    def _find_first_object(self) -> None:
        """Refuse a file of blank lines at once, as a CSV file without a header is."""
        lines = enumerate(self._text, start=1)
        with self._reading():
            for number, text in lines:
                if text.strip():
                    self._lines = itertools.chain([(number, text)], lines)
                    return
        raise FileProblem(text_files.empty(self.path, "jsonl"))

    def _jsonl_rows(self) -> Iterator[Row]:
        for number, text in self._lines:
            line = text.rstrip("\r\n")
            if not line.strip():
                continue
            if "\\u0000" in line or "\x00" in line:
                yield Row(number, {}, [line.replace("\x00", "")], NUL_REASON)
                continue
            try:
                values = json.loads(line)
            except ValueError as error:
                yield Row(number, {}, [line], f"is not valid JSON ({error})")
                continue
            if not isinstance(values, dict):
                yield Row(number, {}, [line], 'must be a JSON object like {"email": …}')
                continue
            yield Row(number, values, [line])


def file_format(path: Path) -> str:
    """csv or jsonl, from the file name; raises FileProblem for anything else."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    found = _FORMATS.get(suffixes[-1]) if suffixes else None
    if found is None:
        raise FileProblem(f"{path}: unknown file type; accepted: {ACCEPTED_SUFFIXES}")
    return found


def _is_gzip(path: Path) -> bool:
    return path.suffix.lower() == ".gz"


def _text(stream: gzip.GzipFile | BinaryIO) -> IO[str]:
    # utf-8-sig: spreadsheets put a byte-order mark in front of the header.
    # newline="": the csv module sees \r\n inside quoted cells as data, as it must.
    return io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
