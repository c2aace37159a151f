"""The scanner bench's data, made and read in a child process on the database its
environment names.

    python -m bench.scanner_fixture seed --asks N --emails PATH
    python -m bench.scanner_fixture count --emails PATH

`seed` makes a workspace, a survey, N contacts and one email ask each, marked sent, and
writes each ask's token and the HTML of its email (as `compose` renders it, with links to
NPSLOOP_BASE_URL) to PATH as JSON. `count` reads back, for every token of PATH, whether a
response was recorded and with what score, and the survey's counted totals: responses,
rollup (ScoreDay) counts and response events. Each prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import django


def seed(asks: int, emails: Path) -> dict[str, Any]:
    from django.utils import timezone

    from npsloop.channels.email.message import compose
    from npsloop.contacts.fields import ContactData
    from npsloop.contacts.services import store_contacts
    from npsloop.program.asks import ask_contacts
    from npsloop.program.models import AskStatus, SurveyRequest
    from npsloop.surveys.services import create_survey
    from npsloop.workspaces.configure import create_workspace

    workspace = create_workspace("Scanner bench")
    survey = create_survey(workspace, name="Scanner bench NPS", product_name="Bench Co")
    ids = [f"scan-{n:05d}" for n in range(asks)]
    contacts = [ContactData(external_id=i, email=f"{i}@example.com", name=i) for i in ids]
    refused = [item for item in store_contacts(workspace, contacts) if isinstance(item, Exception)]
    if refused:
        raise SystemExit(f"scanner_fixture: {len(refused)} contacts refused: {refused[0]}")
    ask_contacts(survey, ids)
    made = SurveyRequest.objects.filter(survey=survey).select_related("survey", "contact")
    now = timezone.now()
    made.update(status=AskStatus.SENT, sent_at=now, last_sent_at=now, updated_at=now)
    written = []
    for ask in made:
        html = compose(ask).alternatives[0][0]
        written.append({"token": ask.token, "html": html})
    emails.write_text(json.dumps(written), encoding="utf-8")
    return {"survey": survey.pk, "asks": len(written)}


def count(emails: Path) -> dict[str, Any]:
    from django.db.models import Sum

    from npsloop.events.models import Event
    from npsloop.program.models import SurveyRequest
    from npsloop.surveys.models import Response, ScoreDay

    tokens = [email["token"] for email in json.loads(emails.read_text(encoding="utf-8"))]
    scores = dict(
        SurveyRequest.objects.filter(token__in=tokens, response__isnull=False).values_list(
            "token", "response__score"
        )
    )
    return {
        "scores": scores,
        "responses": Response.objects.count(),
        "rollup": ScoreDay.objects.aggregate(total=Sum("count"))["total"] or 0,
        "events": Event.objects.filter(type="response.created").count(),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scanner_fixture", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    seeding = commands.add_parser("seed", help="asks marked sent, and their emails")
    seeding.add_argument("--asks", type=int, required=True)
    seeding.add_argument("--emails", type=Path, required=True)
    counting = commands.add_parser("count", help="what was recorded for those emails")
    counting.add_argument("--emails", type=Path, required=True)
    args = parser.parse_args(argv)
    django.setup()
    result = seed(args.asks, args.emails) if args.command == "seed" else count(args.emails)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
