"""Helpers for running `npsloop` as a real process."""

from __future__ import annotations

import os
import socket
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def process_env(tmp_path: Path) -> dict[str, str]:
    """The environment of an `npsloop` child process: its own data folder and SQLite.

    The tests run on SQLite and on PostgreSQL; a child that inherited
    NPSLOOP_DATABASE_URL would write into the database pytest-django owns, so children
    always use a fresh SQLite database in a temporary NPSLOOP_HOME instead. The queue is
    a real one (not immediate) so that the worker has something to consume.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("NPSLOOP_")}
    env["NPSLOOP_HOME"] = str(tmp_path / "home")
    return env


@pytest.fixture
def port() -> int:
    """A TCP port that was free a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


WaitFor = Callable[[str, float], bool]


@pytest.fixture
def wait_for() -> WaitFor:
    return _wait_for


def _wait_for(url: str, timeout: float) -> bool:
    """Poll until the URL answers 200, or give up after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.2)
    return False
