"""A stand-in for npsloop's widget endpoints, so the widget can be tested without a database.

Two loopback origins share one state: the *site* serves a customer's host pages, the *api*
serves widget.js and /widget/v1/{check, answer, followup, dismiss}. The page therefore talks to
the api cross-origin, as it does in production, and the CORS answers matter. Each endpoint
answers from a queue of canned replies (or a sensible default) and records what it received.

Run it by hand to look at the card: `python tests/widget/fake_server.py`.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

WIDGET_JS = Path(__file__).resolve().parents[2] / "src/npsloop/static/npsloop/widget.js"
ENDPOINTS = ("check", "answer", "followup", "dismiss")
KEY = "pk_test_widget"

QUESTION = "How likely are you to recommend Acme Cloud to a friend or colleague?"
FOLLOWUPS = {
    "promoter": "What do you like most about Acme Cloud?",
    "passive": "What would make it a 10?",
    "detractor": "What is the primary reason for your score?",
}
THANKS = {
    "promoter": "Thank you! Glad you like it.",
    "passive": "Thank you, we'll work on it.",
    "detractor": "Thank you, we're sorry to hear that.",
}
RECORDED = "Thank you — your score has been recorded."


def survey(**changes: Any) -> dict[str, Any]:
    """The SURVEY object of a /check answer, in English, with no extra questions or CTA."""
    base: dict[str, Any] = {
        "language": "en",
        "direction": "ltr",
        "position": "bottom-right",
        "question": QUESTION,
        "low_label": "Not at all likely",
        "high_label": "Extremely likely",
        "followups": dict(FOLLOWUPS),
        "comment_placeholder": "Tell us more (optional)",
        "submit": "Send",
        "close": "Close",
        "thanks": dict(THANKS),
        "cta": None,
        "questions": [],
        "choose_one": "Choose one",
        "choose_any": "Choose any",
        "rating_low": "Poor",
        "rating_high": "Excellent",
        "answer_required": "Please answer this question.",
        "recorded": RECORDED,
    }
    base.update(changes)
    return base


def shown(token: str = "tok-1", **changes: Any) -> dict[str, Any]:
    """A /check answer that shows the card."""
    return {"show": True, "token": token, "survey": survey(**changes)}


def category_of(score: int) -> str:
    return "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"


@dataclass(frozen=True)
class Received:
    """One POST as the server saw it; body is None when it was not a JSON object."""

    endpoint: str
    body: dict[str, Any] | None
    origin: str | None
    host: str
    at: float  # time.monotonic() on arrival


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    delay: float = 0.0  # seconds to wait before answering, like a slow network


def _reply(endpoint: str, body: object, status: int, delay: float = 0.0) -> Reply:
    if endpoint not in ENDPOINTS:
        raise ValueError(f"endpoint must be one of {ENDPOINTS}, got {endpoint!r}")
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Reply(status, raw, delay)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeServer) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake


class FakeServer:
    """The site and api origins with their canned replies and the record of requests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._replies: dict[str, deque[Reply]] = {name: deque() for name in ENDPOINTS}
        self._always: dict[str, Reply] = {}
        self._pages: dict[str, str] = {}
        self._received: list[Received] = []
        self._site = _Server(self)
        self._api = _Server(self)
        self._threads = [
            threading.Thread(target=server.serve_forever, daemon=True)
            for server in (self._site, self._api)
        ]

    @property
    def site_url(self) -> str:
        return f"http://127.0.0.1:{self._site.server_address[1]}"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self._api.server_address[1]}"

    @property
    def widget_url(self) -> str:
        return f"{self.api_url}/widget.js"

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        for server in (self._site, self._api):
            server.shutdown()
            server.server_close()

    def reply(self, endpoint: str, body: object, status: int = 200, delay: float = 0.0) -> None:
        """Queue one reply for the endpoint; bytes are sent as they are (for garbage)."""
        with self._lock:
            self._replies[endpoint].append(_reply(endpoint, body, status, delay))

    def always(self, endpoint: str, body: object, status: int = 200) -> None:
        """Reply this way whenever no queued reply is left."""
        with self._lock:
            self._always[endpoint] = _reply(endpoint, body, status)

    def add_page(self, html: str) -> str:
        """Serve html on the site origin; returns its URL."""
        with self._lock:
            path = f"/page/{len(self._pages) + 1}"
            self._pages[path] = html
        return self.site_url + path

    def received(self, endpoint: str) -> list[Received]:
        with self._lock:
            return [request for request in self._received if request.endpoint == endpoint]

    def bodies(self, endpoint: str) -> list[dict[str, Any]]:
        return [request.body or {} for request in self.received(endpoint)]

    def page(self, path: str) -> str | None:
        with self._lock:
            return self._pages.get(path)

    def record(self, request: Received) -> None:
        with self._lock:
            self._received.append(request)

    def answer(self, endpoint: str, body: dict[str, Any] | None) -> Reply:
        """The next queued reply, or what the real server would say to a well-formed request."""
        with self._lock:
            if self._replies[endpoint]:
                return self._replies[endpoint].popleft()
            if endpoint in self._always:
                return self._always[endpoint]
        if body is None:
            return Reply(400, b'{"error": "the body must be a JSON object"}')
        if body.get("key") != KEY:
            return Reply(403, b'{"error": "unknown publishable key"}')
        if endpoint == "check":
            return Reply(200, b'{"show": false, "reason": "no survey"}')
        if endpoint == "answer":
            score = body.get("score")
            if not isinstance(score, int) or not 0 <= score <= 10:
                error = {"errors": {"score": f"score must be an integer from 0 to 10, got {score}"}}
                return Reply(422, json.dumps(error).encode())
            return Reply(200, json.dumps({"score": score, "category": category_of(score)}).encode())
        return Reply(200, b'{"ok": true}')


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: pytest shows what matters."""

    def _send(self, status: int, body: bytes, content_type: str, cors: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        if cors:
            self.send_header("Access-Control-Allow-Origin", self.headers.get("Origin", "*"))
            self.send_header("Vary", "Origin")
        self.end_headers()
        self.wfile.write(body)

    def _endpoint(self) -> str | None:
        prefix = "/widget/v1/"
        name = self.path[len(prefix) :] if self.path.startswith(prefix) else ""
        return name if name in ENDPOINTS else None

    def _allowed_origin(self) -> bool:
        """The api answers the site only, like a workspace listing its app's origin."""
        return self.headers.get("Origin") == self.server.fake.site_url

    def do_GET(self) -> None:
        if self.path == "/widget.js":
            self._send(200, WIDGET_JS.read_bytes(), "text/javascript; charset=utf-8")
            return
        html = self.server.fake.page(self.path)
        if html is None:
            self._send(404, b"not found", "text/plain")
        else:
            self._send(200, html.encode(), "text/html; charset=utf-8")

    def do_OPTIONS(self) -> None:
        if self._endpoint() is None or not self._allowed_origin():
            self._send(403, b"", "text/plain")
            return
        self.send_response(204)
        self.send_header("Access-Control-Allow-Origin", self.headers["Origin"])
        self.send_header("Access-Control-Allow-Methods", "POST")
        self.send_header("Access-Control-Allow-Headers", "Content-Type")
        self.send_header("Access-Control-Max-Age", "600")
        self.send_header("Vary", "Origin")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self) -> None:
        endpoint = self._endpoint()
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if endpoint is None:
            self._send(404, b'{"error": "no such endpoint"}', "application/json")
            return
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = None
        body = parsed if isinstance(parsed, dict) else None
        fake = self.server.fake
        origin, host = self.headers.get("Origin"), self.headers["Host"]
        fake.record(Received(endpoint, body, origin, host, time.monotonic()))
        if not self._allowed_origin():
            self._send(403, b'{"error": "origin not allowed"}', "application/json")
            return
        reply = fake.answer(endpoint, body)
        time.sleep(reply.delay)
        self._send(reply.status, reply.body, "application/json", cors=True)


