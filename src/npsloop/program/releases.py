"""Recording releases: the one door for the API, the admin and later the CLI."""

from __future__ import annotations

from datetime import datetime

from npsloop.errors import InvalidInput
from npsloop.moments import BadMoment, checked_moment
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
    try:
        released_at = checked_moment(released_at)
    except BadMoment as error:
        errors["released_at"] = str(error)
    if not isinstance(major, bool):
        errors["major"] = f"must be true or false, got {major!r}"
    if errors:
        raise InvalidInput(errors)
    return Release.objects.create(
        workspace=workspace, name=name.strip(), released_at=released_at, major=major
    )
