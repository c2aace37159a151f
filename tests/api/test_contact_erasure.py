"""DELETE /api/v1/contacts/{id}: the person goes, their scores stay counted anonymously."""

from __future__ import annotations

from api_client import ApiClient

from npsloop.contacts.models import Contact
from npsloop.surveys.models import Survey


def test_it_erases_the_person_and_keeps_their_scores_counted(
    api: ApiClient, survey: Survey
) -> None:
    contact = {"external_id": "u1", "email": "ann@example.com", "properties": {"plan": "pro"}}
    posted = api.post(
        "/api/v1/responses",
        {"survey": survey.pk, "contact": contact, "score": 2, "comment": "I am Ann, call me"},
    ).json()
    api.post(
        "/api/v1/responses", {"survey": survey.pk, "contact": {"external_id": "u2"}, "score": 10}
    )
    before = api.get("/api/v1/metrics").json()
    r = api.delete("/api/v1/contacts/u1")
    assert r.status_code == 200
    assert r.json() == {"erased": True, "responses_anonymised": 1}
    assert api.get("/api/v1/contacts/u1").status_code == 404
    assert not Contact.objects.filter(external_id="u1").exists()
    erased = api.get(f"/api/v1/responses/{posted['id']}").json()
    assert erased["contact"] is None
    assert erased["erased"] is True
    assert (erased["comment"], erased["answers"], erased["properties"]) == ("", {}, {})
    assert erased["score"] == 2
    assert api.get("/api/v1/metrics").json() == before


def test_it_answers_404_when_erasing_an_unknown_contact(api: ApiClient) -> None:
    assert api.delete("/api/v1/contacts/nobody").status_code == 404


def test_it_reports_zero_responses_for_a_contact_who_never_answered(api: ApiClient) -> None:
    api.put("/api/v1/contacts/u1", {"name": "Ann"})
    assert api.delete("/api/v1/contacts/u1").json() == {"erased": True, "responses_anonymised": 0}
