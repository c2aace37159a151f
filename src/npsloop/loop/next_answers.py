"""What a person answered next, after a case of theirs opened: kept on the case, so the
follow-up tab compares detractors contacted first with the others (recovery) from the cases
alone. The next answer is the person's first answer to the same survey after the case
opened, as the worker sees answers come in; an edit of that answer updates it."""

from __future__ import annotations

from django.db import connection

from npsloop.loop.models import Case
from npsloop.surveys.models import Response


def note_next_answer(response: Response) -> None:
    """Called for every answer recorded or edited, in the case owner's transaction."""
    Case.objects.filter(next_response=response).exclude(next_score=response.score).update(
        next_score=response.score
    )
    if response.contact_id is None:
        return
    Case.objects.filter(
        contact_id=response.contact_id,
        survey_id=response.survey_id,
        next_response__isnull=True,
        opened_at__lt=response.created_at,
    ).exclude(response=response).update(
        next_response=response, next_score=response.score, next_answered_at=response.created_at
    )


def fill_next_answers(workspace_id: int) -> int:
    """Set every case's next answer from the stored answers at once: for cases written in
    bulk (the benches' seeders), which the worker never saw come in. Returns how many
    cases have one."""
    cases, responses = Case._meta.db_table, Response._meta.db_table
    later = (
        f"SELECT r.{{column}} FROM {responses} r WHERE r.contact_id = c.contact_id "
        "AND r.survey_id = c.survey_id AND r.created_at > c.opened_at "
        "ORDER BY r.created_at, r.id LIMIT 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {cases} AS c SET next_response_id = ({later.format(column='id')}), "
            f"next_score = ({later.format(column='score')}), "
            f"next_answered_at = ({later.format(column='created_at')}) "
            "WHERE c.workspace_id = %s AND c.contact_id IS NOT NULL",
            [workspace_id],
        )
    return Case.objects.filter(workspace_id=workspace_id, next_response__isnull=False).count()
