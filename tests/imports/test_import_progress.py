"""The progress bar: shown to a person at a terminal, never in a pipe or with --quiet."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command

from npsloop.workspaces.models import Workspace

Write = Callable[[str, str], Path]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _import(path: Path, workspace: Workspace, *extra: str) -> None:
    call_command(
        "import_contacts", str(path), "--workspace", workspace.slug, *extra, stdout=io.StringIO()
    )


@pytest.mark.parametrize(
    ("terminal", "extra", "shown"),
    [
        (True, (), True),
        (True, ("--quiet",), False),
        (False, (), False),
    ],
)
def test_it_shows_progress_only_at_a_terminal(
    workspace: Workspace,
    write: Write,
    monkeypatch: pytest.MonkeyPatch,
    terminal: bool,
    extra: tuple[str, ...],
    shown: bool,
) -> None:
    path = write("people.csv", "email\n" + "".join(f"p{i}@example.com\n" for i in range(50)))
    stderr = Terminal() if terminal else io.StringIO()
    monkeypatch.setattr("sys.stderr", stderr)
    _import(path, workspace, *extra)
    if shown:
        assert "people.csv" in stderr.getvalue()
        assert "100%" in stderr.getvalue()
    else:
        assert stderr.getvalue() == ""
