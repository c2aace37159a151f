"""The REST API at /api/v1/: one router module per resource, mounted here."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from npsloop.api.auth import API_AUTH

api = NinjaAPI(
    title="npsloop API",
    version="1",
    description="Contacts, accounts, surveys, responses and honest NPS metrics.",
    auth=API_AUTH,
    urls_namespace="api-v1",
)


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {
            "detail": "missing or invalid API key: send `Authorization: Bearer <key>` "
            "or HTTP Basic with the key as username"
        },
        status=401,
    )
