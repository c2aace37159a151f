"""Statements on the busiest paths: several writes in one round trip, and statements
prepared once per connection.

On PostgreSQL, Django's cursors bind parameters on the client, so statements joined by
semicolons go to the server as one message: a response's rollup and its event cost one
round trip instead of two. SQLite runs in the process, where a round trip costs nothing,
and executes one statement at a time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import psycopg
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connection, connections

# One statement with %s placeholders (no other %), and its parameters.
Statement = tuple[str, Sequence[Any]]


def execute_together(statements: Sequence[Statement]) -> None:
    """Run the statements in order, in the caller's transaction."""
    if not statements:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(statements) > 1:
            cursor.execute(
                ";\n".join(sql for sql, _ in statements),
                [value for _, params in statements for value in params],
            )
            return
        for sql, params in statements:
            cursor.execute(sql, params)


def fetch(sql: str, params: Sequence[Any] | Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """The rows of a statement run on every busy request, in the caller's transaction. On
    PostgreSQL it is prepared once per connection (settings: prepare_threshold): planning
    a join costs the database about ten times running it on an index."""
    database = connections[DEFAULT_DB_ALIAS]  # once: each use of the proxy looks it up
    if database.vendor != "postgresql":
        with database.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    # What Django's own cursors do first: a kept connection is checked once per request
    # (CONN_HEALTH_CHECKS), and a dead one replaced (read() checks by its statement).
    database.close_if_health_check_failed()
    database.ensure_connection()
    with database.wrap_database_errors, psycopg.Cursor(database.connection) as cursor:
        cursor.execute(sql, params, prepare=True)
        return cursor.fetchall()


def read(sql: str, params: Sequence[Any] | Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """``fetch`` for a statement that only reads, on the busiest pages: instead of Django's
    health check (a ``SELECT 1`` round trip before the request's first statement, a third
    of such a page's database time), the statement itself finds a dead kept connection, and
    is run once more on a new one. Outside a transaction only; a write could have been
    committed by the statement that seemed to fail."""
    database: Any = connections[DEFAULT_DB_ALIAS]  # health_check_* are Django 4.1+, unstubbed
    checked = database.health_check_done or not database.health_check_enabled
    if database.in_atomic_block or database.connection is None or checked:
        return fetch(sql, params)
    database.health_check_done = True  # the statement is the check
    try:
        return fetch(sql, params)
    except (OperationalError, InterfaceError):
        database.close()
        return fetch(sql, params)
