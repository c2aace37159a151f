"""Tags and notes on one response, as the response page and the case page show and change
them: the forms' actions (each a call of surveys/annotations.py) and what the pages show."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils.safestring import SafeString

from npsloop.errors import InvalidInput
from npsloop.loop.cases import Actor
from npsloop.surveys.annotations import add_note as write_note
from npsloop.surveys.annotations import (
    change_tags,
    create_tag,
    tag_list,
)
from npsloop.surveys.markdown import note_html
from npsloop.surveys.models import Note, Response, Tag


@dataclass(frozen=True)
class ShownNote:
    note: Note
    html: SafeString

    @property
    def at(self) -> datetime:
        return self.note.created_at


def annotations_context(response: Response) -> dict[str, Any]:
    """The response's tags, the workspace's other tags to add, and its notes newest first."""
    tags = list(Tag.objects.filter(response_links__response=response).order_by("name"))
    others = [tag for tag in tag_list(response.workspace) if tag not in tags]
    return {"tags": tags, "other_tags": others, "notes": shown_notes(response)}


def shown_notes(response: Response) -> list[ShownNote]:
    notes = Note.objects.filter(response=response).order_by("-created_at", "-pk")
    return [ShownNote(note, note_html(note.body)) for note in notes]


def _tag(request: HttpRequest, response: Response) -> Tag:
    value = request.POST.get("tag", "")
    tag = None
    if value.isascii() and value.isdigit():
        tag = Tag.objects.filter(workspace_id=response.workspace_id, pk=int(value)).first()
    if tag is None:
        known = ", ".join(t.name for t in tag_list(response.workspace)) or "none yet"
        raise InvalidInput({"tag": f"must be one of this workspace's tags ({known})"})
    return tag


def add_tag(request: HttpRequest, response: Response, user: User) -> None:
    change_tags([response], add=[_tag(request, response)], by=user)


def remove_tag(request: HttpRequest, response: Response, user: User) -> None:
    change_tags([response], remove=[_tag(request, response)], by=user)


def new_tag(request: HttpRequest, response: Response, user: User) -> None:
    """Put a tag on the workspace's list (or find it there) and on the response."""
    tag = create_tag(response.workspace, request.POST.get("name", ""))
    change_tags([response], add=[tag], by=user)


def add_note(request: HttpRequest, response: Response, user: User) -> None:
    write_note(response, request.POST.get("body", ""), author=user, author_name=Actor.of(user).name)


ACTIONS: dict[str, Callable[[HttpRequest, Response, User], None]] = {
    "add_tag": add_tag,
    "remove_tag": remove_tag,
    "new_tag": new_tag,
    "add_note": add_note,
}
