"""Running the import and export commands as a user would, on files written by the test."""

from __future__ import annotations

import csv
import gzip
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

Run = Callable[..., str]
Write = Callable[[str, str], Path]


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory of its own: rejects files land here by default."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def write(folder: Path) -> Write:
    def write(name: str, text: str) -> Path:
        path = folder / name
        data = text.encode()
        path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
        return path

    return write


@pytest.fixture
def run() -> Run:
    """Call a command by the name `npsloop` maps to; returns what it printed."""

    def run(command: str, *args: object) -> str:
        out = StringIO()
        quiet = ["--quiet"] if command.startswith("import") else []
        call_command(command, *[str(a) for a in args], *quiet, stdout=out)
        return out.getvalue()

    return run


@pytest.fixture
def rejected() -> Callable[[Path], list[dict[str, str]]]:
    """The rows of a rejects file, as the user would open it in a spreadsheet."""

    def rejected(path: Path) -> list[dict[str, str]]:
        with path.open(newline="", encoding="utf-8") as file:
            return list(csv.DictReader(file))

    return rejected
