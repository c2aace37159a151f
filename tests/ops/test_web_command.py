"""`npsloop web`: gunicorn alone, serving pages and static files without collectstatic."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
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
