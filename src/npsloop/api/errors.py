"""One error format for clients: every rejected input is a 422 shaped like ninja's own.

Pydantic's errors (wrong types, missing fields) and the services' InvalidInput (a score
of 11, an email that belongs to someone else) reach the client as the same list of
``{"type", "loc", "msg"}`` objects, so a client handles one shape whatever caught the
mistake.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
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
        return parse_json(request.body)


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
