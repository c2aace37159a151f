"""Bulk actions of the inbox: assign, unassign, move and tag the selected cases through the
owner functions; refused moves reported per case; viewers and other workspaces' cases
refused with nothing changed."""

from __future__ import annotations

from typing import Any

import pytest

from npsloop.events.models import Event
from npsloop.loop import bulk
from npsloop.loop.cases import Actor
from npsloop.loop.models import ActivityKind, Case, CaseStatus
from npsloop.surveys.annotations import tags_of

from .inbox_fixtures import Queue, listed, queue, viewer_of

__all__ = ["queue"]
pytestmark = pytest.mark.django_db


def post(queue: Queue, data: dict[str, Any], query: str = "tab=all", member: Any = None) -> Any:
    return queue.client(member).post(queue.url(query), data)


def fresh(queue: Queue, name: str) -> Case:
    return Case.objects.select_related("owner").get(pk=queue.cases[name].pk)


def snapshot(queue: Queue) -> list[tuple[int, int, str, int | None]]:
    rows = Case.objects.order_by("pk").values_list("pk", "version", "status", "owner_id")
    return list(rows)


def test_it_assigns_the_selected_cases_to_a_member(queue: Queue) -> None:
    chosen = [queue.cases["unowned"].pk, queue.cases["mine"].pk]
    last_event = Event.objects.latest("id").pk
    reply = post(queue, {"case": chosen, "action": "assign", "assign": queue.dev.pk})
    assert reply.status_code == 200
    assert "2 cases changed" in reply.content.decode()
    assert {fresh(queue, name).owner_id for name in ("unowned", "mine")} == {queue.dev.pk}
    assigned = Event.objects.filter(type="case.assigned", id__gt=last_event)
    assert sorted(event.data["id"] for event in assigned) == sorted(chosen)
    assert {event.data["owner"]["email"] for event in assigned} == {"dev@acme.test"}
    line = fresh(queue, "mine").activity.get(kind=ActivityKind.ASSIGNED)
    assert line.actor_name == "Eve" and line.actor_id == queue.eve.user_id
    # The page shown after the change keeps its filters and shows the change.
    mine = post(queue, {"case": chosen, "action": "assign", "assign": queue.eve.pk}, "tab=mine")
    assert set(listed(mine)) == queue.ids("old", "unowned", "mine")


def test_it_unassigns_and_counts_what_was_already_so(queue: Queue) -> None:
    chosen = [queue.cases["late"].pk, queue.cases["unowned"].pk]
    reply = post(queue, {"case": chosen, "action": "assign", "assign": ""})
    assert "1 case changed</strong>, 1 already so" in reply.content.decode()
    assert fresh(queue, "late").owner_id is None


def test_a_refused_move_is_reported_and_the_others_move(queue: Queue) -> None:
    chosen = [queue.cases["late"].pk, queue.cases["done"].pk, queue.cases["fan"].pk]
    reply = post(queue, {"case": chosen, "action": "status", "status": "contacted"}, "status=any")
    html = reply.content.decode().replace("&#x27;", "'")
    assert reply.status_code == 200
    assert "2 cases changed</strong>, 1 refused" in html
    done = queue.cases["done"].pk
    assert f"Case {done}: a resolved case can't become contacted; it can become open" in html
    assert fresh(queue, "late").status == fresh(queue, "fan").status == CaseStatus.CONTACTED
    assert fresh(queue, "done").status == CaseStatus.RESOLVED
    assert fresh(queue, "done").version == queue.cases["done"].version


def test_bulk_moves_report_each_refusal(queue: Queue) -> None:
    cases = [queue.cases[name] for name in ("late", "old", "done")]
    result = bulk.move_all(cases, "closed", by=Actor("Test"))
    assert result.changed == [queue.cases["late"].pk]
    refused = {refusal.case_id: refusal.reason for refusal in result.refused}
    assert refused == {
        queue.cases["old"].pk: "a contacted case can't become closed; it can become resolved, open",
        queue.cases["done"].pk: "a resolved case can't become closed; it can become open",
    }


