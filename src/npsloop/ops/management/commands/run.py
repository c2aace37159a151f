"""`npsloop run`: the web server and the worker together, until Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import time
import urllib.request
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections

from npsloop.ops.demo import load_demo
from npsloop.ops.first_run import admin_login_lines, create_first_run_admin
from npsloop.ops.serving import (
    DEFAULT_WEB_WORKERS,
    check_port,
    die_with_parent,
    ensure_static_root,
    local_url,
    web_argv,
    worker_argv,
)
from npsloop.workspaces.models import Workspace

STARTUP_TIMEOUT = 60.0
STOP_TIMEOUT = 40.0


class Command(BaseCommand):
    help = (
        "Prepare the database, then run the web server (granian) and the background worker "
        "until Ctrl-C or SIGTERM, which stop both."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="default 127.0.0.1")
        parser.add_argument("--port", type=int, default=8000, help="default 8000")
        parser.add_argument(
            "--first-run-demo",
            action="store_true",
            help='on a database without workspaces: create the "admin" login and load the '
            '"Acme Cloud" demo workspace',
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        check_port(host, port)
        ensure_static_root()
        self.stdout.write(f"Database: {describe_database()}")
        call_command("migrate", interactive=False, verbosity=0)
        if options["first_run_demo"] and not Workspace.objects.exists():
            self.stdout.write('First run: creating the admin login and the "Acme Cloud" demo…')
            loaded = load_demo(owners=[create_first_run_admin()])
            self.stdout.write(
                f"  {sum(loaded.contacts.values())} contacts in {loaded.accounts} accounts, "
                f"{sum(loaded.responses.values())} responses."
            )
        login = admin_login_lines()
        connections.close_all()
        Supervisor(host, port).run(self, login)


def describe_database() -> str:
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        return f"SQLite, {db['NAME']}"
    return f"{connection.vendor} {db.get('NAME')} on {db.get('HOST') or 'localhost'}"


class Supervisor:
    """Starts the web server and the worker in their own sessions (so a Ctrl-C reaches only us),
    and stops both — gracefully, then firmly — when told to or when either one dies."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.url = local_url(host, port)
        self.stop_signal: int | None = None

    def run(self, command: BaseCommand, login: list[str]) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._on_signal)
        web = self._start(web_argv(self.host, self.port, DEFAULT_WEB_WORKERS, "warning"))
        worker = self._start(worker_argv())
        children = {"web server": web, "worker": worker}
        try:
            self._wait_until_serving(web)
            if self.stop_signal is None:
                command.stdout.write(
                    "\n".join(
                        [
                            "",
                            f"npsloop is running at {self.url}",
                            *login,
                            f"Admin: {self.url}admin/   API docs: {self.url}api/v1/docs",
                            "Press Ctrl-C to stop the web server and the worker.",
                            "",
                        ]
                    )
                )
                # Whoever reads a pipe or a log file should see it now, not at exit.
                command.stdout.flush()
            died = self._wait_for_stop(children)
        finally:
            # Both graceful: the web server finishes its requests, the worker its running tasks.
            self._stop([(web, signal.SIGTERM), (worker, signal.SIGINT)])
        if died is not None:
            raise CommandError(
                f"the {died} stopped unexpectedly (exit code {children[died].returncode}); "
                "stopped the rest. See its messages above."
            )
        command.stdout.write("Stopped the web server and the worker.")

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stop_signal = signum

    def _start(self, argv: list[str]) -> subprocess.Popen[bytes]:
        return subprocess.Popen(argv, start_new_session=True, preexec_fn=die_with_parent)

    def _wait_until_serving(self, web: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while self.stop_signal is None and web.poll() is None:
            try:
                with urllib.request.urlopen(f"{self.url}healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise CommandError(f"the web server did not answer on {self.url} within 60 s")
            time.sleep(0.2)

    def _wait_for_stop(self, children: dict[str, subprocess.Popen[bytes]]) -> str | None:
        """Block until a stop signal (None) or a child's exit (its name)."""
        while self.stop_signal is None:
            for name, child in children.items():
                if child.poll() is not None:
                    return name
            time.sleep(0.2)
        return None

    def _stop(self, children: list[tuple[subprocess.Popen[bytes], int]]) -> None:
        for child, signum in children:
            if child.poll() is None:
                child.send_signal(signum)
        deadline = time.monotonic() + STOP_TIMEOUT
        for child, _ in children:
            try:
                child.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
