"""The shapes of the API's refusals, declared on each operation so the OpenAPI document
says what a client may get back besides the answer."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema


class Detail(Schema):
    """401 (no or a wrong key) and 404 (nothing of that id in the key's workspace)."""

    detail: str


class FieldError(Schema):
    type: str
    loc: list[str | int] = Field(description='Where: ["body", "owner"], ["query", "limit"], …')
    msg: str = Field(description="What was wrong and what is accepted.")


class FieldErrors(Schema):
    """422: every bad field of the request."""

    detail: list[FieldError]


class Conflict(Schema):
    """409: the change can't be made as asked."""

    detail: str = Field(description="What happened and what to do.")
    version: int | None = Field(
        None, description="The case's version now, when the edit came from an older one."
    )
    allowed: list[str] | None = Field(
        None, description="The statuses the case can move to, when the move was not one."
    )


READ: dict[int, Any] = {401: Detail, 404: Detail, 422: FieldErrors}
