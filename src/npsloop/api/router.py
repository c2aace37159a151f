"""The REST API at /api/v1/: one router module per resource, mounted here."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Swagger

from npsloop.api import (
    accounts,
    asks,
    contacts,
    events,
    metrics,
    programmes,
    releases,
    responses,
    surveys,
)
from npsloop.api.auth import API_AUTH
from npsloop.api.errors import JsonBody, install_error_handlers

DESCRIPTION = """\
Contacts, accounts, surveys, responses and honest NPS metrics.

**Authentication**: `Authorization: Bearer <key>`, or HTTP Basic with the key as username
and an empty password. Create a key with `npsloop apikey create --workspace SLUG`.

**Errors** are JSON, `{"detail": "..."}`: 400 for a body that is not JSON (or nests deeper
than 32 levels) and for a NUL character in the address or query; 401 for a missing or wrong
key; 404 for anything that is not in the key's workspace, or no endpoint at that address;
405 (with `Allow`) for a method the endpoint does not take; 413 for a body over the size
limit; 422 with `{"detail": [{"type", "loc", "msg"}, ...]}` naming every bad field (a NUL
character in a text of the body too). Each operation lists the statuses it can answer.

**Lists** return `{"items": [...], "next_cursor": "..." | null}`; pass `cursor` to get the
next page, `limit` (1-1000, default 100) to size it.
"""

api = NinjaAPI(
    title="npsloop API",
    version="1",
    description=DESCRIPTION,
    auth=API_AUTH,
    urls_namespace="api-v1",
    # The docs page loads Swagger UI from ninja's own static files; with no validator URL
    # it makes no request to validator.swagger.io either, so it works offline.
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": True}),
    parser=JsonBody(),
)
install_error_handlers(api)

api.add_router("/contacts", contacts.router)
api.add_router("/accounts", accounts.router)
api.add_router("/surveys", surveys.router)
api.add_router("/surveys", asks.router)
api.add_router("/surveys", programmes.router)
api.add_router("/responses", responses.router)
api.add_router("/metrics", metrics.router)
api.add_router("/releases", releases.router)
api.add_router("/events", events.router)


@csrf_exempt
def unknown_endpoint(request: HttpRequest) -> JsonResponse:
    """Any other address under /api/: a JSON 404 a client can read, not Django's HTML page."""
    return JsonResponse(
        {
            "detail": (
                f"no API endpoint at {request.path}; the endpoints are listed at "
                "/api/v1/docs (OpenAPI: /api/v1/openapi.json)"
            )
        },
        status=404,
    )
