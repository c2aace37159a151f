"""/responses/{id}/notes and /responses/{id}/tags: what people of the workspace wrote about
a response and how they labelled it, through surveys.annotations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from npsloop.api.errors import answers, reported_at
from npsloop.api.responses import response_of
from npsloop.surveys.annotations import MAX_NOTE, MAX_TAG, add_note, set_tags, tags_named
from npsloop.surveys.models import Note
from npsloop.workspaces.models import ApiKey

router = Router(tags=["responses"])
MAX_TAGS = 100


class NoteIn(Schema):
    body: str = Field(
        description=f"Markdown, 1 to {MAX_NOTE:,} characters (shown rendered safely, never as "
        "HTML).",
        json_schema_extra={"minLength": 1, "maxLength": MAX_NOTE},
    )


class NoteOut(Schema):
    id: int
    author: str = Field(description="A member's name, or the name of the API key that wrote it.")
    body: str
    created_at: datetime


class TagsIn(Schema):
    tags: list[str] = Field(
        max_length=MAX_TAGS,
        description=f"The response's whole list of tags: names of the workspace's tags (each "
        f"at most {MAX_TAG} characters, any letter case); [] removes them all.",
    )


class TagsOut(Schema):
    tags: list[str]


def _note_json(note: Note) -> dict[str, Any]:
    return {
        "id": note.pk,
        "author": note.author_name,
        "body": note.body,
        "created_at": note.created_at,
    }


@router.get(
    "/{int:response_id}/notes",
    response=answers({200: list[NoteOut]}, 404),
    summary="A response's notes",
)
def list_notes(request: HttpRequest, response_id: int) -> list[dict[str, Any]]:
    """Oldest first."""
    response = response_of(request, response_id)
    return [_note_json(note) for note in response.notes.order_by("created_at", "pk")]


@router.post(
    "/{int:response_id}/notes",
    response=answers({201: NoteOut}, 404, 413, 422),
    summary="Write a note",
)
def post_note(request: HttpRequest, response_id: int, payload: NoteIn) -> Status[dict[str, Any]]:
    """The note's author is the API key's name."""
    response = response_of(request, response_id)
    key: ApiKey = request.auth  # type: ignore[attr-defined]
    with reported_at("body"):
        note = add_note(
            response, payload.body, author=None, author_name=key.name or f"API key {key.prefix}"
        )
    return Status(201, _note_json(note))


@router.put(
    "/{int:response_id}/tags",
    response=answers({200: TagsOut}, 404, 413, 422),
    summary="Set a response's tags",
)
def put_tags(request: HttpRequest, response_id: int, payload: TagsIn) -> dict[str, Any]:
    """Unknown names answer 422 naming the workspace's tags (add a tag in the console's
    settings first); names are matched in any letter case."""
    response = response_of(request, response_id)
    with reported_at("body"):
        tags = tags_named(response.workspace, payload.tags)
    return {"tags": set_tags(response, tags)}
