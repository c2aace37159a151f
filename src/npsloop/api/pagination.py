"""Cursor pagination: pages follow the id (keyset), never an OFFSET.

An OFFSET makes page 1,000 cost as much as reading the 999 before it, and skips or
repeats rows when others are inserted meanwhile. A cursor says "after this id", so every
page costs the same and a client walking the list sees each row once. The cursor is
opaque to clients so the scheme can change without breaking them.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from ninja import Field, Schema

from npsloop.api.errors import field_error

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
CURSOR_PREFIX = "id:"

M = TypeVar("M", bound=Model)


class PageParams(Schema):
    cursor: str | None = Field(
        None,
        description="The `next_cursor` of the previous page; omit for the first page.",
        json_schema_extra={"minLength": 1},
    )
    limit: int = Field(
        DEFAULT_LIMIT,
        description=f"Items per page, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT}).",
        # Declared, checked in paginate() with its own words.
        json_schema_extra={"minimum": 1, "maximum": MAX_LIMIT},
    )


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"{CURSOR_PREFIX}{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The id a cursor points after, or a 422 on the cursor parameter."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if text.startswith(CURSOR_PREFIX) and text[len(CURSOR_PREFIX) :].isdigit():
            return int(text[len(CURSOR_PREFIX) :])
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise field_error(
        ("query", "cursor"),
        "is not a cursor this API handed out; pass the next_cursor of the previous page "
        "unchanged, or omit it for the first page",
    )


def paginate(rows: QuerySet[M], params: PageParams, render: Callable[[M], Any]) -> dict[str, Any]:
    """One page of ``rows`` in id order: ``{"items": [...], "next_cursor": str | None}``."""
    if not 1 <= params.limit <= MAX_LIMIT:
        raise field_error(("query", "limit"), f"must be from 1 to {MAX_LIMIT}, got {params.limit}")
    if params.cursor is not None:
        rows = rows.filter(pk__gt=decode_cursor(params.cursor))
    # One row more than asked tells whether another page exists without a COUNT.
    found = list(rows.order_by("pk")[: params.limit + 1])
    page = found[: params.limit]
    more = len(found) > params.limit
    return {
        "items": [render(row) for row in page],
        "next_cursor": encode_cursor(page[-1].pk) if more else None,
    }
