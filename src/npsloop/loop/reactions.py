"""Cases follow the answers: the follower of the event log that opens and updates them."""

from __future__ import annotations

from npsloop.events.follow import follow
from npsloop.events.models import Event, EventType
from npsloop.loop.cases import react
from npsloop.loop.rules import Rulebook
from npsloop.surveys.models import Response

FOLLOWER = "cases"
ANSWERS = (EventType.RESPONSE_CREATED, EventType.RESPONSE_UPDATED)


def follow_answers(workspace_id: int) -> int:
    """Open or update the cases of the workspace's answers recorded or edited since the
    last call; returns how many answer events were read."""
    return follow(FOLLOWER, workspace_id, _react_to, types=ANSWERS)


def _react_to(events: list[Event]) -> None:
    # A case opens when its answer was recorded (or edited into matching), not when the
    # follower came by.
    when = {event.response_id: event.created_at for event in events if event.response_id}
    responses = Response.objects.filter(pk__in=list(when)).select_related(
        "workspace", "contact", "account"
    )
    by_id = {response.pk: response for response in responses}
    rulebook: Rulebook | None = None
    for response_id, at in when.items():
        response = by_id.get(response_id)
        if response is None:  # deleted since: nothing to answer
            continue
        rulebook = rulebook or Rulebook(response.workspace)
        response.workspace = rulebook.workspace
        react(response, at=at, rulebook=rulebook)
