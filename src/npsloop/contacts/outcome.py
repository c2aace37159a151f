from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    """What an upsert did: the words of every import summary and API answer."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
