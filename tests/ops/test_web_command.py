"""`npsloop web`: gunicorn alone, serving pages and static files without collectstatic."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable

import pytest

from npsloop.cli import main

WaitFor = Callable[[str, float], bool]


def test_it_serves_until_interrupted(
    process_env: dict[str, str], port: int, wait_for: WaitFor
) -> None:
    subprocess.run(
        [sys.executable, "-m", "npsloop", "migrate", "-v", "0"], env=process_env, check=True
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "npsloop", "web", "--port", str(port), "--workers", "1"],
        env=process_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert wait_for(f"http://127.0.0.1:{port}/healthz", 60)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/npsloop/app.css") as css:
            assert css.status == 200
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    assert process.returncode == 0
    assert "Traceback" not in err


def test_it_refuses_a_port_in_use(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["web", "--port", str(port)]) == 1
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


def test_it_refuses_zero_workers(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["web", "--workers", "0"]) == 1
    assert "--workers must be at least 1, got 0" in capsys.readouterr().err


def test_it_refuses_an_unknown_host(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["web", "--host", "no-such-host.invalid"]) == 1
    assert "--host 'no-such-host.invalid' is not an address this machine knows" in (
        capsys.readouterr().err
    )


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_a_killed_server_takes_its_workers_with_it(
    process_env: dict[str, str], port: int, wait_for: WaitFor
) -> None:
    """kill -9 of the main process used to leave its workers serving the port, and the next
    start failed with "Address already in use"."""
    subprocess.run(
        [sys.executable, "-m", "npsloop", "migrate", "-v", "0"], env=process_env, check=True
    )
    command = [sys.executable, "-m", "npsloop", "web", "--port", str(port), "--workers", "2"]
    first = subprocess.Popen(command, env=process_env, stderr=subprocess.PIPE, text=True)
    second: subprocess.Popen[str] | None = None
    try:
        assert wait_for(f"http://127.0.0.1:{port}/healthz", 60)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        deadline = time.monotonic() + 15
        while _listening(port) and time.monotonic() < deadline:
            time.sleep(0.1)  # polling for the workers' exit, which has no event to await
        assert not _listening(port), "the workers of a killed server still serve its port"
        second = subprocess.Popen(command, env=process_env, stderr=subprocess.PIPE, text=True)
        assert wait_for(f"http://127.0.0.1:{port}/healthz", 60), "the next start failed"
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGINT)
                process.communicate(timeout=60)
