"""Counting a plain CSV file with the compiled scanner (`_csvscan.c`), on every core.

Arrow's CSV reader tokenizes and copies every field of every row; `npsloop score` needs one
column, or a few with --by. The scanner finds rows and fields with bit masks, 64 bytes at a
time, and counts the distinct combinations of the wanted values itself, so Python only sees
a handful of values and counts per part of the file.

The file is cut into segments of `SEGMENT_BYTES`, scanned by a pool of threads (the scanner
and `os.pread` release the GIL). A segment other than the first starts speculatively after
the first line end at or after its nominal start, which is wrong when that line end lies
inside a quoted value; the segment before it then stops somewhere else, and the segment is
scanned again from there. Counts therefore do not depend on where segments fall.

The scanner takes only the files Arrow reads the same way (see `_csvscan.c`) and answers
None otherwise, as it does when the module was not compiled: the caller then reads the file
with Arrow, whose answers and error messages stay the reference.
"""

from __future__ import annotations

import mmap
import os
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from npsloop.calculator.tally import INVALID, Rejection, ScoreCodes, Tally

try:
    from npsloop.calculator import _csvscan
except ImportError:  # built without a C compiler: Arrow reads every CSV
    _csvscan = None  # type: ignore[assignment]

SEGMENT_BYTES = 16 << 20
# Read past a segment's end to finish its last row; doubled while a row is longer.
MARGIN_BYTES = 256 << 10
_MAX_THREADS = 8
_BOM = b"\xef\xbb\xbf"
_LINE_ENDS = b"\r\n"
# The scanner counts combinations of at most this many columns.
_MAX_COLUMNS = 64


class _Refused(Exception):
    """The scanner cannot read this file as Arrow would: Arrow must."""


@dataclass(frozen=True)
class _Piece:
    """One scanner call: its rows, the distinct values per column and their combinations."""

    rows: int
    values: list[list[bytes]]
    combos: list[tuple[int, ...]]  # (code per column, rows, first row)


@dataclass(frozen=True)
class _Segment:
    start: int  # where its first row starts
    end: int  # where the first row it did not take starts
    status: int
    pieces: list[_Piece]


def available() -> bool:
    return _csvscan is not None and hasattr(os, "pread")


def count_scanned(
    path: Path, header: list[str], score: str, by: list[str]
) -> tuple[Tally, Rejection | None] | None:
    """Count like `csv_file._count` does with Arrow, or None where Arrow must read the file.

    `header` is the file's header as Python's csv module read it; the scanner reads it again
    and must find the same names.
    """
    if not available():
        return None
    columns = list(dict.fromkeys([score, *by]))
    if len(columns) > _MAX_COLUMNS or any(header.count(name) != 1 for name in columns):
        return None
    indices = tuple(header.index(name) for name in columns)
    try:
        with path.open("rb", buffering=0) as file:
            fd = file.fileno()
            size = os.fstat(fd).st_size
            start = _data_start(fd, size, header, indices)
            # Counted as the segments come in, in file order, while later ones are scanned.
            pieces = _scan_file(fd, size, start, len(header), indices)
            try:
                return _count(pieces, columns, score, by)
            finally:
                pieces.close()  # the threads stop before the file is closed
    except _Refused:
        return None
    except OSError:
        return None  # say, a file that cannot be mapped: Arrow reads it, or reports why not


def _read(fd: int, offset: int, length: int) -> bytes:
    return os.pread(fd, length, offset)


def _data_start(fd: int, size: int, header: list[str], indices: tuple[int, ...]) -> int:
    """Where the first data row starts, after the header the scanner reads as `header`."""
    assert _csvscan is not None
    length = 64 << 10
    while True:
        data = _read(fd, 0, length)
        is_final = len(data) >= size
        begin = len(_BOM) if data.startswith(_BOM) else 0
        # Leading line ends are empty lines, which Arrow skips before the header too.
        while begin < len(data) and data[begin] in _LINE_ENDS:
            begin += 1
        if begin == len(data) and not is_final:
            length *= 2
            continue
        status, end, rows, values, _combos = _csvscan.scan(
            data, begin, begin + 1, is_final, len(header), indices
        )
        if status == _csvscan.MORE:
            length *= 2
            continue
        if status != _csvscan.DONE or rows != 1:
            raise _Refused
        names = [_text(column[0]) for column in values]
        if names != [header[i] for i in indices]:
            raise _Refused
        if end >= size and not data.endswith((b"\n", b"\r")):
            raise _Refused  # a lone header without a line end, which Arrow refuses
        return int(end)


