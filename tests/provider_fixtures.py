"""The `provider` fixture: django-anymail's Postmark backend pointed at an HTTP server on
loopback that answers like Postmark's send API, or refuses, or hangs up.

A pytest plugin (tests/conftest.py lists it in `pytest_plugins`), so any test can send through
a real email provider's client (requests, anymail's error handling) without the internet.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from pytest_django.fixtures import Settings

HOST = "127.0.0.1"


class Provider:
    """Postmark's POST /email on 127.0.0.1: accepts by default; set `reply` to answer with
    another status and body, or `hang_up` to read the request and close without an answer."""

    def __init__(self) -> None:
        self.reply: tuple[int, dict[str, Any]] | None = None
        self.hang_up = False
        self.received: list[dict[str, Any]] = []
        self._server = ThreadingHTTPServer((HOST, 0), _handler_for(self))
        self.port = self._server.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    def start(self) -> None:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop answering and listening: a connection to the port is then refused."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def answer(self, request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if self.reply is not None:
            return self.reply
        self.received.append(request)
        number = len(self.received)
        return 200, {
            "To": request.get("To", ""),
            "SubmittedAt": "2026-11-24T10:00:00Z",
            "MessageID": f"pm-{number}",
            "ErrorCode": 0,
            "Message": "OK",
        }


def _handler_for(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            request = json.loads(self.rfile.read(length) or b"{}")
            if provider.hang_up:
                self.close_connection = True
                return  # the request was read; no answer comes
            status, body = provider.answer(request)
            content = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the tests say what went wrong."""

    return Handler


@pytest.fixture
def provider(settings: Settings) -> Iterator[Provider]:
    """A running Provider that Django's email settings point at, stopped after the test."""
    server = Provider()
    server.start()
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {
        "POSTMARK_SERVER_TOKEN": "test-token",
        "POSTMARK_API_URL": server.url,
        "REQUESTS_TIMEOUT": 5,
    }
    try:
        yield server
    finally:
        server.stop()
