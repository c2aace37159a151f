"""GET/PATCH /api/v1/surveys/{id}/programme and GET …/forecast."""

from __future__ import annotations

from datetime import timedelta

import pytest
from api_client import ApiClient
from django.utils import timezone

from npsloop.contacts.fields import ContactData
from npsloop.contacts.services import upsert_contacts
from npsloop.program.models import SurveyRequest
from npsloop.surveys.models import Survey
from npsloop.workspaces.models import Workspace


def test_it_reads_and_changes_the_programme(api: ApiClient, survey: Survey) -> None:
    url = f"/api/v1/surveys/{survey.pk}/programme"
    body = api.get(url).json()
    assert (body["enabled"], body["kind"], body["initial_min_days"]) == (False, "lifecycle", 7)
    reply = api.patch(url, {"enabled": True, "channels": ["in-app", "email"], "daily_cap": 100})
    assert reply.status_code == 200, reply.json()
    assert reply.json()["channels"] == ["in-app", "email"]


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"initial_min_days": 30}, ["body", "initial_max_days"]),
        ({"channels": ["pigeon"]}, ["body", "channels"]),
        ({"channels": []}, ["body", "channels"]),
        ({"sample_percent": 0}, ["body", "sample_percent"]),
        ({"kind": "one_off"}, ["body", "one_off_at"]),
        ({"blackout_days": -1}, ["body", "blackout_days"]),
    ],
)
def test_it_refuses_bad_programmes(
    api: ApiClient, survey: Survey, body: dict[str, object], loc: list[str]
) -> None:
    reply = api.patch(f"/api/v1/surveys/{survey.pk}/programme", body)
    assert reply.status_code == 422
    assert loc in [d["loc"] for d in reply.json()["detail"]], reply.json()
    assert api.get(f"/api/v1/surveys/{survey.pk}/programme").json()["kind"] == "lifecycle"


def test_the_forecast(
    api: ApiClient, other_api: ApiClient, workspace: Workspace, survey: Survey
) -> None:
    now = timezone.now()
    upsert_contacts(
        workspace,
        [
            ContactData(
                external_id=f"c{n}", email=f"c{n}@x.com", signed_up_at=now - timedelta(days=n)
            )
            for n in range(30)
        ],
    )
    body = api.get(f"/api/v1/surveys/{survey.pk}/forecast?days=20").json()
    assert len(body["days"]) == 20
    assert body["asked_now"] + body["excluded_now"].get("not yet in a wave", 0) == 30
    assert sum(day["asks"] for day in body["days"]) == 30
    assert not SurveyRequest.objects.exists()
    assert api.get(f"/api/v1/surveys/{survey.pk}/forecast?days=0").status_code == 422
    assert other_api.get(f"/api/v1/surveys/{survey.pk}/forecast").status_code == 404
