"""Every answer under /api/ is JSON, the errors Django and ninja make on their own too.

A client of the API reads ``{"detail": ...}`` whatever went wrong. Most errors are the
API's own (npsloop.api.errors), but a few are made before or around it as pages meant
for a browser: ninja's 405 for a method an endpoint does not take, the 400 of
npsloop.inbound for a NUL character in the address, Django's 400, 403 and 500 pages.
This middleware, outside all of those, words them as JSON with the same status.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

API_PREFIX = "/api/"
JSON = "application/json"


def json_error_pages(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[..., object]:
    """Middleware: under /api/, a body too large is a 413 before anything reads it, and
    an error answered as HTML or text is answered as JSON instead."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return get_response(request)
        if too_large := _too_large(request):
            return too_large
        response = get_response(request)
        if response.status_code < 400 or response.get("Content-Type", "").startswith(JSON):
            return response
        return _as_json(request, response)

    return middleware


def _too_large(request: HttpRequest) -> JsonResponse | None:
    """Django's own limit (DATA_UPLOAD_MAX_MEMORY_SIZE), checked the way Django checks it
    on reading the body, answered with the status that names it."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return JsonResponse({"detail": "the Content-Length header must be a number"}, status=400)
    if limit is None or length <= limit:
        return None
    return JsonResponse(
        {"detail": f"the body is {length:,} bytes; at most {limit:,} bytes are accepted"},
        status=413,
    )


def _as_json(request: HttpRequest, page: HttpResponse) -> JsonResponse:
    if page.status_code == 405:
        allowed = sorted(method.strip() for method in page["Allow"].split(","))
        answer = JsonResponse(
            {
                "detail": f"{request.method} is not allowed at {request.path}; "
                f"allowed methods: {', '.join(allowed)}"
            },
            status=405,
        )
        answer["Allow"] = ", ".join(allowed)
        return answer
    if page.get("Content-Type", "").startswith("text/plain") and not page.streaming:
        # npsloop's own plain-text refusals say what was wrong: keep their words.
        detail = page.content.decode(errors="replace")
    else:
        detail = _phrase(page.status_code)
    return JsonResponse({"detail": detail}, status=page.status_code)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.lower()
    except ValueError:
        return f"error {status}"
