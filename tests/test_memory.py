"""npsloop.memory: values kept as they are, for their seconds, and never more than `size`."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.utils import timezone

from npsloop.memory import Memory, forget_all


def test_a_value_is_kept_as_it_is_until_its_seconds_pass() -> None:
    memory = Memory(size=10)
    value = {"kept": ["as", "is"]}
    memory.set("k", value, 5)
    assert memory.get("k") is value
    with time_machine.travel(timezone.now() + timedelta(seconds=6)):
        assert memory.get("k") is None
    assert memory.get("missing") is None


def test_a_full_memory_forgets_its_oldest_quarter() -> None:
    memory = Memory(size=8)
    for n in range(8):
        memory.set(f"k{n}", n, 60)
    memory.set("new", "n", 60)
    assert [memory.get(f"k{n}") for n in range(8)] == [None, None, 2, 3, 4, 5, 6, 7]
    assert memory.get("new") == "n"


def test_forget_all_empties_every_memory() -> None:
    first, second = Memory(size=4), Memory(size=4)
    first.set("a", 1, 60)
    second.set("b", 2, 60)
    forget_all()
    assert first.get("a") is None and second.get("b") is None
