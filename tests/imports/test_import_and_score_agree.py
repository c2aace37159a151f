"""`npsloop import` and `npsloop score` give a file the same verdict on its encoding and its
emptiness: both refuse text that is not UTF-8 (in any column, read or not) and a file with
nothing in it, with the same words; both accept a header with no rows under it.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from npsloop.calculator.command import main
from npsloop.surveys.models import Response, Survey
from npsloop.workspaces.models import Workspace

Run = Callable[..., str]

LATIN_1 = "score,city\n9,Zürich\n".encode("latin-1")
NOT_UTF8 = "is not UTF-8 text (invalid start byte); export or save it as UTF-8"
NO_HEADER = "is empty; expected a header line naming the columns"
NO_OBJECT = "is empty; expected one JSON object per line"


def _score(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = main([str(path), "--format", "json"])
    captured = capsys.readouterr()
    return status, captured.err or captured.out


def _import(run: Run, path: Path, workspace: Workspace) -> tuple[int, str]:
    try:
        return 0, run("import_responses", path, "--workspace", workspace.slug)
    except CommandError as error:
        return error.returncode, str(error)


REFUSED = [
    ("latin.csv", LATIN_1, NOT_UTF8),
    ("latin.csv.gz", gzip.compress(LATIN_1, mtime=0), NOT_UTF8),
    ("latin.jsonl", '{"score": 9, "city": "Zürich"}\n'.encode("latin-1"), NOT_UTF8),
    ("empty.csv", b"", NO_HEADER),
    ("blank.csv", b"\r\n\n", NO_HEADER),
    ("bom.csv", b"\xef\xbb\xbf", NO_HEADER),
    ("empty.csv.gz", gzip.compress(b"", mtime=0), NO_HEADER),
    ("empty.jsonl", b"", NO_OBJECT),
    ("blank.jsonl.gz", gzip.compress(b"\n  \n", mtime=0), NO_OBJECT),
]


@pytest.mark.parametrize(("name", "content", "refusal"), REFUSED, ids=[r[0] for r in REFUSED])
def test_both_refuse_the_file_with_the_same_words(
    workspace: Workspace,
    survey: Survey,
    run: Run,
    folder: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: bytes,
    refusal: str,
) -> None:
    path = folder / name
    path.write_bytes(content)

    scored = _score(path, capsys)
    imported = _import(run, path, workspace)

    assert scored == (2, f"npsloop score: error: {name}: {refusal}\n")
    assert imported == (2, f"{path}: {refusal}")


@pytest.mark.parametrize("name", ["header.csv", "header.csv.gz"])
def test_both_accept_a_header_without_rows(
    workspace: Workspace,
    survey: Survey,
    run: Run,
    folder: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
) -> None:
    path = folder / name
    header = b"score,city\n"
    path.write_bytes(gzip.compress(header, mtime=0) if name.endswith(".gz") else header)

    status, out = _score(path, capsys)
    imported = _import(run, path, workspace)

    assert (status, '"n": 0' in out) == (0, True)
    assert imported == (0, "responses: created 0, updated 0, unchanged 0, rejected 0\n")
    assert not Response.objects.exists()
