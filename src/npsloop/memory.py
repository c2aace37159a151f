"""Short memories inside one process for the busiest requests (the widget's check): values
kept as they are, for a few seconds each, at most ``size`` of them.

Django's local-memory cache pickles every value in and out, and holds 10,000 entries for
everything; a page view's check reads three memories, and a customer's app has more users
than that. Values kept here are shared by the process's threads: never change them.
"""

from __future__ import annotations

import threading
import time
from typing import Any

_MEMORIES: list[Memory] = []


class Memory:
    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()
        _MEMORIES.append(self)

    def get(self, key: str) -> Any | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] <= time.time():
            self._entries.pop(key, None)
            return None
        return entry[1]

    def set(self, key: str, value: Any, seconds: float) -> None:
        if len(self._entries) >= self.size:
            self._forget_oldest()
        self._entries[key] = (time.time() + seconds, value)

    def forget(self, key: str) -> None:
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()

    def _forget_oldest(self) -> None:
        """Drop the oldest quarter: a dict keeps the order its keys were first set in."""
        with self._lock:
            for key in list(self._entries)[: max(1, self.size // 4)]:
                self._entries.pop(key, None)


def forget_all() -> None:
    """Empty every memory (tests, and what a settings change should reach at once)."""
    for memory in _MEMORIES:
        memory.clear()
