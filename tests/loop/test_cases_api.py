"""/api/v1/cases: listing with the inbox's filters, reading and working a case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from api_client import ApiClient

from npsloop.events.models import Event
from npsloop.loop.cases import Actor, assign
from npsloop.loop.models import Case, CaseActivity, Team
from npsloop.surveys.annotations import change_tags, create_tag
from npsloop.surveys.models import Survey
from npsloop.workspaces.models import Member, Role, Workspace

from .conftest import Answer, make_member

pytestmark = pytest.mark.django_db
URL = "/api/v1/cases"


@pytest.fixture
def case(answer: Answer) -> Case:
    return Case.objects.get(response=answer(2, comment="slow"))


def ids(api: ApiClient, query: str = "") -> list[int]:
    r = api.get(f"{URL}?{query}")
    assert r.status_code == 200, r.json()
    return [item["id"] for item in r.json()["items"]]


def problems(r: Any) -> dict[str, str]:
    assert r.status_code == 422, r.json()
    return {item["loc"][-1]: item["msg"] for item in r.json()["detail"]}


def test_it_reads_a_case_with_its_tags_and_history(
    api: ApiClient, case: Case, workspace: Workspace
) -> None:
    change_tags([case.response], add=[create_tag(workspace, "pricing")])
    r = api.get(f"{URL}/{case.pk}")
    assert r.status_code == 200
    data = r.json()
    assert data["response"] == case.response_id
    assert (data["status"], data["category"], data["kind"]) == ("open", "detractor", "follow_up")
    assert data["tags"] == ["pricing"]
    assert data["overdue"] is False
    assert [line["kind"] for line in data["history"]] == ["opened"]
    assert data["history"][0]["by"] == "npsloop"


def test_it_lists_by_due_time_in_pages(api: ApiClient, answer: Answer) -> None:
    made = []
    for who in range(5):
        with time_machine.travel(datetime(2026, 3, 5 - who, 9, tzinfo=UTC)):
            made.append(Case.objects.get(response=answer(3, who=f"u{who}")).pk)
    seen: list[int] = []
    cursor = ""
    while True:
        r = api.get(f"{URL}?limit=2{cursor}")
        body = r.json()
        seen += [item["id"] for item in body["items"]]
        if body["next_cursor"] is None:
            break
        cursor = f"&cursor={body['next_cursor']}"
    assert seen == list(reversed(made))  # the one opened last is due first here: reversed


def test_the_filters_combine(
    api: ApiClient, answer: Answer, workspace: Workspace, cora: Member
) -> None:
    detractor = Case.objects.get(response=answer(1, who="a", plan="pro"))
    passive = Case.objects.get(response=answer(8, who="b", comment="meh"))
    promoter = Case.objects.get(response=answer(10, who="c"))
    assign(detractor, cora, by=Actor("Test"))
    change_tags([passive.response], add=[create_tag(workspace, "Onboarding")])
    team = Team.objects.create(workspace=workspace, name="Support")
    Case.objects.filter(pk=promoter.pk).update(team=team)
    assert ids(api, "category=detractor") == [detractor.pk]
    assert ids(api, "kind=advocacy") == [promoter.pk]
    assert ids(api, "owner=CORA@acme.test") == [detractor.pk]
    assert set(ids(api, "owner=none")) == {passive.pk, promoter.pk}
    assert ids(api, "tag=onboarding") == [passive.pk]
    assert ids(api, "team=support") == [promoter.pk]
    assert ids(api, "status=open&category=passive") == [passive.pk]
    assert ids(api, "status=resolved") == []
    assert len(ids(api, "opened_after=2000-01-01&opened_before=2099-01-01")) == 3
    assert ids(api, "opened_before=2000-01-01") == []


def test_overdue_means_open_past_its_due_time(api: ApiClient, case: Case) -> None:
    assert ids(api, "overdue=true") == []
    with time_machine.travel(case.due_at + timedelta(minutes=1)):
        assert ids(api, "overdue=true") == [case.pk]
        assert ids(api, "overdue=false") == []
        assert api.get(f"{URL}/{case.pk}").json()["overdue"] is True
        after_due = (case.due_at + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        assert ids(api, f"due_before={after_due}") == [case.pk]
        assert ids(api, f"due_before={case.due_at.strftime('%Y-%m-%dT%H:%M:%SZ')}") == []


def test_bad_filters_name_what_is_accepted(
    api: ApiClient, case: Case, workspace: Workspace
) -> None:
    create_tag(workspace, "pricing")
    found = problems(api.get(f"{URL}?owner=nobody@x.test&team=Ghosts&tag=nope&account=zz"))
    assert "no member with email 'nobody@x.test'" in found["owner"]
    assert "no team named 'Ghosts'" in found["team"]
    assert "pricing" in found["tag"]
    assert "no account with external id 'zz'" in found["account"]
    assert "open" in problems(api.get(f"{URL}?status=shut"))["status"]
    assert "from 1 to 1000" in problems(api.get(f"{URL}?limit=0"))["limit"]
    assert "from 1 to 1000" in problems(api.get(f"{URL}?limit=1001"))["limit"]
    assert "cursor" in problems(api.get(f"{URL}?cursor=bm9wZQ"))["cursor"]
    assert "survey" in problems(api.get(f"{URL}?survey=999999"))


def test_patch_works_the_case_in_one_go(
    api: ApiClient, case: Case, cora: Member, workspace: Workspace
) -> None:
    create_tag(workspace, "Pricing")
    due = datetime(2027, 1, 4, 9, tzinfo=UTC)
    with time_machine.travel(datetime(2026, 12, 20, tzinfo=UTC)):
        r = api.patch(
            f"{URL}/{case.pk}",
            {
                "owner": "cora@acme.test",
                "status": "contacted",
                "outcome": "explained",
                "due_at": due.isoformat(),
                "priority": "urgent",
                "tags": ["pricing"],
                "version": case.version,
            },
        )
    assert r.status_code == 200, r.json()
    data = r.json()
    assert data["owner"]["email"] == "cora@acme.test"
    assert (data["status"], data["outcome"], data["priority"]) == (
        "contacted",
        "Explained",
        "urgent",
    )
    assert data["due_at"].startswith("2027-01-04T09:00:00")
    assert data["tags"] == ["Pricing"]
    assert data["version"] == case.version + 3
    lines = CaseActivity.objects.filter(case=case).exclude(kind="opened")
    assert {line.actor_name for line in lines} == {"tests"}  # the API key's name
    assert {e.type for e in Event.objects.filter(response_id=case.response_id)} >= {
        "case.assigned",
        "case.updated",
        "case.status_changed",
        "response.tagged",
    }
    later = api.patch(f"{URL}/{case.pk}", {"priority": "low", "due_at": "2027-01-05T09:00:00Z"})
    assert later.json()["outcome"] == "Explained"  # a change of due time keeps the outcome
    r = api.patch(f"{URL}/{case.pk}", {"owner": None, "outcome": None, "priority": "urgent"})
    assert (r.json()["owner"], r.json()["outcome"]) == (None, None)
    assert r.json()["priority"] == "urgent"


def test_a_move_not_allowed_is_409_naming_the_allowed_and_keeps_nothing(
    api: ApiClient, case: Case
) -> None:
    r = api.patch(f"{URL}/{case.pk}", {"priority": "low", "status": "resolved"})
    assert r.status_code == 409
    assert r.json()["allowed"] == ["contacted", "closed"]
    assert "can become contacted, closed" in r.json()["detail"]
    assert Case.objects.get(pk=case.pk).priority == "high"


def test_a_stale_version_is_409_by_body_or_if_match(api: ApiClient, case: Case) -> None:
    first = api.patch(f"{URL}/{case.pk}", {"priority": "low", "version": case.version})
    assert first.status_code == 200
    for body, headers in (
        ({"priority": "urgent", "version": case.version}, {}),
        ({"priority": "urgent"}, {"If-Match": f'"{case.version}"'}),
    ):
        r = api.patch(f"{URL}/{case.pk}", body, **headers)
        assert r.status_code == 409, r.json()
        assert r.json()["version"] == case.version + 1
        assert "changed by someone else" in r.json()["detail"]
    assert Case.objects.get(pk=case.pk).priority == "low"
    fresh = api.patch(f"{URL}/{case.pk}", {"priority": "urgent"}, **{"If-Match": "2"})
    assert fresh.status_code == 200
    assert (
        "whole number"
        in problems(api.patch(f"{URL}/{case.pk}", {"priority": "low"}, **{"If-Match": "latest"}))[
            "If-Match"
        ]
    )


def test_bad_edits_are_422_with_each_fields_message(
    api: ApiClient, case: Case, workspace: Workspace, other_workspace: Workspace
) -> None:
    make_member(workspace, "viewer@acme.test", Role.VIEWER)
    make_member(other_workspace, "stranger@other.test", Role.EDITOR)
    create_tag(workspace, "pricing")
    for owner in ("viewer@acme.test", "stranger@other.test", "ghost@acme.test"):
        found = problems(api.patch(f"{URL}/{case.pk}", {"owner": owner}))
        assert "who works cases" in found["owner"], owner
    found = problems(api.patch(f"{URL}/{case.pk}", {"outcome": "Won", "tags": ["nope"]}))
    assert "Fixed, Explained" in found["outcome"]
    assert "pricing" in found["tags"]
    assert "status" in problems(api.patch(f"{URL}/{case.pk}", {"status": "shut"}))
    assert "priority" in problems(api.patch(f"{URL}/{case.pk}", {"priority": None}))
    assert "due_at" in problems(api.patch(f"{URL}/{case.pk}", {"due_at": "2026-13-01"}))
    far = (datetime.now(UTC) + timedelta(days=800)).isoformat()
    assert "within 366 days" in problems(api.patch(f"{URL}/{case.pk}", {"due_at": far}))["due_at"]
    unchanged = Case.objects.get(pk=case.pk)
    assert (unchanged.owner_id, unchanged.version) == (None, case.version)


def test_another_workspaces_case_is_404(
    api: ApiClient, other_api: ApiClient, case: Case, other_survey: Survey
) -> None:
    assert other_api.get(f"{URL}/{case.pk}").status_code == 404
    r = other_api.patch(f"{URL}/{case.pk}", {"priority": "low"})
    assert r.status_code == 404
    assert r.json() == {"detail": f"no case with id {case.pk} in this workspace"}
    assert ids(other_api) == []
    assert Case.objects.get(pk=case.pk).priority == "high"
    assert ApiClient(None).get(URL).status_code == 401
    assert ApiClient("wrong").get(f"{URL}/{case.pk}").status_code == 401


def test_the_openapi_document_declares_the_answers(api: ApiClient) -> None:
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths[URL + "/{case_id}"]["patch"]["responses"]) == {
        "200",
        "400",
        "401",
        "404",
        "409",
        "413",
        "422",
    }
    limit = next(p for p in paths[URL]["get"]["parameters"] if p["name"] == "limit")
    assert (limit["schema"]["minimum"], limit["schema"]["maximum"]) == (1, 1000)
