"""/releases: what shipped when; major releases will hold asks back for a while."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import StrictBool

from npsloop.api.auth import workspace_of
from npsloop.api.errors import answers, filled, reported_at
from npsloop.api.moments import Moment
from npsloop.api.pagination import PageParams, paginate
from npsloop.program.models import Release
from npsloop.program.releases import MAX_NAME, create_release

router = Router(tags=["releases"])


class ReleaseIn(Schema):
    name: str = Field(json_schema_extra=filled(MAX_NAME))
    released_at: Moment
    major: StrictBool = Field(
        False, description="A major change (API, UI or CLI) that may move the score."
    )


class ReleaseOut(Schema):
    id: int
    name: str
    released_at: datetime
    major: bool
    created_at: datetime


class ReleasePage(Schema):
    items: list[ReleaseOut]
    next_cursor: str | None


def release_json(release: Release) -> dict[str, Any]:
    return {
        "id": release.pk,
        "name": release.name,
        "released_at": release.released_at,
        "major": release.major,
        "created_at": release.created_at,
    }


@router.get("", response=answers({200: ReleasePage}, 422), summary="List releases")
def list_releases(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    """Releases in the order they were recorded."""
    return paginate(Release.objects.filter(workspace=workspace_of(request)), page, release_json)


@router.post("", response=answers({201: ReleaseOut}, 413, 422), summary="Record a release")
def post_release(request: HttpRequest, payload: ReleaseIn) -> Status[dict[str, Any]]:
    with reported_at("body"):
        release = create_release(
            workspace_of(request),
            name=payload.name,
            released_at=payload.released_at,
            major=payload.major,
        )
    return Status(201, release_json(release))
