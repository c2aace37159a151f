"""Starting the production web server and the worker as processes: shared by `npsloop run`,
`npsloop web` and `npsloop worker`."""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

# One process per core: the Python that answers a request holds its process's lock, so
# more processes, not threads, use more cores. Threads run while others wait on the
# database (a commit waits for the disk): four per process keep the cores busier than two
# when every request writes (bench/README.md: "the web server").
DEFAULT_WEB_WORKERS = max(1, min(4, os.cpu_count() or 1))
WEB_THREADS = 4
# The process id of `npsloop web`'s main process, for its workers (ops/web_worker.py).
WEB_PARENT = "NPSLOOP_WEB_PID"


def web_argv(
    host: str, port: int, workers: int, log_level: str = "info", threads: int = WEB_THREADS
) -> list[str]:
    """The production web server: granian, serving `npsloop.wsgi:application`. Its HTTP
    side is Rust, which leaves the cores to npsloop: on two cores it answers several times
    the requests gunicorn does (bench/README.md). Further options: GRANIAN_* variables."""
    return [
        sys.executable,
        "-m",
        "granian",
        "--interface=wsgi",
        f"--host={host}",
        f"--port={port}",
        f"--workers={workers}",
        f"--blocking-threads={threads}",
        "--no-ws",
        "--respawn-failed-workers",
        "--workers-kill-timeout=10",
        f"--log-level={log_level}",
        f"--process-name=npsloop web {bind_address(host, port)}",
        # npsloop.wsgi's application, in workers that end with the main process.
        "npsloop.ops.web_worker:application",
    ]


def ensure_static_root() -> None:
    """WhiteNoise serves from the installed packages (WHITENOISE_USE_FINDERS) but warns on
    every start when STATIC_ROOT is missing; an empty folder is all it needs."""
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


def worker_argv() -> list[str]:
    return [sys.executable, "-m", "npsloop", "worker"]


def bind_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def local_url(host: str, port: int) -> str:
    """The address to print: a wildcard host is reachable on loopback."""
    shown = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    return f"http://{bind_address(shown, port)}/"


def check_port(host: str, port: int) -> None:
    """Fail before starting anything when the address is taken, with a message that helps."""
    if not 0 < port < 65536:
        raise CommandError(f"--port must be from 1 to 65535, got {port}")
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as error:
        raise CommandError(
            f"--host {host!r} is not an address this machine knows: {error}"
        ) from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            raise CommandError(
                f"cannot listen on {bind_address(host, port)}: {error.strerror}. Is npsloop or "
                "another server already running there? Choose another port with --port."
            ) from None


def die_with_parent() -> None:
    """In a child process (Linux): receive SIGTERM if its parent (`npsloop run`, or the web
    server's main process) is killed, so no orphaned server keeps the port."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
