"""Tags and notes on responses (cases or not): the workspace's tag list, the tags of each
response and the notes people write. Each change writes its event in its transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from npsloop.errors import InvalidInput
from npsloop.events.log import Change, moment, record_all
from npsloop.events.models import EventType
from npsloop.surveys.models import Note, Response, ResponseTag, Tag
from npsloop.workspaces.models import Workspace

MAX_TAG = 50
MAX_NOTE = 10_000


def tag_list(workspace: Workspace) -> list[Tag]:
    return list(Tag.objects.filter(workspace=workspace).order_by(Lower("name")))


def create_tag(workspace: Workspace, name: object) -> Tag:
    """Add a tag to the workspace's list (the same name in other letter case is the same
    tag: it is returned as it is)."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput({"name": "must be a tag name of 1 to 50 characters"})
    name = " ".join(name.split())
    if len(name) > MAX_TAG:
        raise InvalidInput({"name": f"must be at most {MAX_TAG} characters, got {len(name)}"})
    with transaction.atomic():
        existing = Tag.objects.filter(workspace=workspace, name__iexact=name).first()
        return existing or Tag.objects.create(workspace=workspace, name=name)


def rename_tag(tag: Tag, name: object) -> Tag:
    """Give a tag a new name (every response that has it shows the new one). A name another
    tag of the workspace has, in any letter case, is refused: merge by tagging instead."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput({"name": "must be a tag name of 1 to 50 characters"})
    name = " ".join(name.split())
    if len(name) > MAX_TAG:
        raise InvalidInput({"name": f"must be at most {MAX_TAG} characters, got {len(name)}"})
    with transaction.atomic():
        taken = Tag.objects.filter(workspace_id=tag.workspace_id, name__iexact=name)
        if taken.exclude(pk=tag.pk).exists():
            raise InvalidInput({"name": f"there is a tag named {name!r} already"})
        tag.name = name
        tag.save(update_fields=["name"])
    return tag


def delete_tag(tag: Tag) -> None:
    """Take a tag off the list and off every response that has it."""
    tag.delete()


def tags_named(workspace: Workspace, names: Iterable[object]) -> list[Tag]:
    """The workspace's tags of these names (any letter case); InvalidInput naming the
    unknown ones and the tags there are."""
    wanted = list(names)
    if not all(isinstance(name, str) for name in wanted):
        raise InvalidInput({"tags": "must be a list of tag names"})
    keys = [" ".join(str(name).split()).casefold() for name in wanted]
    by_name = {tag.name.casefold(): tag for tag in tag_list(workspace)}
    unknown = [name for name, key in zip(wanted, keys, strict=True) if key not in by_name]
    if unknown:
        known = ", ".join(tag.name for tag in by_name.values()) or "none yet"
        raise InvalidInput(
            {
                "tags": f"unknown tag {', '.join(repr(name) for name in unknown)}; "
                f"this workspace's tags: {known} (add a tag to the list first)"
            }
        )
    return [by_name[key] for key in dict.fromkeys(keys)]


def change_tags(
    responses: Iterable[Response],
    *,
    add: Iterable[Tag] = (),
    remove: Iterable[Tag] = (),
    by: User | None = None,
    now: datetime | None = None,
) -> int:
    """Add and remove tags on these responses (all of one workspace: the caller's); one
    response.tagged event per response that changed. Returns how many changed."""
    add, remove = list(add), list(remove)
    now = now or timezone.now()
    responses = list(responses)
    changes: list[Change] = []
    with transaction.atomic():
        for response in responses:
            if any(tag.workspace_id != response.workspace_id for tag in [*add, *remove]):
                raise InvalidInput({"tags": "must be tags of the response's workspace"})
            had = set(
                ResponseTag.objects.filter(response=response).values_list("tag_id", flat=True)
            )
            added = [tag for tag in add if tag.pk not in had]
            removed = [tag for tag in remove if tag.pk in had and tag not in add]
            if not added and not removed:
                continue
            ResponseTag.objects.bulk_create(
                ResponseTag(response=response, tag=tag, added_by=by, added_at=now) for tag in added
            )
            ResponseTag.objects.filter(response=response, tag__in=removed).delete()
            changes.append(
                Change(
                    workspace_id=response.workspace_id,
                    type=EventType.RESPONSE_TAGGED,
                    data={
                        "response": response.pk,
                        "tags": tags_of(response),
                        "added": [tag.name for tag in added],
                        "removed": [tag.name for tag in removed],
                    },
                    response_id=response.pk,
                    contact_id=response.contact_id,
                )
            )
        record_all(changes, at=now)
    return len(changes)


def set_tags(response: Response, tags: list[Tag], *, by: User | None = None) -> list[str]:
    """Give the response exactly these tags; returns its tags' names."""
    current = Tag.objects.filter(response_links__response=response)
    change_tags([response], add=tags, remove=[tag for tag in current if tag not in tags], by=by)
    return tags_of(response)


def tags_of(response: Response) -> list[str]:
    return sorted(
        Tag.objects.filter(response_links__response=response).values_list("name", flat=True),
        key=str.casefold,
    )


def tags_by_response(response_ids: Iterable[int]) -> dict[int, list[str]]:
    """The tags of many responses in one query (for exports and pages of cases)."""
    found: dict[int, list[str]] = {}
    links = ResponseTag.objects.filter(response_id__in=list(response_ids)).values_list(
        "response_id", "tag__name"
    )
    for response_id, name in links:
        found.setdefault(response_id, []).append(name)
    return {key: sorted(names, key=str.casefold) for key, names in found.items()}


def notes_by_response(response_ids: Iterable[int]) -> dict[int, list[Note]]:
    """The notes of many responses, oldest first, in one query (for exports)."""
    found: dict[int, list[Note]] = {}
    for note in Note.objects.filter(response_id__in=list(response_ids)).order_by(
        "created_at", "pk"
    ):
        found.setdefault(note.response_id, []).append(note)
    return found


def add_note(
    response: Response,
    body: object,
    *,
    author: User | None,
    author_name: str,
    at: datetime | None = None,
) -> Note:
    """Write a note on the response (Markdown; shown rendered safely, never as HTML).
    `at` is for seeders that replay a history (the demo); people write now."""
    if not isinstance(body, str) or not body.strip():
        raise InvalidInput({"body": "must be the note's text, not empty"})
    if len(body) > MAX_NOTE:
        raise InvalidInput({"body": f"must be at most {MAX_NOTE:,} characters, got {len(body):,}"})
    with transaction.atomic():
        note = Note.objects.create(
            workspace_id=response.workspace_id,
            response=response,
            author=author,
            author_name=author_name[:200],
            body=body,
            created_at=at or timezone.now(),
        )
        record_all(
            [
                Change(
                    workspace_id=response.workspace_id,
                    type=EventType.RESPONSE_NOTED,
                    data={"response": response.pk, "note": note_data(note)},
                    response_id=response.pk,
                    contact_id=response.contact_id,
                )
            ],
            at=note.created_at,
        )
    return note


def note_data(note: Note) -> dict[str, Any]:
    return {
        "id": note.pk,
        "author": note.author_name,
        "body": note.body,
        "created_at": moment(note.created_at),
    }
