"""What comes in over HTTP, checked once before any view or service sees it.

A NUL character fits in a Python string but in neither PostgreSQL's text nor its jsonb:
wherever one arrived (a contact's name, a comment, a survey name, a query, an address) the
database refused it halfway through a request, and the request answered 500. So a NUL is
refused here, with where it was, for every door: ``parse_json`` for the JSON bodies of the
API and the widget, ``refuse_nul`` (middleware) for addresses, queries and forms. On SQLite
it is refused alike: the same input gets the same answer on both databases.

``parse_json`` also bounds nesting: Python's parser recurses once per level and fails with
a RecursionError somewhere past a thousand, and no body npsloop reads goes past a few.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

from npsloop.errors import NUL_REASON

MAX_DEPTH = 32
TOO_DEEP = f"the body must be JSON nested at most {MAX_DEPTH} levels deep"
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")

Location = tuple[str | int, ...]


class Unreadable(ValueError):
    """A body that can't be taken in; ``location`` is where in it, when it is one value."""

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location


def parse_json(raw: bytes) -> Any:
    """The JSON value of ``raw``, or Unreadable: not JSON, nested too deep, or holding a NUL
    character in a text or a key (its location is then the text's, or the object's)."""
    try:
        value = json.loads(raw)
    except RecursionError:
        raise Unreadable(TOO_DEEP) from None
    except ValueError as error:
        raise Unreadable(f"the body must be JSON: {error}") from None
    if b"\\u0000" not in raw and raw.count(b"[") + raw.count(b"{") <= MAX_DEPTH:
        # The widget's every request: no NUL can be in it (JSON writes one as \u0000), and
        # it is not deeper than it has brackets. Nothing to walk.
        return value
    for location, depth, item in _walk(value):
        if isinstance(item, str) and "\x00" in item:
            raise Unreadable(NUL_REASON, location)
        if isinstance(item, dict | list) and depth > MAX_DEPTH:
            raise Unreadable(TOO_DEEP)
        if isinstance(item, dict) and any("\x00" in key for key in item):
            raise Unreadable(NUL_REASON, location)
    return value


def _walk(value: Any) -> Iterator[tuple[Location, int, Any]]:
    """Every value inside ``value`` with its location and depth (the outermost array or
    object is at depth 1), without recursion."""
    stack: list[tuple[Location, int, Any]] = [((), 1, value)]
    while stack:
        location, depth, item = stack.pop()
        yield location, depth, item
        if isinstance(item, dict):
            stack.extend(((*location, key), depth + 1, inner) for key, inner in item.items())
        elif isinstance(item, list):
            stack.extend(((*location, n), depth + 1, inner) for n, inner in enumerate(item))


def shown(location: Location) -> str:
    """A location as people write it: user.properties.plan, contacts.1, the body."""
    return ".".join(map(str, location)) or "the body"


def refuse_nul(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[..., Any]:
    """Middleware: a 400 for a NUL in the address, a query parameter or a form field.
    JSON bodies are parse_json's: the API and the widget answer it in their own shapes."""

    def middleware(request: HttpRequest) -> HttpResponse:
        problem = nul_outside_json(request)
        if problem is not None:
            return HttpResponseBadRequest(f"{problem} {NUL_REASON}", content_type="text/plain")
        return get_response(request)

    return middleware


def nul_outside_json(request: HttpRequest) -> str | None:
    """Where the request holds a NUL outside a JSON body, e.g. "the query parameter q"."""
    if "\x00" in request.path:
        return "the address"
    if "%00" in request.META.get("QUERY_STRING", ""):
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return f"the query parameter {name.replace(chr(0), '')}"
    if request.method == "POST" and request.content_type in FORMS:
        for name, values in request.POST.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return f"the form field {name.replace(chr(0), '')}"
    return None
