"""The email benches' data, made in a child process on the database its environment names.

    python -m bench.email_fixture seed --contacts N [--rate R] [--sent] [--tokens PATH]
    python -m bench.email_fixture asks
    python -m bench.email_fixture recover-later

`seed` makes a workspace (its send rate raised to R a minute), a survey and N contacts
through the services, then one email ask per contact, due now, through `ask_contacts` as
the API and the CLI would. `--sent` then marks them sent (the state a follow-up page is
opened in) and `--tokens` writes their tokens, one a line, for the load generator.

`asks` reads back, by SQL, how many asks are in each status and the Message-ID recorded
for every sent one, so the bench can compare them with what the mail server received.

`recover-later` does what the next `npsloop send` would do once the asks of killed senders
are stale (CLAIM_STALE, SENDING_STALE: minutes): claimed asks wait again, asks caught while
being handed to the mail server become unknown. The fault bench calls it instead of
waiting ten minutes. Each prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import django

CONTACT_BATCH = 1000


def seed(contacts: int, rate: int, sent: bool, tokens: Path | None) -> dict[str, Any]:
    from django.utils import timezone

    from npsloop.contacts.fields import ContactData
    from npsloop.contacts.services import store_contacts
    from npsloop.program.asks import ask_contacts
    from npsloop.program.models import AskStatus, SurveyRequest
    from npsloop.surveys.configure import create_survey
    from npsloop.surveys.followup import wording_for
    from npsloop.workspaces.configure import create_workspace
    from npsloop.workspaces.models import Workspace

    workspace = create_workspace("Email bench")
    Workspace.objects.filter(pk=workspace.pk).update(send_rate_per_minute=rate)
    survey = create_survey(workspace, name="Email bench relationship NPS", product_name="Bench Co")
    ids = [f"bench-{n:07d}" for n in range(contacts)]
    for start in range(0, contacts, CONTACT_BATCH):
        batch = [
            ContactData(external_id=external_id, email=f"{external_id}@example.com", name=name)
            for external_id, name in (
                (ids[n], f"Person {n}") for n in range(start, min(start + CONTACT_BATCH, contacts))
            )
        ]
        refused = [item for item in store_contacts(workspace, batch) if isinstance(item, Exception)]
        if refused:
            raise SystemExit(f"email_fixture: {len(refused)} contacts refused: {refused[0]}")
    report = ask_contacts(survey, ids)
    if report.skipped:
        first = report.skipped[0]
        raise SystemExit(
            f"email_fixture: {len(report.skipped)} of {contacts} asks skipped, "
            f"e.g. {first.contact}: {first.reason}"
        )
    asks = SurveyRequest.objects.filter(survey=survey)
    if sent:
        now = timezone.now()
        asks.update(status=AskStatus.SENT, sent_at=now, last_sent_at=now, updated_at=now)
    if tokens is not None:
        tokens.write_text(
            "".join(f"{token}\n" for token in asks.values_list("token", flat=True)),
            encoding="ascii",
        )
    return {
        "workspace": workspace.slug,
        "survey": survey.pk,
        "asks": asks.count(),
        "rate_per_minute": rate,
        "question": wording_for(survey, None).question(),
    }


def asks_by_status() -> dict[str, Any]:
    """Plain SQL rather than the ORM, so the check does not share the sender's code."""
    from django.db import connection

    from npsloop.program.models import SurveyRequest

    table = connection.ops.quote_name(SurveyRequest._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT status, count(*) FROM {table} GROUP BY status")
        statuses = {status: count for status, count in cursor.fetchall()}
        cursor.execute(f"SELECT message_id FROM {table} WHERE status = 'sent'")
        message_ids = [message_id for (message_id,) in cursor.fetchall()]
    return {"statuses": statuses, "message_ids": message_ids}


def recover_later() -> dict[str, Any]:
    from django.utils import timezone

    from npsloop.program.sending import CLAIM_STALE, SENDING_STALE, recover_stale

    later = timezone.now() + max(CLAIM_STALE, SENDING_STALE) + timedelta(minutes=1)
    return {"unknown": recover_stale(later)}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.email_fixture", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    seeding = commands.add_parser("seed", help="workspace, survey, contacts and due asks")
    seeding.add_argument("--contacts", type=int, required=True)
    seeding.add_argument("--rate", type=int, default=1000, help="send_rate_per_minute")
    seeding.add_argument("--sent", action="store_true", help="mark the asks sent")
    seeding.add_argument("--tokens", type=Path, help="write the asks' tokens here")
    commands.add_parser("asks", help="asks per status and the sent Message-IDs")
    commands.add_parser("recover-later", help="recover killed senders' asks as if stale")
    args = parser.parse_args(argv)
    django.setup()
    if args.command == "seed":
        result = seed(args.contacts, args.rate, args.sent, args.tokens)
    elif args.command == "recover-later":
        result = recover_later()
    else:
        result = asks_by_status()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
