"""`npsloop plan --survey ID [--days N] [--dry-run]`: run a survey's programme now, or only
show what it would do."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from npsloop.program.models import Programme
from npsloop.program.planner import forecast, plan
from npsloop.surveys.models import Survey

MAX_DAYS = 730


class Command(BaseCommand):
    help = (
        "Plan a survey's asks from its programme, as the worker does every five minutes: "
        "prints the asks created and the contacts each rule kept out. --dry-run creates "
        "nothing; --days N also prints how many asks go out each day over the next N days."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--survey", type=int, required=True, metavar="ID")
        parser.add_argument("--days", type=int, default=0, help="forecast this many days")
        parser.add_argument("--dry-run", action="store_true", help="create no asks")

    def handle(self, *args: Any, **options: Any) -> None:
        survey = Survey.objects.select_related("workspace").filter(pk=options["survey"]).first()
        if survey is None:
            raise CommandError(f"no survey with id {options['survey']}")
        if not 0 <= options["days"] <= MAX_DAYS:
            raise CommandError(f"--days must be from 0 to {MAX_DAYS}, got {options['days']}")
        programme, _ = Programme.objects.get_or_create(survey=survey)
        if not programme.enabled and not options["dry_run"]:
            raise CommandError(
                f"survey {survey.pk}'s programme is off; switch it on in the survey's settings, "
                "or look with --dry-run"
            )
        report = plan(survey, dry_run=options["dry_run"])
        verb = "would ask" if options["dry_run"] else "asked"
        waves = ", ".join(f"wave {w}: {n}" for w, n in sorted(report.waves.items())) or "nobody"
        self.stdout.write(f"{verb} now: {sum(report.waves.values())} ({waves})")
        if report.fell_back:
            self.stdout.write(f"in-app asks moved to email: {report.fell_back}")
        self.stdout.write("kept out now:")
        for reason, count in report.excluded.items():
            self.stdout.write(f"  {reason:22} {count:>9,}")
        if options["days"]:
            ahead = forecast(survey, options["days"])
            self.stdout.write(f"asks per day, next {options['days']} days:")
            for day, count in ahead.days:
                self.stdout.write(f"  {day.isoformat()}  {count:>7,}")
            self.stdout.write(f"  total       {sum(n for _, n in ahead.days):>7,}")
