"""`python -m npsloop.calculator` as a real process: output, exit status, no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .exports import VECTOR_SCORES, csv_text, write_text


def run(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "npsloop.calculator", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def test_it_prints_json_and_exits_zero(tmp_path: Path) -> None:
    path = write_text(tmp_path / "r.csv", csv_text("score", [str(s) for s in VECTOR_SCORES]))

    done = run(str(path), "--format", "json")

    assert done.returncode == 0, done.stderr
    [row] = json.loads(done.stdout)
    assert (row["nps"], round(row["ci_low"], 2), round(row["ci_high"], 2)) == (50, 35.47, 61.62)
    assert done.stderr == ""


def test_it_exits_two_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    path = write_text(tmp_path / "r.csv", csv_text("score", ["9", "7.5"]))

    done = run(str(path))

    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "npsloop score: error: r.csv, line 3: score must be an integer from 0 to 10, "
        "got '7.5' (use --skip-invalid to skip such rows)\n"
    )


def test_it_does_not_load_pandas_or_django(tmp_path: Path) -> None:
    path = write_text(tmp_path / "r.csv", csv_text("score,plan", ["9,pro"]))
    probe = (
        "import sys; from npsloop.calculator.command import main; "
        f"main([{str(path)!r}, '--by', 'plan']); "
        "print(sorted(m for m in ('pandas', 'django') if m in sys.modules))"
    )

    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )

    assert done.stdout.splitlines()[-1] == "[]"
