"""What an import tells its user: the counts, and a rejects file with every row it refused.

The rejects file repeats each refused row as it was, after its line number and the reason,
so it can be fixed and imported again on its own.
"""

from __future__ import annotations

import csv
import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from npsloop.contacts.outcome import Outcome
from npsloop.errors import InvalidInput

if TYPE_CHECKING:
    from _csv import Writer


# Repeats past this many are counted, not spelled out: a file of a million rows that all
# repeat one id needs no million lines to say so.
SHOWN_REPEATS = 50


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    repeated: int = 0
    repeats: list[str] = dataclasses.field(default_factory=list)

    def count(self, outcome: Outcome) -> None:
        name = outcome.value
        setattr(self, name, getattr(self, name) + 1)

    def repeat(self, warning: str) -> None:
        """A row that names what an earlier row of the same file named: stored, and said."""
        self.repeated += 1
        if len(self.repeats) < SHOWN_REPEATS:
            self.repeats.append(warning)

    def warnings(self) -> list[str]:
        more = self.repeated - len(self.repeats)
        return [*self.repeats, *([f"… and {more} more repeats"] if more else [])]

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged + self.rejected

    def __str__(self) -> str:
        return (
            f"created {self.created}, updated {self.updated}, "
            f"unchanged {self.unchanged}, rejected {self.rejected}"
        )


class RejectsFile:
    """A CSV of refused rows: line, reason, then the row's own cells.

    Created only when the first row is refused, so a clean import leaves no file behind.
    """

    def __init__(self, path: Path, header: list[str] | None) -> None:
        self.path = path
        # CSV rows repeat their cells under the file's header; a JSON line is one cell.
        self.header = header if header is not None else ["row"]
        self._file: IO[str] | None = None
        self._writer: Writer | None = None

    def add(self, line: int, reason: str, original: list[str]) -> None:
        if self._writer is None:
            self._file = self.path.open("w", encoding="utf-8", newline="")
            self._writer = csv.writer(self._file)
            self._writer.writerow(["line", "reason", *self.header])
        self._writer.writerow([line, reason, *original])

    def close(self) -> None:
        if self._file is not None:
            self._file.close()

    def __enter__(self) -> RejectsFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def reason_of(error: InvalidInput) -> str:
    """One line from a service's field errors, without saying "score: score must …"."""
    parts = []
    for field, message in error.errors.items():
        if message.startswith(field):
            parts.append(message)
        elif message.startswith(("must", "needs", "was")):
            parts.append(f"{field} {message}")
        else:
            parts.append(f"{field}: {message}")
    return "; ".join(parts)
