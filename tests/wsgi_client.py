"""A client for npsloop.wsgi.application, what the production web server runs, for tests
that send the same requests through it and through Django's test client."""

from __future__ import annotations

import json
from typing import Any

from django.core import signals
from django.db import close_old_connections
from django.test import RequestFactory

from npsloop.wsgi import application


class WsgiReply:
    def __init__(self, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status_code = int(status.split()[0])
        self.headers = dict(headers)
        self.content = body

    def json(self) -> Any:
        return json.loads(self.content)

    def __getitem__(self, name: str) -> str:
        return self.headers[name]

    def __contains__(self, name: str) -> bool:
        return name in self.headers

    @property
    def url(self) -> str:
        return self.headers["Location"]


class WsgiClient:
    """Requests through npsloop.wsgi.application, what the production server runs: the
    check by its own route, the rest by Django. Like Django's test client, it keeps the
    request signals from closing the test's database connection."""

    def __init__(self) -> None:
        self.factory = RequestFactory()

    def post(self, path: str, *args: Any, **kwargs: Any) -> WsgiReply:
        return self._call(self.factory.post(path, *args, **kwargs))

    def options(self, path: str, *args: Any, **kwargs: Any) -> WsgiReply:
        return self._call(self.factory.options(path, *args, **kwargs))

    def put(self, path: str, *args: Any, **kwargs: Any) -> WsgiReply:
        return self._call(self.factory.put(path, *args, **kwargs))

    def patch(self, path: str, *args: Any, **kwargs: Any) -> WsgiReply:
        return self._call(self.factory.patch(path, *args, **kwargs))

    def delete(self, path: str, *args: Any, **kwargs: Any) -> WsgiReply:
        return self._call(self.factory.delete(path, *args, **kwargs))

    def get(self, path: str, *args: Any, **kwargs: Any) -> WsgiReply:
        return self._call(self.factory.get(path, *args, **kwargs))

    def head(self, path: str, *args: Any, **kwargs: Any) -> WsgiReply:
        return self._call(self.factory.head(path, *args, **kwargs))

    def _call(self, request: Any) -> WsgiReply:
        started: list[Any] = []
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            chunks = application(
                request.environ, lambda status, headers: started.append((status, headers))
            )
            body = b"".join(chunks)
            getattr(chunks, "close", lambda: None)()
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)
        return WsgiReply(*started[0], body)
