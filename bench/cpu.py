"""CPU time spent by groups of processes, read from /proc (Linux).

Throughput on a shared two-core machine moves with whatever else runs on it; the CPU that
the web server and the database spend per request does not, so the API bench reports both.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_by_process(matches: Callable[[str], bool]) -> dict[int, float]:
    """CPU seconds (user + system) of every process whose command line matches."""
    seconds: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            if not matches(command):
                continue
            # Fields after the parenthesised name; utime and stime are the 14th and 15th.
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        seconds[int(entry.name)] = (int(fields[11]) + int(fields[12])) / TICKS
    return seconds


def spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds used between two snapshots; a process born in between counts whole."""
    return sum(total - before.get(pid, 0.0) for pid, total in after.items())
