"""PATCH /api/v1/surveys/{id} and GET /api/v1/surveys/{id}/link."""

from __future__ import annotations

import pytest
from api_client import ApiClient

from npsloop.contacts.fields import ContactData
from npsloop.contacts.services import upsert_contact
from npsloop.surveys.models import Survey
from npsloop.workspaces.models import Workspace


def test_it_changes_only_the_fields_sent(api: ApiClient, survey: Survey) -> None:
    reply = api.patch(
        f"/api/v1/surveys/{survey.pk}",
        {
            "texts": {"de": {"followup_detractor": "Was sollen wir zuerst verbessern?"}},
            "extra_questions": [
                {"id": "ease", "type": "rating", "label": {"en": "Ease?", "de": "Einfach?"}}
            ],
            "cta_url": "https://reviews.example.com/acme",
            "sender_email": "team@acme.example",
            "reminders": 2,
            "cooldown_days": 30,
        },
    )
    assert reply.status_code == 200, reply.json()
    body = reply.json()
    assert body["reminders"] == 2
    assert body["name"] == "Relationship NPS"
    assert body["public_url"].endswith(f"/s/{survey.slug}")
    survey.refresh_from_db()
    assert survey.cooldown_days == 30
    assert survey.texts["de"]["followup_detractor"].startswith("Was sollen")
    reply = api.patch(f"/api/v1/surveys/{survey.pk}", {"cooldown_days": None})
    assert reply.json()["cooldown_days"] is None


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"reminders": 3}, ["body", "reminders"]),
        ({"language": "xx"}, ["body", "language"]),
        ({"texts": {"de": {"question": "Wie {produkt}?"}}}, ["body", "texts", "de", "question"]),
        ({"texts": {"kl": {}}}, ["body", "texts", "kl"]),
        (
            {"extra_questions": [{"id": "Bad Id", "type": "text", "label": "x"}]},
            ["body", "extra_questions", "0", "id"],
        ),
        (
            {"extra_questions": [{"id": "a", "type": "single", "label": "x", "options": ["1"]}]},
            ["body", "extra_questions", "0", "options"],
        ),
        ({"cta_url": "javascript:alert(1)"}, ["body", "cta_url"]),
        ({"sender_email": "not-an-email"}, ["body", "sender_email"]),
        ({"name": "  "}, ["body", "name"]),
        ({"cta_audience": "friends"}, ["body", "cta_audience"]),
        ({"edit_days": -1}, ["body", "edit_days"]),
    ],
)
def test_it_refuses_bad_settings_and_changes_nothing(
    api: ApiClient, survey: Survey, body: dict[str, object], loc: list[str]
) -> None:
    before = api.get(f"/api/v1/surveys/{survey.pk}").json()
    reply = api.patch(f"/api/v1/surveys/{survey.pk}", {**body, "sender_name": "Changed"})
    assert reply.status_code == 422
    assert loc in [d["loc"] for d in reply.json()["detail"]], reply.json()
    assert api.get(f"/api/v1/surveys/{survey.pk}").json() == before


def test_it_signs_a_link_for_one_contact(
    api: ApiClient, other_api: ApiClient, survey: Survey, workspace: Workspace
) -> None:
    upsert_contact(workspace, ContactData(external_id="u-1", email="ann@example.com"))
    url = api.get(f"/api/v1/surveys/{survey.pk}/link?contact=ann@example.com").json()["url"]
    assert f"/s/{survey.slug}?c=" in url
    missing = api.get(f"/api/v1/surveys/{survey.pk}/link?contact=ghost")
    assert missing.status_code == 422
    assert other_api.get(f"/api/v1/surveys/{survey.pk}/link?contact=u-1").status_code == 404
