"""/metrics counts asked → delivered → responded → commented and the response rate."""

from __future__ import annotations

from api_client import ApiClient
from django.utils import timezone

from npsloop.contacts.fields import ContactData
from npsloop.contacts.models import Contact
from npsloop.contacts.services import upsert_contacts
from npsloop.program.answers import answer_ask
from npsloop.program.asks import ask_contacts
from npsloop.program.models import AskStatus, SurveyRequest
from npsloop.surveys.models import Survey
from npsloop.surveys.responses import update_response
from npsloop.workspaces.models import Workspace


def test_it_follows_asks_to_answers(api: ApiClient, workspace: Workspace, survey: Survey) -> None:
    upsert_contacts(
        workspace,
        [
            ContactData(
                external_id=f"u{n}",
                email=f"u{n}@example.com",
                account_external_id="big" if n < 3 else "small",
                properties={"plan": "pro" if n % 2 else "free"},
            )
            for n in range(6)
        ],
    )
    asks = ask_contacts(survey, [f"u{n}" for n in range(6)]).scheduled
    now = timezone.now()
    # Five delivered, one still waiting; three answered, one of them with a comment.
    SurveyRequest.objects.filter(pk__in=[a.pk for a in asks[:5]]).update(
        status=AskStatus.SENT, sent_at=now, last_sent_at=now
    )
    for ask in asks[:3]:
        ask.refresh_from_db()
        answer_ask(ask, 9)
    update_response(SurveyRequest.objects.get(pk=asks[0].pk).response, comment="Great")  # type: ignore[arg-type]
    # A contact who unsubscribed before the send: cancelled asks were never asked.
    Contact.objects.filter(external_id="u5").update(unsubscribed_at=now)
    SurveyRequest.objects.filter(pk=asks[5].pk).update(status=AskStatus.CANCELLED)

    [row] = api.get(f"/api/v1/metrics?survey={survey.pk}").json()
    assert (row["asked"], row["delivered"], row["responded"], row["commented"]) == (5, 5, 3, 1)
    assert row["response_rate"] == 0.6
    assert row["n"] == 3

    by_account = api.get("/api/v1/metrics?group_by=account").json()
    assert [(r["group"]["account"], r["asked"], r["responded"]) for r in by_account] == [
        ("big", 3, 3),
        ("small", 2, 0),
    ]
    assert by_account[1]["n"] == 0 and by_account[1]["nps"] is None


def test_no_asks_means_zero_and_no_rate(api: ApiClient, survey: Survey) -> None:
    [row] = api.get("/api/v1/metrics").json()
    assert (row["asked"], row["delivered"], row["response_rate"]) == (0, 0, None)
