"""What the request answered beside Django (npsloop.wsgi) uses: the database connection
kept as Django's handler keeps it, and the headers Django's middleware would add.

One request is answered so, until it becomes an ordinary view too (issue 13): the widget's
check (every page view of every signed-in user of a customer's app). Everything else goes
through Django.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any, TypeVar

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, connections

# The widget's eligibility reads through it (prepared once per connection on PostgreSQL).
from npsloop.statements import fetch as fetch

logger = logging.getLogger("django.request")
StartResponse = Callable[..., Any]
Headers = list[tuple[str, str]]
T = TypeVar("T")


def on_the_database(answer: Callable[[], T]) -> T:
    """``answer()``, once more on a new connection when the kept one turns out dead (the
    database restarted, a proxy dropped it): what Django's health check does, without a
    round trip to the database before every request. Then Django's end of a request: a
    connection that errored or outlived CONN_MAX_AGE is closed; a kept one counts as
    checked."""
    try:
        try:
            return answer()
        except (OperationalError, InterfaceError):
            if connection.in_atomic_block:
                raise
            connection.close()
            return answer()
    finally:
        for database in connections.all(initialized_only=True):
            database.close_if_unusable_or_obsolete()
            if database.connection is not None:
                database.health_check_done = True  # type: ignore[attr-defined]  # Django 4.1+


def respond(
    start_response: StartResponse,
    status: int,
    headers: Headers,
    body: bytes,
    *,
    path: str,
    head: bool = False,
) -> Iterable[bytes]:
    """Send an answer with the headers Django's SecurityMiddleware and XFrameOptionsMiddleware
    add, logging an error status as Django's handler does."""
    if status >= 500:
        logger.error("%s: %s", HTTPStatus(status).phrase, path)
    elif status >= 400:
        logger.warning("%s: %s", HTTPStatus(status).phrase, path)
    start_response(
        f"{status} {HTTPStatus(status).phrase}",
        [*headers, *_security_headers(), ("Content-Length", str(len(body)))],
    )
    return [b"" if head else body]


def _security_headers() -> Headers:
    headers = [("X-Frame-Options", settings.X_FRAME_OPTIONS)]
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers.append(("X-Content-Type-Options", "nosniff"))
    if settings.SECURE_REFERRER_POLICY:
        headers.append(("Referrer-Policy", str(settings.SECURE_REFERRER_POLICY)))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers.append(("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY))
    return headers
