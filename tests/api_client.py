"""The test client of the API: sends a workspace's key and speaks JSON.

A module of its own (not in a conftest) so that test files can import it by a name no
other module in tests/ has.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from django.test import Client

from tests.wsgi_client import WsgiClient


class ApiClient:
    """A Django test client that sends the workspace's API key and speaks JSON."""

    def __init__(self, secret: str | None, basic: bool = False, *, wsgi: bool = False) -> None:
        """``wsgi``: send the requests through the WSGI application the production server
        runs (tests.wsgi_client), where POST /api/v1/responses has a route of its own."""
        self.client: Any = WsgiClient() if wsgi else Client()
        self.headers: dict[str, str] = {}
        if secret is not None and basic:
            token = base64.b64encode(f"{secret}:".encode()).decode()
            self.headers["Authorization"] = f"Basic {token}"
        elif secret is not None:
            self.headers["Authorization"] = f"Bearer {secret}"

    def _call(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        send: Callable[..., Any] = getattr(self.client, method)
        kwargs: dict[str, Any] = {"headers": {**self.headers, **headers}}
        if body is not None:
            kwargs["data"] = body
            kwargs["content_type"] = "application/json"
        return send(path, **kwargs)

    def get(self, path: str, **headers: str) -> Any:
        return self._call("get", path, **headers)

    def post(self, path: str, body: Any, **headers: str) -> Any:
        return self._call("post", path, body, **headers)

    def put(self, path: str, body: Any, **headers: str) -> Any:
        return self._call("put", path, body, **headers)

    def patch(self, path: str, body: Any, **headers: str) -> Any:
        return self._call("patch", path, body, **headers)

    def delete(self, path: str, **headers: str) -> Any:
        return self._call("delete", path, **headers)