def test_it_adds_and_removes_a_tag(queue: Queue) -> None:
    chosen = [queue.cases["late"].pk, queue.cases["mine"].pk]
    reply = post(queue, {"case": chosen, "action": "add_tag", "add_tag": "Bug"})
    assert "2 cases changed" in reply.content.decode()
    assert tags_of(fresh(queue, "mine").response) == ["bug"]
    reply = post(queue, {"case": chosen, "action": "remove_tag", "remove_tag": "pricing"})
    assert "1 case changed</strong>, 1 already so" in reply.content.decode()
    assert tags_of(fresh(queue, "late").response) == ["bug"]
    tagged = Event.objects.filter(type="response.tagged").order_by("id")
    assert [event.data["removed"] for event in tagged][-1] == ["pricing"]


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"action": "assign", "assign": ""}, "select at least one case"),
        ({"case": ["x"], "action": "assign"}, "must be case numbers"),
        ({"case": ["{late}"], "action": "delete"}, "must be one of assign, status, add_tag"),
        ({"case": ["{late}"], "action": "assign", "assign": "{otto}"}, "no member '{otto}'"),
        ({"case": ["{late}"], "action": "assign", "assign": "{vic}"}, "who works cases"),
        ({"case": ["{late}"], "action": "status", "status": "done"}, "must be one of open,"),
        ({"case": ["{late}"], "action": "add_tag", "add_tag": "nope"}, "unknown tag 'nope'"),
    ],
)
def test_a_bad_bulk_form_changes_nothing_and_says_why(
    queue: Queue, data: dict[str, Any], says: str
) -> None:
    names = {
        "late": queue.cases["late"].pk,
        "otto": queue.theirs.owner_id,
        "vic": viewer_of(queue).pk,
    }
    filled = {
        key: [v.format(**names) for v in value]
        if isinstance(value, list)
        else value.format(**names)
        for key, value in data.items()
    }
    before = snapshot(queue)
    reply = post(queue, filled)
    assert reply.status_code == 422
    html = reply.content.decode().replace("&#x27;", "'")
    assert "Nothing was changed." in html and says.format(**names) in html
    assert snapshot(queue) == before


def test_too_many_cases_at_once_are_refused(queue: Queue) -> None:
    reply = post(queue, {"case": [str(n) for n in range(1, 60)], "action": "assign"})
    assert reply.status_code == 422
    assert "select at most 50 cases at once, got 59" in reply.content.decode()


def test_another_workspaces_case_is_not_found_and_nothing_changes(queue: Queue) -> None:
    before = snapshot(queue)
    chosen = [queue.cases["unowned"].pk, queue.theirs.pk]
    reply = post(queue, {"case": chosen, "action": "assign", "assign": queue.dev.pk})
    assert reply.status_code == 404
    reply = post(queue, {"case": [queue.theirs.pk], "action": "status", "status": "closed"})
    assert reply.status_code == 404
    assert snapshot(queue) == before


def test_a_viewer_is_refused(queue: Queue) -> None:
    before = snapshot(queue)
    data = {"case": [queue.cases["unowned"].pk], "action": "assign", "assign": queue.dev.pk}
    reply = post(queue, data, member=viewer_of(queue))
    assert reply.status_code == 403
    assert "only editors, admins and owners change them" in reply.content.decode()
    assert snapshot(queue) == before


def test_a_member_of_another_workspace_is_not_found(queue: Queue) -> None:
    other = queue.theirs.workspace.slug
    data = {"case": [queue.theirs.pk], "action": "status", "status": "closed"}
    reply = queue.client().post(f"/w/{other}/cases/", data)
    assert reply.status_code == 404
    assert Case.objects.get(pk=queue.theirs.pk).status == CaseStatus.OPEN
