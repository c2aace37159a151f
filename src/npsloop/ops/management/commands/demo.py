"""`npsloop demo`: load the "Acme Cloud" demo workspace."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from npsloop.errors import InvalidInput
from npsloop.ops.demo import load_demo


class Command(BaseCommand):
    help = (
        'Load the "Acme Cloud" demo workspace: contacts in accounts, a year of responses '
        "with comments, a survey and releases. Loading it again changes nothing; every "
        "superuser becomes an owner of it."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--contacts", type=int, default=5000, help="default 5000")
        parser.add_argument("--responses", type=int, default=3000, help="default 3000")
        parser.add_argument("--seed", type=int, default=1, help="same seed, same data (default 1)")

    def handle(self, *args: Any, **options: Any) -> None:
        contacts, responses = options["contacts"], options["responses"]
        if contacts < 1:
            raise CommandError(f"--contacts must be at least 1, got {contacts}")
        if responses < 0:
            raise CommandError(f"--responses must be 0 or more, got {responses}")
        owners = get_user_model().objects.filter(is_superuser=True, is_active=True)
        started = time.monotonic()
        try:
            loaded = load_demo(
                contacts=contacts, responses=responses, seed=options["seed"], owners=owners
            )
        except InvalidInput as error:
            raise CommandError(
                f"the demo workspace holds data that differs from this run ({error}); "
                "load it with the --seed it was first loaded with, or delete the workspace "
                "in the admin first"
            ) from error
        c, r = loaded.contacts, loaded.responses
        self.stdout.write(
            f'Demo workspace "{loaded.workspace.name}" (slug {loaded.workspace.slug}): '
            f"{c['created']} contacts created, {c['updated']} updated, {c['unchanged']} unchanged "
            f"in {loaded.accounts} accounts; {r['created']} responses created, "
            f"{r['unchanged']} already there; {loaded.asks_created} asks and "
            f"{loaded.releases_created} releases created; {loaded.cases_opened} cases opened "
            f"({time.monotonic() - started:.1f} s)."
        )
