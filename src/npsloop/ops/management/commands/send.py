"""`npsloop send`: send the survey emails that are due, now, from this process."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from npsloop.channels.email.dispatch import Dispatched, send_due_asks


class Command(BaseCommand):
    help = (
        "Send due survey emails and reminders until none are due. The worker does this every "
        "minute; this is for operators and scripts. Safe beside running workers: every "
        "email is sent at most once."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--loop", action="store_true", help="keep going, checking every few seconds"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        total = Dispatched()
        while True:
            batch = send_due_asks()
            total.add(batch)
            if batch.sent + batch.cancelled + batch.failed + batch.unknown == 0:
                if not options["loop"]:
                    break
                time.sleep(5)
        for error in dict.fromkeys(total.errors):
            self.stderr.write(error)
        self.stdout.write(
            f"sent {total.sent}, deferred {total.deferred}, failed {total.failed}, "
            f"cancelled {total.cancelled}, outcome unknown {total.unknown}"
        )