PAGE_BODY = """
<header id="top"><h1>Acme Cloud</h1><nav><a href="#docs">Docs</a></nav></header>
<main>
  <p id="intro">Your dashboards, backups and exports in one place.</p>
  <label>Name <input id="name"></label>
  <button id="bump" type="button">Clicked <span id="clicks">0</span> times</button>
  <p id="outro">Everything else on this page is ordinary content.</p>
</main>
<script>
  document.getElementById("bump").addEventListener("click", function () {
    var clicks = document.getElementById("clicks");
    clicks.textContent = String(Number(clicks.textContent) + 1);
  });
</script>
"""


# The queue snippet of the contract, as a customer pastes it.
SNIPPET = (
    "window.npsloop = window.npsloop || "
    "function () { (npsloop.q = npsloop.q || []).push(arguments); };"
)


def host_page(
    fake: FakeServer,
    calls: str = "",
    *,
    key: str | None = KEY,
    style: str = "",
    widget_src: str | None = None,
    load_widget: bool = True,
) -> str:
    """A customer's page: their content, the queue snippet with `calls`, then the async script."""
    data_key = f' data-key="{key}"' if key is not None else ""
    script = f'<script async src="{widget_src or fake.widget_url}"{data_key}></script>'
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acme Cloud</title>
<style>body {{ font: 16px/1.5 serif; margin: 8px; }} {style}</style>
</head><body>{PAGE_BODY}
<script>
  {SNIPPET}
  {calls}
</script>
{script if load_widget else ""}
</body></html>"""


def main() -> None:
    fake = FakeServer()
    fake.start()
    fake.always("check", shown())
    print("a page showing the card:", fake.add_page(host_page(fake)))
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
