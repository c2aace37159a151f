"""The loop of every file import: rows are read and parsed on one thread while the
previous batch is stored on the calling thread.

Storing waits on the database most of the time, and a waiting thread lets the other run,
so reading the file costs next to nothing in wall time. Parsing never touches the
database: only the calling thread uses its connection (and its transaction, in tests).
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

from npsloop.contacts.import_report import ImportSummary, RejectsFile, reason_of
from npsloop.contacts.outcome import Outcome
from npsloop.contacts.tabular import FileProblem, Row, Table
from npsloop.errors import InvalidInput
from npsloop.workspaces.models import Workspace

Item = TypeVar("Item")
Ready = queue.Queue["Batch[Item] | BaseException | None"]
BATCH_SIZE = 2000
# Batches parsed ahead of the one being stored: enough to keep the database busy, few
# enough that memory stays flat.
READ_AHEAD = 3
# When the database answers, the storing thread waits for the parsing thread to hand over
# the interpreter: up to Python's switch interval (5 ms), several times per batch.
SWITCH_INTERVAL = 0.0005


class Batch(Generic[Item]):
    """Parsed rows to store, and the rows refused while parsing them."""

    def __init__(self) -> None:
        self.items: list[tuple[Row, Item]] = []
        self.refused: list[tuple[Row, str]] = []

    def __len__(self) -> int:
        return len(self.items) + len(self.refused)


class FileImport(Generic[Item]):
    """Rows to items, items stored a batch at a time, every refused row to the rejects file.

    Subclasses define ``parse`` (no database access: it runs on the reader thread) and
    ``store``, and may define ``identities`` and ``repeat_warning`` to have a row that names
    what an earlier row of the file named reported with both lines. ``summary`` counts
    what was done so far, also when the file turns out malformed half-way: the rows
    before the damage are stored.
    """

    batch_size = BATCH_SIZE

    def __init__(
        self,
        workspace: Workspace,
        table: Table,
        rejects: RejectsFile,
        on_batch: Callable[[], None] | None = None,
    ) -> None:
        self.workspace = workspace
        self.zone = ZoneInfo(workspace.time_zone)
        self.table = table
        self.rejects = rejects
        self.on_batch = on_batch
        self.summary = ImportSummary()
        # Per identity (external_id, email, key), the line of the first stored row with
        # each value: an import of a million rows keeps a million short strings here.
        self._first_lines: dict[str, dict[str, int]] = {}

    def parse(self, row: Row) -> Item:
        raise NotImplementedError

    def store(self, items: list[Item]) -> Sequence[Outcome | InvalidInput]:
        raise NotImplementedError

    def identities(self, item: Item) -> Iterable[tuple[str, str]]:
        """The (name, value) pairs by which the store finds an item, in the order it tries them."""
        return ()

    def repeat_warning(self, line: int, item: Item, name: str, value: str, first: int) -> str:
        raise NotImplementedError

    def run(self) -> ImportSummary:
        ready: Ready[Item] = queue.Queue(READ_AHEAD)
        stop = threading.Event()
        reader = threading.Thread(target=self._read, args=(ready, stop), daemon=True)
        switch = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL)
        reader.start()
        try:
            while (batch := ready.get()) is not None:
                if isinstance(batch, BaseException):
                    raise batch
                self._flush(batch)
        finally:
            stop.set()
            while reader.is_alive():  # let a reader waiting for room see the stop
                try:
                    ready.get_nowait()
                except queue.Empty:
                    reader.join(0.01)
            sys.setswitchinterval(switch)
        return self.summary

    def _read(
        self, ready: queue.Queue[Batch[Item] | BaseException | None], stop: threading.Event
    ) -> None:
        try:
            for batch in self._batches():
                if stop.is_set():
                    return
                ready.put(batch)
            ready.put(None)
        except BaseException as error:  # handed to the calling thread, which raises it
            ready.put(error)

    def _batches(self) -> Iterator[Batch[Item]]:
        batch: Batch[Item] = Batch()
        try:
            for row in self.table.rows():
                if row.problem is not None:
                    batch.refused.append((row, row.problem))
                else:
                    try:
                        batch.items.append((row, self.parse(row)))
                    except InvalidInput as error:
                        batch.refused.append((row, reason_of(error)))
                if len(batch) >= self.batch_size:
                    yield batch
                    batch = Batch()
        except FileProblem:
            yield batch  # the rows read before malformed CSV are good: store them
            raise
        yield batch

    def _note_identities(self, line: int, item: Item, outcome: Outcome) -> None:
        """Remember the row's identities; report it if it met a row of this file again.

        A created item met nothing: whatever it shares with an earlier row (an email that
        row gave up, say) did not make the store find that row's contact or response.
        """
        repeat: tuple[str, str, int] | None = None
        for name, value in self.identities(item):
            lines = self._first_lines.setdefault(name, {})
            first = lines.setdefault(value, line)
            if first != line and repeat is None and outcome is not Outcome.CREATED:
                repeat = (name, value, first)
        if repeat is not None:
            self.summary.repeat(self.repeat_warning(line, item, *repeat))

    def _flush(self, batch: Batch[Item]) -> None:
        """Store the batch; write its refused rows in the order of the file."""
        items = batch.items
        outcomes = self.store([item for _, item in items]) if items else []
        refused = list(batch.refused)
        for (row, item), outcome in zip(items, outcomes, strict=True):
            if isinstance(outcome, InvalidInput):
                refused.append((row, reason_of(outcome)))
            else:
                self.summary.count(outcome)
                self._note_identities(row.line, item, outcome)
        for row, reason in sorted(refused, key=lambda pair: pair[0].line):
            self.summary.rejected += 1
            self.rejects.add(row.line, reason, row.original)
        if self.on_batch is not None:
            self.on_batch()
