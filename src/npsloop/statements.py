"""Several writes in one round trip to the database.

On PostgreSQL, Django's cursors bind parameters on the client, so statements joined by
semicolons go to the server as one message: a response's rollup and its event cost one
round trip instead of two. SQLite runs in the process, where a round trip costs nothing,
and executes one statement at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection

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
