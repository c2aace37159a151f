"""Loading the planner's arrays: every number read straight from the database, NULL as NaN,
in contact id order, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from npsloop.contacts.fields import ContactData
from npsloop.contacts.services import upsert_contacts
from npsloop.program.models import AskStatus, SurveyRequest
from npsloop.program.population import epoch_days, load_population
from npsloop.surveys.configure import create_survey
from npsloop.surveys.models import Survey
from npsloop.surveys.responses import ResponseData, record_response
from npsloop.workspaces.models import Workspace

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def _ask(survey: Survey, contact_id: int, wave: int | None, when: datetime, status: str) -> None:
    SurveyRequest.objects.create(
        workspace_id=survey.workspace_id,
        survey=survey,
        contact_id=contact_id,
        channel="email",
        wave=wave,
        token=f"t{contact_id}-{survey.pk}-{wave}-{status}",
        status=status,
        due_at=when,
        sent_at=None if status == AskStatus.SCHEDULED else when,
    )


def test_it_reads_each_contact_with_its_history(workspace: Workspace, survey: Survey) -> None:
    other = create_survey(workspace, name="Other", product_name="Acme")
    signed = NOW - timedelta(days=100, hours=3, microseconds=250)
    upsert_contacts(
        workspace,
        [
            ContactData(external_id="a", email="a@example.com", signed_up_at=signed),
            ContactData(external_id="b", email="b@example.com"),
            ContactData(external_id="c", signed_up_at=signed),
        ],
    )
    a, b, c = (c.pk for c in workspace.contacts.order_by("external_id"))
    # The first rows of the asks hold NULLs for this survey: asked by another one only.
    _ask(other, a, 1, NOW - timedelta(days=40), AskStatus.SENT)
    _ask(survey, b, 2, NOW - timedelta(days=10), AskStatus.SENT)
    _ask(survey, b, None, NOW - timedelta(days=1), AskStatus.SCHEDULED)
    record_response(
        workspace,
        ResponseData(
            survey=survey,
            score=9,
            contact=workspace.contacts.get(pk=a),
            created_at=NOW - timedelta(days=5),
        ),
    )
    population = load_population(survey, NOW)

    assert population.contact_id.tolist() == sorted([a, b, c])
    at = {pk: i for i, pk in enumerate(population.contact_id.tolist())}
    # To the microsecond, on both databases: the cooldown's edge depends on it.
    assert population.start[at[a]] == epoch_days(signed)
    assert population.wave[at[a]] == 0 and np.isnan(population.wave_at[at[a]])
    assert population.wave[at[b]] == 2
    assert population.wave_at[at[b]] == epoch_days(NOW - timedelta(days=10))
    assert population.last_contact[at[a]] == epoch_days(NOW - timedelta(days=5))
    assert np.isnan(population.last_contact[at[c]])
    assert population.pending.tolist() == [pk == b for pk in population.contact_id.tolist()]
    # Unsubscribed, bounced, no email address: only c has no email.
    assert population.fails.tolist() == [[False, False, pk == c] for pk in sorted([a, b, c])]