def _scan_file(
    fd: int, size: int, start: int, ncols: int, indices: tuple[int, ...]
) -> Generator[_Piece, None, None]:
    """The pieces of the whole file, in file order, each scanned exactly once in the end."""
    assert _csvscan is not None
    bounds = list(range(start, size, SEGMENT_BYTES)) or [start]
    stops = [*bounds[1:], size]
    jobs = [(bound, stop, bound == start) for bound, stop in zip(bounds, stops, strict=True)]
    threads = min(_MAX_THREADS, _cores(), len(jobs))

    def run(job: tuple[int, int, bool]) -> _Segment:
        begin, stop, exact = job
        return _scan_segment(fd, size, begin, stop, exact, ncols, indices)

    pool = ThreadPoolExecutor(threads, thread_name_prefix="npsloop-score") if threads > 1 else None
    try:
        segments = _in_order(pool, run, jobs, ahead=threads + 1) if pool else map(run, jobs)
        expected = start
        for segment, (_bound, stop, _exact) in zip(segments, jobs, strict=True):
            if segment.start != expected:
                # Its speculative first row began inside a quoted value: scan it from where
                # the previous segment really stopped.
                segment = _scan_segment(fd, size, expected, stop, True, ncols, indices)
            if segment.status != _csvscan.DONE:
                raise _Refused
            yield from segment.pieces
            expected = segment.end
        if expected != size:
            raise _Refused
    finally:
        if pool:
            pool.shutdown(cancel_futures=True)


def _in_order(
    pool: ThreadPoolExecutor,
    run: Callable[[tuple[int, int, bool]], _Segment],
    jobs: list[tuple[int, int, bool]],
    ahead: int,
) -> Iterator[_Segment]:
    """`pool.map(run, jobs)`, with at most `ahead` segments scanned but not yet counted: a
    --by column with millions of distinct values makes a segment's results large."""
    pending: deque[Future[_Segment]] = deque()
    for job in jobs:
        if len(pending) == ahead:
            yield pending.popleft().result()
        pending.append(pool.submit(run, job))
    while pending:
        yield pending.popleft().result()


def _cores() -> int:
    """The cores this process may run on (a container may allow fewer than the machine has)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _scan_segment(
    fd: int, size: int, begin: int, stop: int, exact: bool, ncols: int, indices: tuple[int, ...]
) -> _Segment:
    assert _csvscan is not None
    position = begin if exact else _after_line_end(fd, size, begin)
    start = position
    pieces: list[_Piece] = []
    margin = MARGIN_BYTES
    while position < size:
        # Mapped rather than read: the page cache is scanned where it lies, not copied.
        # Mappings start on the allocation granularity, so the scan starts a little in.
        mapped = position - position % mmap.ALLOCATIONGRANULARITY
        length = min(size, max(stop, position) + margin) - mapped
        with mmap.mmap(fd, length, offset=mapped, access=mmap.ACCESS_READ) as data:
            status, end, rows, values, combos = _csvscan.scan(
                data,
                position - mapped,
                max(0, stop - mapped),
                mapped + length >= size,
                ncols,
                indices,
            )
        if rows:
            pieces.append(_Piece(rows, values, combos))
        position = mapped + end
        if status != _csvscan.MORE:
            return _Segment(start, position, status, pieces)
        margin *= 2
    return _Segment(start, position, _csvscan.DONE, pieces)


def _after_line_end(fd: int, size: int, begin: int) -> int:
    """The first position at or after `begin` that follows a \\r or \\n (or the file's end)."""
    offset, length = begin - 1, 64 << 10
    while offset < size:
        data = _read(fd, offset, length)
        found = [i for i in (data.find(b"\n"), data.find(b"\r")) if i >= 0]
        if found:
            return offset + min(found) + 1
        offset += len(data)
        length *= 2
    return size


def _text(value: bytes) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        # Arrow reports text that is not UTF-8 in the columns it reads.
        raise _Refused from None


def _count(
    pieces: Iterable[_Piece], columns: list[str], score: str, by: list[str]
) -> tuple[Tally, Rejection | None]:
    tally = Tally(len(by))
    scores = ScoreCodes()
    score_slot = columns.index(score)
    group_slots = [columns.index(name) for name in by]
    first: Rejection | None = None
    offset = 0
    for piece in pieces:
        texts = [[_text(value) for value in column] for column in piece.values]
        score_texts = texts[score_slot]
        verdicts = [scores.code(text) for text in score_texts]
        rejected: tuple[int, Any] | None = None
        if len(group_slots) == 1:  # the common --by, without a tuple built per group
            slot = group_slots[0]
            labels = texts[slot]
            groups: Iterable[tuple[str, ...]] = ((labels[combo[slot]],) for combo in piece.combos)
        else:
            groups = (
                tuple(texts[slot][combo[slot]] for slot in group_slots) for combo in piece.combos
            )
        for combo, group in zip(piece.combos, groups, strict=True):
            code, rows, row = combo[score_slot], combo[-2], combo[-1]
            verdict = verdicts[code]
            tally.add(group, verdict, rows)
            if verdict == INVALID and (rejected is None or row < rejected[0]):
                rejected = (row, score_texts[code])
        if rejected is not None and first is None:
            first = Rejection(offset + rejected[0], ScoreCodes.reason(rejected[1]))
        offset += piece.rows
    return tally, first
