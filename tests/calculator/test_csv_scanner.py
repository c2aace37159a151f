"""The compiled CSV scanner counts exactly what Arrow counts, or leaves the file to Arrow.

Every CSV here is counted twice, by the scanner (with segments of a few bytes, so that
threads start in the middle of rows, quoted values and line ends) and by Arrow alone; the
counts, the rejected row and any error message must be the same.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from npsloop.calculator import csv_file, csv_scan
from npsloop.calculator.errors import CalculatorError
from npsloop.calculator.tally import GroupCount, Rejection, Tally

pytestmark = pytest.mark.skipif(
    not csv_scan.available(), reason="the CSV scanner (_csvscan.c) is not compiled"
)

Counted = tuple[list[GroupCount], Rejection | None] | str


def by_arrow(path: Path, by: list[str]) -> Counted:
    header = csv_file.read_header(path, compressed=False)
    assert header is not None
    try:
        tally, rejection = csv_file._count(path, "score", by, newlines_in_values=True)
    except Exception as error:  # Arrow's refusal, which the scanner must not hide
        return f"arrow: {type(error).__name__}"
    return tally.groups(), rejection


def by_scanner(path: Path, by: list[str]) -> Counted | None:
    header = csv_file.read_header(path, compressed=False)
    assert header is not None
    counted = csv_scan.count_scanned(path, header, "score", by)
    if counted is None:
        return None
    tally, rejection = counted
    return tally.groups(), rejection


@pytest.fixture
def tiny_segments(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_scan, "SEGMENT_BYTES", 7)
    monkeypatch.setattr(csv_scan, "MARGIN_BYTES", 5)


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "r.csv"
    path.write_bytes(data)
    return path


# Values as they may appear in a cell: plain, quoted with commas, doubled quotes and line
# breaks of every kind, empty, and scores written in the ways parse_score accepts or not.
CELLS = [
    "7",
    "10",
    "0",
    "07",
    " 8",
    "11",
    "x",
    "",
    '""',
    '"9"',
    '"a,b"',
    '"two\nlines"',
    '"cr\rlf\r\n"',
    '"say ""hi"""',
    '""""',
    "été",
    "plan b",
]
LINE_ENDS = ["\n", "\r\n", "\r", "\n\n", "\r\n\r\n"]


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    width = draw(st.integers(1, 4))
    score_at = draw(st.integers(0, width - 1))
    names = [f"c{i}" for i in range(width)]
    names[score_at] = "score"
    if width > 1:
        names[(score_at + 1) % width] = "plan"
    rows = draw(
        st.lists(st.lists(st.sampled_from(CELLS), min_size=width, max_size=width), max_size=25)
    )
    # A row of another width now and then: Arrow refuses the file, and so must the scanner.
    if draw(st.integers(0, 9)) == 0 and rows:
        rows[draw(st.integers(0, len(rows) - 1))].append("extra")
    lines = [",".join(names), *(",".join(row) for row in rows)]
    text = ""
    for line in lines:
        text += line + draw(st.sampled_from(LINE_ENDS))
    if draw(st.booleans()):
        text = text.rstrip("\r\n")  # a last row without a line end
    bom = "\ufeff" if draw(st.integers(0, 4)) == 0 else ""
    return (bom + text).encode()


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=csv_files(), grouped=st.booleans())
def test_the_scanner_counts_what_arrow_counts(
    tmp_path: Path, tiny_segments: None, data: bytes, grouped: bool
) -> None:
    path = write(tmp_path, data)
    if not data.strip(b"\r\n\xef\xbb\xbf"):
        return
    by = ["plan"] if grouped and b"plan" in data.splitlines()[0] else []

    scanned = by_scanner(path, by)

    if scanned is not None:  # else Arrow reads it, as before
        assert scanned == by_arrow(path, by)


@pytest.mark.parametrize(
    "data",
    [
        b"id,score\n1,9\n2,10\n",
        b"id,score\r\n1,9\r\n\r\n2,10",
        b"id,score\r1,9\r2,10\r",
        b"\xef\xbb\xbfid,score\n1,9\n",
        b'\n\n"id","score"\n"1","9"\n',
        b'id,score,comment\n1,9,"a\nb,c"\n2,0,"say ""hi"""\n3,7,\n',
        b"id,score\n1,07\n2, 8\n3,9\n",
        b"id,score\n1,9\n2,nine\n3,x\n",
    ],
)
def test_the_scanner_takes_plain_csv(tmp_path: Path, tiny_segments: None, data: bytes) -> None:
    path = write(tmp_path, data)

    scanned = by_scanner(path, [])

    assert scanned is not None
    assert scanned == by_arrow(path, [])


