"""The load of the fault bench: POST /api/v1/responses at a steady pace, each answer with
its own Idempotency-Key, retried with the same key until the server acknowledges it.

A client that retries is what makes "the server was down" survivable: an answer whose
connection broke, or that met a 5xx, is sent again with the same key, and the server must
store it once (201, or 200 when an earlier try was stored but its reply never arrived).
Threads with one keep-alive connection each (http.client, standard library): the pace is
a few hundred requests a second, which threads keep up with while the server and the
database have the cores.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

PATH = "/api/v1/responses"
# Retries back off from 50 ms, doubling up to 2 s; 60 tries wait about 90 s in all, longer
# than any restart the bench makes, and still end if the server never returns.
FIRST_BACKOFF = 0.05
MAX_BACKOFF = 2.0
MAX_TRIES = 60
TIMEOUT = 10.0
CHANNELS = ("email", "in-app", "link")


@dataclass
class LoadReport:
    """What the clients saw: every key acknowledged, how, and what was retried."""

    acknowledged: set[str] = field(default_factory=set)
    replayed: int = 0  # acknowledged by a 200: an earlier try was stored, its reply lost
    given_up: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # key -> a 4xx answer
    retries: Counter[str] = field(default_factory=Counter)  # why a try was repeated
    seconds: float = 0.0


def answer(key: str, number: int, surveys: list[int]) -> bytes:
    """The body of answer `number`: contacts, scores and channels vary as in real use."""
    return json.dumps(
        {
            "survey": surveys[number % len(surveys)],
            "contact": {"external_id": f"{key.rsplit('-', 1)[0]}-contact-{number % 2000}"},
            "score": number % 11,
            "channel": CHANNELS[number % len(CHANNELS)],
        }
    ).encode()


class RetryingLoad:
    """`requests` answers spread evenly over `seconds`, sent by `connections` threads."""

    def __init__(
        self, base: str, api_key: str, surveys: list[int], run: str, connections: int
    ) -> None:
        address = urlsplit(base)
        assert address.hostname is not None and address.port is not None
        self.host, self.port = address.hostname, address.port
        self.api_key = api_key
        self.surveys = surveys
        self.run = run
        self.connections = connections
        self.report = LoadReport()
        self._lock = threading.Lock()
        self._next = 0

    def key(self, number: int) -> str:
        return f"{self.run}-{number}"

    def send(self, requests: int, seconds: float) -> LoadReport:
        started = time.monotonic()
        interval = seconds / requests
        threads = [
            threading.Thread(target=self._client, args=(requests, started, interval), daemon=True)
            for _ in range(self.connections)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.report.seconds = time.monotonic() - started
        return self.report

    def _take(self, requests: int) -> int | None:
        with self._lock:
            if self._next >= requests:
                return None
            self._next += 1
            return self._next - 1

    def _client(self, requests: int, started: float, interval: float) -> None:
        connection = self._connect()
        while (number := self._take(requests)) is not None:
            # Paced from the start, not from the previous answer: a restart's backlog is
            # sent as soon as the server is back, as real clients would.
            delay = started + number * interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            connection = self._deliver(connection, number)
        connection.close()

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)

    def _deliver(
        self, connection: http.client.HTTPConnection, number: int
    ) -> http.client.HTTPConnection:
        """Send one answer until it is acknowledged, refused or the tries run out."""
        key = self.key(number)
        body = answer(key, number, self.surveys)
        headers = {
            "Authorization": f"Bearer {self.api_key}",
            "Content-Type": "application/json",
            "Idempotency-Key": key,
        }
        for attempt in range(MAX_TRIES):
            why = self._try(connection, body, headers, key)
            if why is None:
                return connection
            with self._lock:
                self.report.retries[why] += 1
            connection.close()
            connection = self._connect()
            backoff = min(MAX_BACKOFF, FIRST_BACKOFF * 2**attempt)
            time.sleep(backoff * random.uniform(0.5, 1.0))
        with self._lock:
            self.report.given_up.append(key)
        return connection

    def _try(
        self,
        connection: http.client.HTTPConnection,
        body: bytes,
        headers: dict[str, str],
        key: str,
    ) -> str | None:
        """None when the answer is settled (acknowledged or refused), else why to retry."""
        try:
            connection.request("POST", PATH, body, headers)
            reply = connection.getresponse()
            text = reply.read()
        except (OSError, http.client.HTTPException) as error:
            return type(error).__name__
        with self._lock:
            if reply.status in (200, 201):
                self.report.acknowledged.add(key)
                self.report.replayed += reply.status == 200
                return None
            if reply.status < 500:
                self.report.refused[key] = f"{reply.status} {text[:200]!r}"
                return None
        return f"HTTP {reply.status}"
