"""`npsloop worker`: the background worker (Huey consumer)."""

from __future__ import annotations

import signal
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from huey.consumer_options import ConsumerConfig
from huey.contrib.djhuey import HUEY

# Lets a task that is running finish before the worker stops on Ctrl-C or SIGINT.
SHUTDOWN_TIMEOUT = 30


class Command(BaseCommand):
    help = (
        "Run background tasks and the periodic schedule. Run exactly one worker with the "
        "schedule; start workers on other machines with --no-periodic."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--no-periodic",
            action="store_true",
            help="don't run the periodic schedule (for every worker but one)",
        )
        default = settings.HUEY["consumer"]["workers"]  # type: ignore[index]
        parser.add_argument(
            "--workers",
            type=int,
            default=default,
            help=f"threads that run tasks (default {default}, or NPSLOOP_WORKERS)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["workers"] < 1:
            raise CommandError(f"--workers must be at least 1, got {options['workers']}")
        if HUEY.immediate:
            raise CommandError(
                "NPSLOOP_QUEUE_IMMEDIATE is on, so tasks run inside the process that queues "
                "them and a worker would receive nothing; unset it to run a worker"
            )
        config = ConsumerConfig(
            workers=options["workers"],
            worker_type="thread",
            periodic=not options["no_periodic"],
            shutdown_timeout=SHUTDOWN_TIMEOUT,
        )
        config.validate()
        # The consumer handles SIGINT (finish running tasks, then stop) and SIGTERM (stop
        # now) once it has started; a signal in the moment before is a plain, quiet stop.
        signal.signal(signal.SIGTERM, _stop_while_starting)
        try:
            # Log lines go through Django's LOGGING (the root logger); no second handler.
            HUEY.create_consumer(**config.values).run()
        except KeyboardInterrupt:
            self.stderr.write("Stopped while starting.")


def _stop_while_starting(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
