"""GET /api/v1/events: follow the log by id, filter by type, see only your workspace."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.utils import timezone

from npsloop.contacts.models import Contact
from npsloop.events.log import prune
from npsloop.events.models import Event, EventType
from npsloop.surveys.models import Survey
from npsloop.surveys.responses import ResponseData, record_response, update_response
from npsloop.workspaces.models import Workspace
from tests.api_client import ApiClient


def answer(workspace: Workspace, survey: Survey, contact: Contact | None, score: int) -> int:
    data = ResponseData(survey=survey, score=score, contact=contact)
    return record_response(workspace, data).response.pk


def test_a_follower_sees_every_event_once_in_order(
    api: ApiClient, workspace: Workspace, survey: Survey, ann: Contact
) -> None:
    ids = [answer(workspace, survey, ann, score) for score in range(5)]
    seen: list[int] = []
    after = 0
    while True:
        page = api.get(f"/api/v1/events?after={after}&limit=2").json()
        seen += [item["data"]["response"]["id"] for item in page["items"]]
        assert page["next_after"] >= after
        after = page["next_after"]
        if not page["has_more"]:
            break
    assert seen == ids
    quiet = api.get(f"/api/v1/events?after={after}").json()
    assert quiet == {"items": [], "next_after": after, "has_more": False}
    answer(workspace, survey, ann, 9)
    (new,) = api.get(f"/api/v1/events?after={after}").json()["items"]
    assert new["type"] == "response.created" and new["data"]["response"]["score"] == 9


def test_types_filter_the_log(
    api: ApiClient, workspace: Workspace, survey: Survey, ann: Contact
) -> None:
    response = record_response(workspace, ResponseData(survey=survey, score=3, contact=ann))
    update_response(response.response, score=4)
    updated = api.get("/api/v1/events?type=response.updated").json()["items"]
    assert [item["type"] for item in updated] == ["response.updated"]
    both = api.get("/api/v1/events?type=response.updated&type=response.created").json()
    assert len(both["items"]) == 2


def test_bad_parameters_say_what_is_accepted(api: ApiClient) -> None:
    wrong_type = api.get("/api/v1/events?type=response.deleted")
    assert wrong_type.status_code == 422
    (error,) = wrong_type.json()["detail"]
    assert error["loc"] == ["query", "type"]
    assert "'response.deleted'" in error["msg"] and "response.created" in error["msg"]
    for query in ("limit=0", "limit=1001"):
        reply = api.get(f"/api/v1/events?{query}")
        assert reply.status_code == 422
        assert "from 1 to 1000" in reply.json()["detail"][0]["msg"]
    assert api.get("/api/v1/events?after=-1").status_code == 422
    assert api.get("/api/v1/events?after=abc").status_code == 422


def test_an_after_that_names_no_event_is_refused_but_a_pruned_one_starts_again(
    api: ApiClient, workspace: Workspace, survey: Survey
) -> None:
    with time_machine.travel(timezone.now() - timedelta(days=100)):
        old = answer(workspace, survey, None, 1)
    kept = answer(workspace, survey, None, 2)
    old_event = Event.objects.get(response_id=old).pk
    unknown = api.get(f"/api/v1/events?after={old_event + 1000}")
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["query", "after"]
    assert "no event" in unknown.json()["detail"][0]["msg"]
    prune(retention=timedelta(days=90))
    again = api.get(f"/api/v1/events?after={old_event}").json()["items"]
    assert [item["data"]["response"]["id"] for item in again] == [kept]


def test_another_workspaces_events_are_never_shown(
    api: ApiClient,
    other_api: ApiClient,
    workspace: Workspace,
    other_workspace: Workspace,
    survey: Survey,
    other_survey: Survey,
) -> None:
    mine = answer(workspace, survey, None, 10)
    theirs = answer(other_workspace, other_survey, None, 0)
    listed = [item["data"]["response"]["id"] for item in api.get("/api/v1/events").json()["items"]]
    assert listed == [mine]
    listed = [
        item["data"]["response"]["id"]
        for item in other_api.get("/api/v1/events?after=0").json()["items"]
    ]
    assert listed == [theirs]
    # Another workspace's event id is no position in this workspace's log.
    their_event = Event.objects.get(response_id=theirs).pk
    if their_event > Event.objects.get(response_id=mine).pk:
        assert api.get(f"/api/v1/events?after={their_event}").status_code == 422
    assert ApiClient(None).get("/api/v1/events").status_code == 401


def test_old_events_are_pruned_and_recent_ones_kept(
    workspace: Workspace, survey: Survey, ann: Contact
) -> None:
    with time_machine.travel(timezone.now() - timedelta(days=91)):
        old = answer(workspace, survey, ann, 1)
    recent = answer(workspace, survey, ann, 2)
    assert prune(retention=timedelta(days=90), batch=1) == 1
    assert list(Event.objects.values_list("response_id", flat=True)) == [recent]
    assert old != recent


def test_the_pruning_job_uses_the_retention_setting(
    settings: object, workspace: Workspace, survey: Survey
) -> None:
    from npsloop.jobs import prune_events

    settings.EVENT_RETENTION_DAYS = 3  # type: ignore[attr-defined]
    with time_machine.travel(timezone.now() - timedelta(days=4)):
        answer(workspace, survey, None, 1)
    answer(workspace, survey, None, 2)
    assert prune_events.call_local() == 1
    assert Event.objects.count() == 1


def test_erasing_a_person_blanks_their_events(
    api: ApiClient, workspace: Workspace, survey: Survey, ann: Contact
) -> None:
    answer(workspace, survey, ann, 1)
    other = answer(workspace, survey, None, 9)
    assert api.delete("/api/v1/contacts/u-1").status_code == 200
    erased, kept = Event.objects.order_by("id")
    assert erased.type == EventType.RESPONSE_CREATED and erased.data == {"erased": True}
    assert "ann@example.com" not in str(api.get("/api/v1/events").json())
    assert kept.data["response"]["id"] == other
