"""What a file must be for npsloop to read it at all: UTF-8 text with something in it.

`npsloop import` stores every cell and `npsloop score` reads one or two columns, but the
same file gets the same verdict from both, in the same words: a file that one of them
refuses is not a file the other quietly half-reads. A header with no rows under it is an
honest export of nothing, and both accept it.
"""

from __future__ import annotations

import codecs
from typing import Protocol

CHUNK_BYTES = 1 << 20
EXPECTED = {
    "csv": "a header line naming the columns",
    "jsonl": "one JSON object per line",
}


class Readable(Protocol):
    def read(self, size: int, /) -> bytes: ...


def not_utf8(label: object, error: UnicodeDecodeError) -> str:
    return f"{label}: is not UTF-8 text ({error.reason}); export or save it as UTF-8"


def empty(label: object, file_format: str) -> str:
    return f"{label}: is empty; expected {EXPECTED[file_format]}"


def first_decode_error(stream: Readable) -> UnicodeDecodeError | None:
    """The first place where the stream's bytes are not UTF-8, read to its end; None if none."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := stream.read(CHUNK_BYTES):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        return error
    return None
