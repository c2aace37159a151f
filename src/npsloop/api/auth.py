"""API keys arrive as `Authorization: Bearer <key>` or as the username of HTTP Basic.

The authenticated ApiKey becomes ``request.auth``; its workspace scopes every query an
operation makes, which is why anything of another workspace answers 404.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBasicAuth, HttpBearer

from npsloop.workspaces.keys import authenticate_api_key
from npsloop.workspaces.models import ApiKey, Workspace


class BearerKey(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        return authenticate_api_key(token)


class BasicKey(HttpBasicAuth):
    def authenticate(self, request: HttpRequest, username: str, password: str) -> ApiKey | None:
        return authenticate_api_key(username)


API_AUTH: list[Any] = [BearerKey(), BasicKey()]


def workspace_of(request: HttpRequest) -> Workspace:
    """The workspace of the key that authenticated this request."""
    key: ApiKey = request.auth  # type: ignore[attr-defined]
    return key.workspace