@pytest.mark.parametrize(
    "data",
    [
        b'id,score\n1,9"\n',  # a quote inside an unquoted value
        b'id,score\n1,"9"x\n',  # text after a closing quote
        b'id,score\n1,"9\n',  # the file ends inside quotes
        b"id,score\n1,9,extra\n",  # a row wider than the header
        b"id,score\n1\n",  # and narrower
        b"id,score\n1,\xe9\n",  # a score that is not UTF-8
        b"id,score,score\n1,9,9\n",  # two columns of that name
    ],
)
def test_the_scanner_leaves_what_arrow_reads_differently_to_arrow(
    tmp_path: Path, tiny_segments: None, data: bytes
) -> None:
    assert by_scanner(write(tmp_path, data), []) is None


def test_without_the_scanner_arrow_counts_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [f"{i},{i % 11},{'pro' if i % 3 else 'free'}" for i in range(1000)]
    path = write(tmp_path, ("id,score,plan\n" + "\n".join(lines) + "\n").encode())
    scanned = csv_file.count_csv(path, "score", ["plan"], skip_invalid=False, compressed=False)

    monkeypatch.setattr(csv_scan, "_csvscan", None)
    assert csv_scan.count_scanned(path, ["id", "score", "plan"], "score", ["plan"]) is None
    read = csv_file.count_csv(path, "score", ["plan"], skip_invalid=False, compressed=False)

    assert scanned.groups() == read.groups()


def test_segments_that_start_inside_a_quoted_value_are_scanned_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every segment boundary falls in a comment of many short lines.
    comment = '"' + "\n".join(["x"] * 40) + '"'
    lines = [f"{i},{i % 11},{comment}" for i in range(200)]
    path = write(tmp_path, ("id,score,comment\n" + "\n".join(lines) + "\n").encode())
    monkeypatch.setattr(csv_scan, "SEGMENT_BYTES", 97)
    calls = 0
    scan_segment = csv_scan._scan_segment

    def counting(*args: object) -> object:
        nonlocal calls
        calls += 1
        return scan_segment(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(csv_scan, "_scan_segment", counting)
    segments = -(-(path.stat().st_size - len("id,score,comment\n")) // 97)

    scanned = by_scanner(path, [])

    assert scanned == by_arrow(path, [])
    assert calls > segments  # some segments were scanned twice


def test_an_invalid_score_is_reported_at_its_line_by_the_scanner(tmp_path: Path) -> None:
    comment = '"three\nline\ncomment"'
    lines = [f"{i},{i % 11},{comment}" for i in range(300)] + ["300,eleven,x"]
    path = write(tmp_path, ("id,score,comment\n" + "\n".join(lines) + "\n").encode())

    with pytest.raises(CalculatorError) as raised:
        csv_file.count_csv(path, "score", [], skip_invalid=False, compressed=False)

    assert str(raised.value).startswith(f"r.csv, line {1 + 300 * 3 + 1}: score must be")
    skipped = csv_file.count_csv(path, "score", [], skip_invalid=True, compressed=False)
    assert isinstance(skipped, Tally)
    assert skipped.invalid == 1


# Lead bytes, continuation bytes and their limits: overlong forms, surrogates, values past
# U+10FFFF and sequences cut short, each between ASCII and at the very end of the row.
UTF8_EDGES = [
    "é".encode(),
    "€".encode(),
    "😀".encode(),
    "\U0010ffff".encode(),
    b"\xc0\xaf",
    b"\xc1\xbf",
    b"\xe0\x80\xaf",
    b"\xe0\x9f\xbf",
    b"\xed\xa0\x80",
    b"\xed\x9f\xbf",
    b"\xf0\x8f\xbf\xbf",
    b"\xf4\x90\x80\x80",
    b"\xf5\x80\x80\x80",
    b"\xe2\x82",
    b"\xf0\x9f\x98",
    b"\x80",
    b"\xff",
]


@pytest.mark.parametrize("cell", UTF8_EDGES)
@pytest.mark.parametrize("after", [b"x", b""])
def test_the_scanner_takes_exactly_the_rows_python_decodes_as_utf8(
    tmp_path: Path, tiny_segments: None, cell: bytes, after: bytes
) -> None:
    path = write(tmp_path, b"score,note\n9,plain text\n7,ab" + cell + after + b"\n")
    try:
        path.read_bytes().decode("utf-8")
        is_utf8 = True
    except UnicodeDecodeError:
        is_utf8 = False

    counted = by_scanner(path, [])

    assert (counted is not None) == is_utf8


# No deadline: a run of the scanner's thread pool may wait for a busy machine's cores.
@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=40))
def test_the_scanner_judges_any_bytes_as_python_does(tmp_path: Path, note: bytes) -> None:
    cell = note.translate(None, b'",\r\n')
    path = write(tmp_path, b"score,note\n9," + cell + b"\n10,a" + cell + b"\n")
    try:
        path.read_bytes().decode("utf-8")
        is_utf8 = True
    except UnicodeDecodeError:
        is_utf8 = False

    assert (by_scanner(path, []) is not None) == is_utf8
