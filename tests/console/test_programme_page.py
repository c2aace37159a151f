"""The programme page: a timeline, editable numbers, and a forecast with exclusions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from console_fixtures import SignedIn
from django.utils import timezone

from npsloop.contacts.fields import ContactData
from npsloop.contacts.services import upsert_contacts
from npsloop.program.models import Programme, SurveyRequest
from npsloop.surveys.models import Survey
from npsloop.workspaces.models import Workspace

FORM = {
    "enabled": "on",
    "kind": "lifecycle",
    "initial_min_days": "7",
    "initial_max_days": "14",
    "second_min_days": "30",
    "second_max_days": "90",
    "third_days": "90",
    "every_days": "90",
    "min_tenure_days": "90",
    "one_off_at": "",
    "sample_percent": "100",
    "daily_cap": "",
    "daily_cap_percent": "",
    "account_cap_per_week": "",
    "blackout_days": "14",
    "channels": "in-app,email",
    "fallback_days": "7",
}


def url(survey: Survey) -> str:
    return f"/w/{survey.workspace.slug}/surveys/{survey.pk}/programme/"


def test_an_editor_switches_the_programme_on(
    workspace: Workspace, survey: Survey, signed_in: SignedIn
) -> None:
    client = signed_in(workspace, "editor")
    page = client.get(url(survey)).content.decode()
    assert "initial: 7-14 days after signup" in page
    assert "moment of truth: 30-90 days later" in page
    reply = client.post(url(survey), {**FORM, "daily_cap": "50", "account_cap_per_week": "2"})
    assert reply.status_code == 302
    programme = Programme.objects.get(survey=survey)
    assert programme.enabled and programme.channels == ["in-app", "email"]
    assert (programme.daily_cap, programme.account_cap_per_week) == (50, 2)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"initial_min_days": "20"}, "initial_max_days"),
        ({"second_max_days": "five"}, "second_max_days"),
        ({"sample_percent": "0"}, "sample_percent"),
        ({"daily_cap_percent": "150"}, "daily_cap_percent"),
        ({"kind": "one_off"}, "one_off_at"),
        ({"one_off_at": "tomorrow"}, "one_off_at"),
        ({"one_off_at": "0001-01-01T00:00:00+01:00"}, "one_off_at"),
        ({"one_off_at": "2027-01-10T09:00:00"}, "one_off_at"),
        ({"channels": "sms"}, "channels"),
        ({"kind": "weekly"}, "kind"),
    ],
)
def test_bad_numbers_are_refused(
    workspace: Workspace, survey: Survey, changes: dict[str, str], field: str, signed_in: SignedIn
) -> None:
    client = signed_in(workspace, "editor")
    reply = client.post(url(survey), {**FORM, **changes})
    assert reply.status_code == 422
    assert f"<strong>{field}</strong>" in reply.content.decode()
    assert not Programme.objects.get(survey=survey).enabled


def test_a_one_off_moment_outside_the_range_is_refused_with_the_shared_message(
    workspace: Workspace, survey: Survey, signed_in: SignedIn
) -> None:
    client = signed_in(workspace, "editor")
    given = {"kind": "one_off", "one_off_at": "0001-01-01T00:00:00+01:00"}
    reply = client.post(url(survey), {**FORM, **given})
    assert reply.status_code == 422
    assert (
        "must be a date and time from 1970-01-01 to 2100-01-01 with a time zone offset, "
        "e.g. 2024-05-01T09:30:00Z, got &#x27;0001-01-01T00:00:00+01:00&#x27;"
    ) in reply.content.decode()
    assert Programme.objects.get(survey=survey).one_off_at is None


def test_the_forecast_counts_asks_and_exclusions(
    workspace: Workspace, survey: Survey, signed_in: SignedIn
) -> None:
    now = timezone.now()
    upsert_contacts(
        workspace,
        [
            ContactData(
                external_id=f"c{n}", email=f"c{n}@x.com", signed_up_at=now - timedelta(days=3 + n)
            )
            for n in range(20)
        ],
    )
    client = signed_in(workspace, "editor")
    page = client.get(url(survey) + "?days=30").content.decode()
    assert 'id="forecast-total">20<' in page  # all 20 reach their initial wave within 30 days
    assert "not yet in a wave" in page
    assert not SurveyRequest.objects.exists()
    viewer = signed_in(workspace, "viewer")
    assert viewer.get(url(survey)).status_code == 403
    assert viewer.post(url(survey), FORM).status_code == 403
