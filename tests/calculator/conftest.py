"""`score`: run `npsloop score` in-process with capsys, as a user would from a shell."""

from __future__ import annotations

import pytest

from npsloop.calculator.command import main

from .exports import Outcome, Score


@pytest.fixture
def score(capsys: pytest.CaptureFixture[str]) -> Score:
    """Call `npsloop score` with the given arguments; return status, stdout and stderr."""

    def run(*args: object) -> Outcome:
        status = main([str(arg) for arg in args])
        captured = capsys.readouterr()
        return Outcome(status, captured.out, captured.err)

    return run
