"""From a file to its groups: pick the reader by extension and count.

Readers are imported when needed: a JSON Lines run never pays for loading Arrow.
"""

from __future__ import annotations

import os
from pathlib import Path

from npsloop.calculator.errors import CalculatorError
from npsloop.calculator.formats import Format, kind_of
from npsloop.calculator.tally import Tally

# Settings for the native libraries that Arrow loads, which take effect only if set before
# they load (else they change nothing). numpy's OpenBLAS would start a thread per core that
# spins for a while, taking CPU from Arrow's threads for linear algebra never done; Arrow's
# allocator, mimalloc, would give each parsed block's pages back to the kernel after 10 ms,
# to be zeroed again for the next block (up to a tenth of the CPU of a large CSV read).
_NATIVE_SETTINGS = {"OPENBLAS_NUM_THREADS": "1", "MIMALLOC_PURGE_DELAY": "1000"}


def count_file(path: Path, score: str, by: list[str], skip_invalid: bool) -> Tally:
    """Count the scores of `path` per combination of the `by` columns."""
    if not path.exists():
        raise CalculatorError(f"no such file: {path}")
    if not path.is_file():
        raise CalculatorError(f"{path} is not a file; expected an export file")
    kind = kind_of(path)
    if kind.format is not Format.JSON_LINES:
        for name, value in _NATIVE_SETTINGS.items():
            os.environ.setdefault(name, value)
    if kind.format is Format.CSV:
        from npsloop.calculator.csv_file import count_csv

        return count_csv(path, score, by, skip_invalid, compressed=kind.gzipped)
    if kind.format is Format.JSON_LINES:
        from npsloop.calculator.jsonl_file import count_jsonl

        return count_jsonl(path, score, by, skip_invalid, compressed=kind.gzipped)
    from npsloop.calculator.parquet_file import count_parquet

    return count_parquet(path, score, by, skip_invalid)
