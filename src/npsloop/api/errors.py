"""One error format for clients: every rejected input is a 422 shaped like ninja's own.

Pydantic's errors (wrong types, missing fields) and the services' InvalidInput (a score
of 11, an email that belongs to someone else) reach the client as the same list of
``{"type", "loc", "msg"}`` objects, so a client handles one shape whatever caught the
mistake.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Path, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from npsloop.errors import InvalidInput, NotFound
from npsloop.inbound import Unreadable, parse_json

# Ninja names the body parameter in its error locations ("body", "payload", "score");
# that name is an implementation detail, so it is dropped: clients see ("body", "score").
BODY_PARAMETER = "payload"
UNAUTHORIZED = (
    "missing or invalid API key: send `Authorization: Bearer <key>` "
    "or HTTP Basic with the key as username"
)

Location = tuple[str | int, ...]


# An external id in the address: Django's path converter stops at a line break, so an id
# with one reaches no endpoint (a 404 naming the address) and the document says so.
ExternalId = Annotated[str, Path(pattern=r"^[^\n]+$")]


class Problem(Schema):
    """The body of every error but 422: what was wrong, in words."""

    detail: str


class FieldProblem(Schema):
    type: str = Field(description="A short code: invalid, missing, int_parsing, ...")
    loc: list[str | int] = Field(
        description='Where: ["body", "contact", "email"], ["query", "limit"], ...'
    )
    msg: str = Field(description="What was wrong and what is accepted.")


class InvalidBody(Schema):
    """The body of a 422: every bad field at once."""

    detail: list[FieldProblem]


# The body of each error status an operation may declare; see answers().
ERRORS: dict[int, type[Schema]] = {
    400: Problem,  # not JSON, nested too deep, a NUL in the address or a query parameter
    401: Problem,  # no key, or a wrong or revoked one
    404: Problem,  # nothing with that id in this key's workspace
    413: Problem,  # a body larger than the server accepts
    422: InvalidBody,  # invalid input, every bad field at once
}
ALWAYS = (400, 401)


def one_of(values: Iterable[str]) -> dict[str, Any]:
    """The OpenAPI words for a text a service accepts from a fixed list."""
    return {"enum": [str(value) for value in values]}


def within(bounds: tuple[int, int]) -> dict[str, Any]:
    """The OpenAPI words for a service's (lowest, highest) range of a whole number."""
    low, high = bounds
    return {"minimum": low, "maximum": high}


def filled(longest: int) -> dict[str, Any]:
    """The OpenAPI words for a text that must not be blank: the services strip it first."""
    return {"maxLength": longest, "pattern": r"\S"}


def answers(ok: Mapping[int, Any], *errors: int) -> dict[int, Any]:
    """An operation's ``response=``: its successes, 400 and 401 (any request can meet
    them), and the given error statuses, each with its body's schema. The handlers below
    shape those bodies; declaring them here puts them in the OpenAPI document."""
    declared: dict[int, Any] = dict(ok)
    for status in sorted({*ALWAYS, *errors}):
        declared[status] = ERRORS[status]
    return declared


def field_error(location: Location, message: str) -> ValidationError:
    """A 422 for one field, e.g. ``field_error(("query", "survey"), "no such survey")``."""
    return ValidationError([{"type": "invalid", "loc": list(location), "msg": message}])


@contextmanager
def reported_at(*prefix: str | int, rename: Mapping[str, Location] | None = None) -> Iterator[None]:
    """Turn a service's InvalidInput into a 422 whose locations start with ``prefix``.

    A service names fields with dots ("account.external_id"); each part becomes one step
    of the location. ``rename`` maps a service field to a full location when the API
    calls it something else (the response ``key`` is the Idempotency-Key header).
    """
    try:
        yield
    except InvalidInput as error:
        renamed = rename or {}
        raise ValidationError(
            [
                {
                    "type": "invalid",
                    "loc": list(renamed.get(field) or (*prefix, *field.split("."))),
                    "msg": message,
                }
                for field, message in error.errors.items()
            ]
        ) from error


class JsonBody(Parser):
    """Request bodies through npsloop.inbound.parse_json: no NUL characters, bounded
    nesting. Ninja reports any parser error as a bare 400 "Cannot parse request body";
    the handler below answers with what parse_json found instead."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        body = parse_json(request.body)
        if not isinstance(body, dict):
            # Ninja would read the fields of a list or a number as all left out, and an
            # upsert with every field optional would store a contact from ``[null, null]``.
            raise Unreadable(f"must be a JSON object, got {json.dumps(body)[:40]}", ())
        return body


def _location(loc: list[Any]) -> list[Any]:
    if len(loc) >= 2 and loc[0] == "body" and loc[1] == BODY_PARAMETER:
        return [loc[0], *loc[2:]]
    return loc


def install_error_handlers(api: NinjaAPI) -> None:
    """401 for a missing or wrong key, 404 for what the workspace can't see, 422 for input."""

    @api.exception_handler(AuthenticationError)
    def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(request, {"detail": UNAUTHORIZED}, status=401)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        unreadable = exc.__cause__
        if not isinstance(unreadable, Unreadable):
            return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)
        if unreadable.location is None:
            return api.create_response(request, {"detail": unreadable.message}, status=400)
        where = ["body", *unreadable.location]
        detail = [{"type": "invalid", "loc": where, "msg": unreadable.message}]
        return api.create_response(request, {"detail": detail}, status=422)

    @api.exception_handler(NotFound)
    def not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc)}, status=404)

    @api.exception_handler(InvalidInput)
    def rejected(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
        detail = [
            {"type": "invalid", "loc": ["body", *field.split(".")], "msg": message}
            for field, message in exc.errors.items()
        ]
        return api.create_response(request, {"detail": detail}, status=422)

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        # Only type, loc and msg: pydantic's "ctx" may hold exception objects that are
        # not JSON, and its "url" points at pydantic's site rather than at our docs.
        detail = [
            {"type": e.get("type", "invalid"), "loc": _location(list(e["loc"])), "msg": e["msg"]}
            for e in exc.errors
        ]
        return api.create_response(request, {"detail": detail}, status=422)
