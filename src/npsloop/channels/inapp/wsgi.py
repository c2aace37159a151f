"""POST /widget/v1/check as a plain WSGI application, beside Django's (npsloop.lean).

It runs the same ``serve(answer_check, …)`` as the Django view, with the host checked by
Django's own ``HttpRequest.get_host`` (ALLOWED_HOSTS, proxy settings). The Django view stays
for the test client and the development server.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.core.serializers.json import DjangoJSONEncoder

from npsloop.channels.inapp.views import MAX_BODY, answer_check, serve
from npsloop.lean import Headers, StartResponse, logger, on_the_database, respond


def widget_check(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    request = WSGIRequest(environ)
    try:
        status, payload, headers = on_the_database(lambda: _answer(request))
    except Exception:
        logger.exception("Internal Server Error: %s", request.path)
        status, payload, headers = 500, {"error": "the server failed; please retry later"}, []
    body = b""
    if payload is not None:
        body = json.dumps(payload, cls=DjangoJSONEncoder).encode()
        headers = [*headers, ("Content-Type", "application/json")]
    return respond(start_response, status, headers, body, path=request.path)


def _answer(request: WSGIRequest) -> tuple[int, dict[str, Any] | None, Headers]:
    try:
        own_origin = f"{request.scheme}://{request.get_host()}"
    except DisallowedHost as error:
        return 400, {"error": f"this server does not answer to that host: {error}"}, []
    size = int(request.META.get("CONTENT_LENGTH") or 0)
    if size > MAX_BODY:
        return 400, {"error": f"the body must be at most {MAX_BODY} bytes"}, []
    # META, not request.headers: that builds a dict of every header for two of them.
    return serve(
        answer_check,
        request.method,
        request.body,
        request.META.get("HTTP_ORIGIN"),
        own_origin,
        request.META.get("HTTP_ACCEPT_LANGUAGE", ""),
    )
