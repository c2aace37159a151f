"""Tags and notes on any response: the workspace's list, events, bad input, erasure."""

from __future__ import annotations

import pytest

from npsloop.contacts.models import Contact
from npsloop.errors import InvalidInput
from npsloop.events.models import Event
from npsloop.surveys.annotations import (
    add_note,
    change_tags,
    create_tag,
    set_tags,
    tags_named,
    tags_of,
)
from npsloop.surveys.erasure import erase_contact
from npsloop.surveys.models import Note, Response, Survey
from npsloop.surveys.responses import ResponseData, record_response
from npsloop.workspaces.models import Workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def response(workspace: Workspace, survey: Survey, ann: Contact) -> Response:
    return record_response(workspace, ResponseData(survey=survey, score=3, contact=ann)).response


def test_a_tag_is_one_name_whatever_its_letter_case(workspace: Workspace) -> None:
    first = create_tag(workspace, "  Pricing ")
    assert first.name == "Pricing"
    assert create_tag(workspace, "pricing") == first
    with pytest.raises(InvalidInput, match="name: must be at most 50 characters, got 51"):
        create_tag(workspace, "x" * 51)
    with pytest.raises(InvalidInput, match="name: must be a tag name"):
        create_tag(workspace, "   ")


def test_tagging_writes_one_event_with_what_changed(
    workspace: Workspace, response: Response
) -> None:
    pricing, ux = create_tag(workspace, "Pricing"), create_tag(workspace, "UX")
    assert set_tags(response, [pricing, ux]) == ["Pricing", "UX"]
    assert set_tags(response, [ux]) == ["UX"]
    assert set_tags(response, [ux]) == ["UX"]  # nothing changed: no event
    tagged = list(Event.objects.filter(type="response.tagged").order_by("id"))
    assert [(e.data["added"], e.data["removed"]) for e in tagged] == [
        (["Pricing", "UX"], []),
        ([], ["Pricing"]),
    ]
    assert tagged[1].data["tags"] == ["UX"]


def test_an_unknown_tag_names_the_known_ones(workspace: Workspace) -> None:
    create_tag(workspace, "Pricing")
    with pytest.raises(InvalidInput) as refused:
        tags_named(workspace, ["pricing", "Speed"])
    assert refused.value.errors["tags"] == (
        "unknown tag 'Speed'; this workspace's tags: Pricing (add a tag to the list first)"
    )


def test_another_workspaces_tag_is_refused(other_workspace: Workspace, response: Response) -> None:
    theirs = create_tag(other_workspace, "Theirs")
    with pytest.raises(InvalidInput, match="tags of the response's workspace"):
        change_tags([response], add=[theirs])
    assert tags_of(response) == []
    with pytest.raises(InvalidInput, match="unknown tag 'Theirs'"):
        tags_named(response.workspace, ["Theirs"])


def test_a_note_is_kept_with_its_author_and_event(response: Response) -> None:
    note = add_note(response, "Called them: **billing** bug", author=None, author_name="Cora")
    event = Event.objects.get(type="response.noted")
    assert event.data["note"]["body"] == "Called them: **billing** bug"
    assert event.data["note"]["author"] == "Cora" and event.response_id == response.pk
    assert list(response.notes.all()) == [note]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "body: must be the note's text, not empty"),
        ("x" * 10_001, "body: must be at most 10,000 characters, got 10,001"),
        (42, "body: must be the note's text"),
    ],
)
def test_a_bad_note_is_refused(response: Response, body: object, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        add_note(response, body, author=None, author_name="Cora")
    assert not Note.objects.exists() and not Event.objects.filter(type="response.noted").exists()


def test_erasing_the_person_deletes_the_notes_about_them(response: Response, ann: Contact) -> None:
    add_note(response, "Ann said her manager hates us", author=None, author_name="Cora")
    erase_contact(ann)
    assert not Note.objects.exists()
    assert Event.objects.get(type="response.noted").data == {"erased": True}
