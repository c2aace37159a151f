"""What the web and database benchmarks stand on: a throw-away PostgreSQL database, npsloop
commands run against it, and the production web server (granian, as `npsloop web` starts
it) on loopback, or gunicorn to compare.

Everything that touches Django runs in a child process with its own environment, so a bench
never depends on how (or whether) the parent process configured Django.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.cpu import cpu_by_process
from npsloop.ops.serving import WEB_THREADS, web_argv

PG_HOST = os.getenv("BENCH_PG_HOST", "127.0.0.1")
PG_USER = os.getenv("BENCH_PG_USER", "postgres")
ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")


def _pg(command: str, *args: str) -> None:
    quiet = {**os.environ, "PGOPTIONS": "-c client_min_messages=warning"}
    subprocess.run([command, "-h", PG_HOST, "-U", PG_USER, *args], check=True, env=quiet)


@contextmanager
def postgres_database(name: str) -> Iterator[str]:
    """A fresh, empty database for one bench, dropped afterwards even when the bench fails."""
    _pg("dropdb", "--if-exists", "--force", name)
    _pg("createdb", name)
    try:
        yield f"postgres://{PG_USER}@{PG_HOST}:5432/{name}"
    finally:
        _pg("dropdb", "--if-exists", "--force", name)


@contextmanager
def npsloop_env(database_url: str) -> Iterator[dict[str, str]]:
    """The environment of an npsloop process on that database, with its own data folder."""
    with tempfile.TemporaryDirectory(prefix="npsloop-bench-") as home:
        Path(home, "static").mkdir()  # STATIC_ROOT; WhiteNoise warns when it is missing
        env = dict(os.environ)
        env.update(
            NPSLOOP_DATABASE_URL=database_url,
            NPSLOOP_HOME=home,
            NPSLOOP_SECRET_KEY="bench-only-secret-key-not-for-production-use-0123456789",
            NPSLOOP_LOG_LEVEL="WARNING",
            NPSLOOP_DEBUG="0",
            DJANGO_SETTINGS_MODULE="npsloop.settings",
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        )
        yield env


def migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "npsloop", "manage", "migrate", "--verbosity", "0"],
        env=env,
        check=True,
        cwd=ROOT,
    )


def run_child(env: dict[str, str], module: str, *args: str) -> Any:
    """Run `python -m module args` and return the JSON it prints on its last line."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        env=env,
        check=True,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_process(port: int) -> Callable[[str], bool]:
    """Whether a command line is one of the processes of `web_server` on that port."""
    return lambda command: (
        f"npsloop web 127.0.0.1:{port}" in command
        or ("gunicorn" in command and f"127.0.0.1:{port}" in command)
    )


@contextmanager
def web_server(env: dict[str, str], *, workers: int, threads: int = WEB_THREADS) -> Iterator[str]:
    """`npsloop web`'s server (granian) on loopback with these workers and threads; yields
    its base URL. Its processes are named "npsloop web 127.0.0.1:<port>" (server_process)."""
    port = free_port()
    command = web_argv("127.0.0.1", port, workers, "warning", threads=threads)
    with _serving(command, env, port) as base:
        yield base


class RestartableWebServer:
    """`npsloop web` (granian) on one loopback port, which the bench stops, kills and
    starts again; clients keep the same address throughout."""

    def __init__(self, env: dict[str, str], workers: int) -> None:
        self.env = env
        self.workers = workers
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = web_argv("127.0.0.1", self.port, self.workers, "error")
        self.process = subprocess.Popen(command, env=self.env, cwd=ROOT)
        wait_healthy(self.base, self.process)

    def stop(self) -> None:
        """SIGTERM: granian stops taking connections and lets its workers finish."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._wait_gone()

    def kill(self) -> None:
        """SIGKILL of the main process alone; its workers are told by the kernel
        (PR_SET_PDEATHSIG, npsloop.ops.web_worker) and must let the port go."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()
        self._wait_gone()

    def close(self) -> None:
        """Stop it if it runs: also when the bench failed half-way."""
        if self.process is not None and self.process.poll() is None:
            self.stop()

    def _wait_gone(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        mine = server_process(self.port)
        while cpu_by_process(mine):
            if time.monotonic() > deadline:
                raise RuntimeError(f"npsloop web on port {self.port} still runs {timeout} s on")
            time.sleep(0.05)


@contextmanager
def gunicorn(
    env: dict[str, str], *, workers: int, worker_class: str = "sync", threads: int = 1
) -> Iterator[str]:
    """Start `npsloop.wsgi:application` under gunicorn on loopback; yield its base URL."""
    port = free_port()
    command = [
        str(GUNICORN),
        "npsloop.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        f"--worker-class={worker_class}",
        f"--threads={threads}",
        "--log-level=warning",
        "--backlog=2048",
        # Its process titles (setproctitle is installed) then name the port: server_process.
        f"--name=npsloop-gunicorn-127.0.0.1:{port}",
    ]
    with _serving(command, env, port) as base:
        yield base


@contextmanager
def _serving(command: list[str], env: dict[str, str], port: int) -> Iterator[str]:
    server = subprocess.Popen(command, env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, server)
        yield base
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def wait_healthy(base: str, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the web server exited with code {server.returncode} first")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the web server did not answer {base}/healthz in {timeout:.0f} s")
