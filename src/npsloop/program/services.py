"""Recording releases: the one door for the API, the admin and later the CLI."""

from __future__ import annotations

from datetime import datetime

from npsloop.errors import InvalidInput
from npsloop.program.models import Release
from npsloop.workspaces.models import Workspace

MAX_NAME = 200


def create_release(
    workspace: Workspace, *, name: str, released_at: datetime, major: bool = False
) -> Release:
    """Record a release. Planned (future) releases are fine: major ones will hold asks back.

    Raises InvalidInput naming every field that can't be stored.
    """
    errors: dict[str, str] = {}
    if not isinstance(name, str) or not name.strip():
        errors["name"] = "must not be empty"
    elif len(name.strip()) > MAX_NAME:
        errors["name"] = f"must be at most {MAX_NAME} characters, got {len(name.strip())}"
    if not isinstance(released_at, datetime):
        errors["released_at"] = f"must be a date-time, got {type(released_at).__name__}"
    elif released_at.tzinfo is None:
        errors["released_at"] = "must include a time zone offset, e.g. 2024-05-01T09:30:00Z"
    if not isinstance(major, bool):
        errors["major"] = f"must be true or false, got {major!r}"
    if errors:
        raise InvalidInput(errors)
    return Release.objects.create(
        workspace=workspace, name=name.strip(), released_at=released_at, major=major
    )
