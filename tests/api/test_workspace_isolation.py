"""A key sees its own workspace only; the rest of the world answers 404, never 403."""

from __future__ import annotations

from api_client import ApiClient

from npsloop.surveys.models import Survey


def seed(api: ApiClient, survey: Survey) -> int:
    api.put("/api/v1/contacts/u1", {"email": "ann@example.com"})
    api.put("/api/v1/accounts/acme", {"name": "Acme"})
    r = api.post(
        "/api/v1/responses", {"survey": survey.pk, "contact": {"external_id": "u1"}, "score": 2}
    )
    return int(r.json()["id"])


def test_it_answers_404_for_another_workspaces_things(
    api: ApiClient, other_api: ApiClient, survey: Survey
) -> None:
    response_id = seed(api, survey)
    for path in [
        "/api/v1/contacts/u1",
        "/api/v1/accounts/acme",
        f"/api/v1/surveys/{survey.pk}",
        f"/api/v1/responses/{response_id}",
    ]:
        assert api.get(path).status_code == 200, path
        r = other_api.get(path)
        assert r.status_code == 404, path
        assert "in this workspace" in r.json()["detail"]
    assert other_api.patch(f"/api/v1/responses/{response_id}", {"score": 10}).status_code == 404
    assert other_api.delete("/api/v1/contacts/u1").status_code == 404
    assert api.get(f"/api/v1/responses/{response_id}").json()["score"] == 2
    assert api.get("/api/v1/contacts/u1").status_code == 200


def test_it_reads_another_workspaces_survey_like_a_missing_one(
    api: ApiClient, other_api: ApiClient, survey: Survey
) -> None:
    missing = survey.pk + 1000
    answer = {"contact": {"external_id": "u1"}, "score": 9}
    foreign = other_api.post("/api/v1/responses", {**answer, "survey": survey.pk})
    absent = other_api.post("/api/v1/responses", {**answer, "survey": missing})
    assert foreign.status_code == absent.status_code == 422
    assert foreign.json()["detail"][0]["msg"].replace(str(survey.pk), "N") == absent.json()[
        "detail"
    ][0]["msg"].replace(str(missing), "N")
    assert other_api.get(f"/api/v1/surveys/{survey.pk}").json() == {
        "detail": f"no survey with id {survey.pk} in this workspace"
    }
    assert other_api.get(f"/api/v1/surveys/{missing}").json() == {
        "detail": f"no survey with id {missing} in this workspace"
    }


def test_it_lists_only_the_workspaces_own_rows(
    api: ApiClient, other_api: ApiClient, survey: Survey, other_survey: Survey
) -> None:
    seed(api, survey)
    for path in ["/api/v1/contacts", "/api/v1/responses", "/api/v1/releases"]:
        assert other_api.get(path).json()["items"] == [], path
    assert [s["id"] for s in other_api.get("/api/v1/surveys").json()["items"]] == [other_survey.pk]
    [row] = other_api.get("/api/v1/metrics").json()
    assert row["n"] == 0


def test_it_keeps_contacts_with_the_same_id_apart(api: ApiClient, other_api: ApiClient) -> None:
    api.put("/api/v1/contacts/u1", {"name": "Mine"})
    other_api.put("/api/v1/contacts/u1", {"name": "Theirs"})
    assert api.get("/api/v1/contacts/u1").json()["name"] == "Mine"
    assert other_api.get("/api/v1/contacts/u1").json()["name"] == "Theirs"
