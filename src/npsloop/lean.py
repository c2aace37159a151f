"""What the requests answered beside Django (npsloop.wsgi) share: the database connection
kept as Django's handler keeps it, and the headers Django's middleware would add.

Two requests are answered so: the widget's check (every page view of every signed-in user
of a customer's app) and the page behind an email's score link (every click of every
email). Everything else goes through Django.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any, TypeVar

import psycopg
from django.conf import settings
from django.db import (
    DEFAULT_DB_ALIAS,
    InterfaceError,
    OperationalError,
    connection,
    connections,
)

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


def fetch(sql: str, params: Sequence[Any] | Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """The rows of a statement run on every such request. On PostgreSQL it is prepared once
    per connection (settings: prepare_threshold): planning a join costs the database about
    ten times running it on an index."""
    database = connections[DEFAULT_DB_ALIAS]  # once: each use of the proxy looks it up
    if database.vendor != "postgresql":
        with database.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    database.ensure_connection()
    with database.wrap_database_errors, psycopg.Cursor(database.connection) as cursor:
        cursor.execute(sql, params, prepare=True)
        return cursor.fetchall()


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
