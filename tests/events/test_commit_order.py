"""A follower never misses an event whose transaction commits after a later one's."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from npsloop.events.models import Event
from npsloop.surveys.models import Survey
from npsloop.surveys.responses import ResponseData, record_response
from npsloop.workspaces.models import Workspace
from tests.api_client import ApiClient


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite lets one transaction write at a time, so its ids are the commit order",
)
@pytest.mark.django_db(transaction=True)
def test_an_event_committed_late_is_listed_before_the_ones_after_it(
    api: ApiClient, workspace: Workspace, survey: Survey
) -> None:
    written, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def slow_writer() -> None:
        try:
            with transaction.atomic():
                record_response(workspace, ResponseData(survey=survey, score=1))
                written.set()
                assert release.wait(timeout=30)
        except BaseException as error:  # reported by the test below
            failures.append(error)
            written.set()
        finally:
            connection.close()

    slow = threading.Thread(target=slow_writer)
    slow.start()
    assert written.wait(timeout=30)
    fast = record_response(workspace, ResponseData(survey=survey, score=10)).response

    # Naively by id, a follower would now read the fast event, move past the slow one's
    # id, and never see it. The log waits for the slow transaction instead.
    assert api.get("/api/v1/events").json()["items"] == []

    release.set()
    slow.join(timeout=30)
    assert not failures
    first, second = Event.objects.order_by("id")
    assert second.response_id == fast.pk  # the slow one's id came first
    page = api.get("/api/v1/events").json()
    assert [item["id"] for item in page["items"]] == [first.pk, second.pk]
    assert page["next_after"] == second.pk
    assert api.get(f"/api/v1/events?after={second.pk}").json()["items"] == []
