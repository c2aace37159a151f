"""`npsloop web`: the production web server (granian) only."""

from __future__ import annotations

import os
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from npsloop.ops.serving import (
    DEFAULT_WEB_WORKERS,
    WEB_PARENT,
    WEB_THREADS,
    check_port,
    ensure_static_root,
    web_argv,
)


class Command(BaseCommand):
    help = (
        "Serve npsloop with granian (no background worker: run `npsloop worker` too). "
        "Further granian options can be given as GRANIAN_* environment variables."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="default 127.0.0.1")
        parser.add_argument("--port", type=int, default=8000, help="default 8000")
        parser.add_argument(
            "--workers",
            type=int,
            default=DEFAULT_WEB_WORKERS,
            help=f"web processes, each with {WEB_THREADS} threads (default {DEFAULT_WEB_WORKERS})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["workers"] < 1:
            raise CommandError(f"--workers must be at least 1, got {options['workers']}")
        check_port(options["host"], options["port"])
        ensure_static_root()
        argv = web_argv(options["host"], options["port"], options["workers"])
        # granian takes over this process, so its own signal handling (Ctrl-C, SIGTERM for
        # a graceful stop, SIGHUP to reload) applies unchanged; its workers know its pid.
        os.environ[WEB_PARENT] = str(os.getpid())
        os.execv(argv[0], argv)
