"""The fault bench at a tiny size, so that it keeps working: the web server stopped twice
and killed once under retrying clients, and email senders killed while they send."""

from __future__ import annotations

import os
import uuid

import pytest

from bench import bench_faults


@pytest.mark.skipif(
    not os.getenv("NPSLOOP_DATABASE_URL", "").startswith("postgres"),
    reason="the bench makes a PostgreSQL database of its own whatever the suite runs on, so "
    "it runs once, with the PostgreSQL suite",
)
def test_the_fault_bench_loses_and_duplicates_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    database = f"npsloop_faults_{uuid.uuid4().hex[:8]}"
    sizes = ["--requests=300", "--seconds=5", "--connections=8", "--asks=600"]

    status = bench_faults.main([*sizes, f"--database={database}"])

    out = capsys.readouterr().out
    assert status == 0, out
    assert "acknowledged 300 " in out
    assert "lost 0, duplicated 0" in out
    assert "duplicates 0, lost 0" in out
    assert out.count("PASS") == 10
