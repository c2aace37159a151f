"""`npsloop run` as a user starts it: a real process on a free port, stopped with Ctrl-C."""

from __future__ import annotations

import codecs
import os
import selectors
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

STARTUP = 90.0
WaitFor = Callable[[str, float], bool]


def start(env: dict[str, str], port: int, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "npsloop", "run", "--port", str(port), *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # The banner is read raw (below), so the rest may start inside a character.
        encoding="utf-8",
        errors="replace",
    )


def children_of(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(line) for line in found.stdout.split()]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z")


def wait_for_banner(process: subprocess.Popen[str], timeout: float = STARTUP) -> str:
    """Read the output of `npsloop run` until it says it is running."""
    assert process.stdout is not None
    seen, deadline = "", time.monotonic() + timeout
    # A read of 4096 bytes can end inside a character ("—" is three bytes).
    decoder = codecs.getincrementaldecoder("utf-8")()
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while "npsloop is running at" not in seen and time.monotonic() < deadline:
            # Raw reads: a buffered readline could hide the banner from select().
            if selector.select(timeout=1) and (chunk := os.read(process.stdout.fileno(), 4096)):
                seen += decoder.decode(chunk)
            elif process.poll() is not None:
                break
    return seen


def interrupt(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    process.send_signal(signal.SIGINT)
    try:
        out, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
    return process.returncode, out, err


def test_it_serves_with_a_worker_and_stops_both_on_ctrl_c(
    process_env: dict[str, str], port: int, wait_for: WaitFor
) -> None:
    url = f"http://127.0.0.1:{port}"
    process = start(process_env, port, "--first-run-demo")
    try:
        banner = wait_for_banner(process)
        assert wait_for(f"{url}/healthz", 5), "the server never answered"
        children = children_of(process.pid)
        assert len(children) == 2
        with urllib.request.urlopen(f"{url}/login/", timeout=5) as login:
            assert login.status == 200
            assert "Sign in" in login.read().decode()
        with urllib.request.urlopen(f"{url}/static/admin/css/base.css", timeout=5) as css:
            assert css.status == 200
            assert css.headers["Content-Type"].startswith("text/css")
    finally:
        code, rest, err = interrupt(process)
    out = banner + rest
    assert code == 0, err
    assert "Traceback" not in err
    assert f"npsloop is running at {url}/" in out
    assert not [pid for pid in children if alive(pid)]
    password = Path(process_env["NPSLOOP_HOME"], "admin-password")
    assert f"Sign in as:  admin / {password.read_text().strip()}" in out
    assert password.stat().st_mode & 0o777 == 0o600
    assert "Stopped the web server and the worker." in out


def test_it_keeps_the_data_on_the_second_run(process_env: dict[str, str], port: int) -> None:
    home = Path(process_env["NPSLOOP_HOME"])
    first = start(process_env, port, "--first-run-demo")
    assert "npsloop is running" in wait_for_banner(first)
    assert interrupt(first)[0] == 0
    before = counts(home), (home / "admin-password").read_text()
    second = start(process_env, port, "--first-run-demo")
    out = wait_for_banner(second)
    code, rest, _ = interrupt(second)
    out += rest
    assert code == 0
    assert "First run" not in out
    assert (counts(home), (home / "admin-password").read_text()) == before
    assert before[0] == (1, 5000, 3000)
    assert f"Sign in as:  admin / {before[1].strip()}" in out


def counts(home: Path) -> tuple[int, ...]:
    with closing(sqlite3.connect(home / "npsloop.sqlite3")) as db:
        tables = ("workspaces_workspace", "contacts_contact", "surveys_response")
        return tuple(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables)


def test_it_refuses_a_port_in_use(process_env: dict[str, str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "npsloop", "run", "--port", str(port)],
            env=process_env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Choose another port with --port" in result.stderr


@pytest.mark.parametrize("port", ["0", "70000"])
def test_it_refuses_an_impossible_port(process_env: dict[str, str], port: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "npsloop", "run", "--port", port],
        env=process_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert f"--port must be from 1 to 65535, got {port}" in result.stderr


def test_it_stops_cleanly_on_sigterm_without_loading_a_demo(
    process_env: dict[str, str], port: int
) -> None:
    process = start(process_env, port)
    banner = wait_for_banner(process)
    children = children_of(process.pid)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0
    assert "Traceback" not in err
    assert "First run" not in banner
    assert "No one can sign in yet: create an admin with `npsloop createadmin --email E`" in banner
    assert len(children) == 2 and not [pid for pid in children if alive(pid)]
    assert counts(Path(process_env["NPSLOOP_HOME"]))[0] == 0
