"""`npsloop worker` as operators start it: a real process, stopped with SIGINT or SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from npsloop.cli import main


def start_worker(env: dict[str, str], *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "npsloop", "worker", *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_line(process: subprocess.Popen[str], text: str, timeout: float = 60) -> str:
    """Read the worker's log until ``text`` appears; everything read so far."""
    assert process.stderr is not None
    seen, deadline = "", time.monotonic() + timeout
    while text not in seen and time.monotonic() < deadline and process.poll() is None:
        seen += process.stderr.readline()
    return seen


@pytest.mark.parametrize(("extra", "periodic"), [((), "enabled"), (("--no-periodic",), "disabled")])
def test_it_consumes_until_interrupted(
    process_env: dict[str, str], extra: tuple[str, ...], periodic: str
) -> None:
    process = start_worker(process_env, "--workers", "3", *extra)
    try:
        log = wait_for_line(process, "npsloop.jobs.check_rollups")
        assert "Huey consumer started with 3 thread" in log
        assert f"Periodic tasks are {periodic}." in log
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    assert process.returncode == 0
    assert "Traceback" not in err
    assert "Consumer exiting." in err or "Stopped while starting." in err


def test_it_refuses_to_run_when_the_queue_runs_tasks_inline(
    process_env: dict[str, str],
) -> None:
    process_env["NPSLOOP_QUEUE_IMMEDIATE"] = "1"
    result = subprocess.run(
        [sys.executable, "-m", "npsloop", "worker"],
        env=process_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "NPSLOOP_QUEUE_IMMEDIATE is on" in result.stderr


def test_it_refuses_zero_workers(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["worker", "--workers", "0"]) == 1
    assert "--workers must be at least 1, got 0" in capsys.readouterr().err
