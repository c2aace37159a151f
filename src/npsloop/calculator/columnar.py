"""Counting Arrow record batches into a Tally, vectorised (shared by CSV and Parquet).

A score column has a handful of distinct values however long the file is, so each distinct
value is checked once with `parse_score` and the verdicts are spread over the rows with
numpy. Group and score codes are then combined into one integer per row and counted with
`np.bincount`: no Python work per row, which is what makes ten million rows take a second.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from npsloop.calculator.errors import CalculatorError
from npsloop.calculator.tally import INVALID, Rejection, ScoreCodes, Tally, group_label

__all__ = ["Rejection", "ScoreCodes", "count_batch", "distinct_codes"]

Codes = npt.NDArray[np.int64]
# A string, because Arrow's Array is generic only in its type stubs.
Column: TypeAlias = "pa.Array[Any]"
# Above this many possible keys per row, counting sorts instead of allocating a bin per key.
_DENSE_KEYS_PER_ROW = 4
_MIN_DENSE_KEYS = 1 << 16


def distinct_codes(column: Column, name: str) -> tuple[Codes, list[object]]:
    """Per-row positions into the list of the column's distinct values (None for null)."""
    if isinstance(column, pa.DictionaryArray):
        encoded = column
    else:
        try:
            encoded = column.dictionary_encode()
        except pa.ArrowNotImplementedError as error:
            raise CalculatorError(
                f"column '{name}' holds {column.type} values; expected numbers or text"
            ) from error
    values: list[object] = encoded.dictionary.to_pylist()
    codes = _index_codes(encoded.indices, null_code=len(values))
    if encoded.indices.null_count:
        values.append(None)
    return codes, values


def _index_codes(indices: Column, null_code: int) -> Codes:
    """Dictionary indices as int64 numpy, with `null_code` where the index is null.

    Read straight from the Arrow buffers: `to_numpy()`, `pa.scalar()` and `fill_null()`
    import pandas, which costs the CLI a third of a second before it reads a byte.
    """
    length = len(indices)
    if length == 0:
        return np.zeros(0, dtype=np.int64)
    width = indices.type.bit_width // 8
    kind = "u" if pa.types.is_unsigned_integer(indices.type) else "i"
    validity, data = indices.buffers()[:2]
    assert data is not None
    raw = np.frombuffer(
        memoryview(data), dtype=f"<{kind}{width}", count=length, offset=indices.offset * width
    )
    codes = raw.astype(np.int64)
    if validity is not None and indices.null_count:
        bytes_ = np.frombuffer(memoryview(validity), dtype=np.uint8)
        bits = np.unpackbits(bytes_, bitorder="little")
        codes[bits[indices.offset : indices.offset + length] == 0] = null_code
    return codes


def count_batch(
    tally: Tally,
    scores: ScoreCodes,
    score_column: Column,
    group_columns: Sequence[tuple[str, Column]],
    score_name: str,
) -> Rejection | None:
    """Add one batch to `tally`, rejected rows included; return the first rejected row."""
    codes, values = distinct_codes(score_column, score_name)
    verdicts = [scores.code(value) for value in values]

    labels: list[list[str]] = []
    axes: list[Codes] = []
    for name, column in group_columns:
        group_codes, group_values = distinct_codes(column, name)
        labels.append([group_label(value) for value in group_values])
        axes.append(group_codes)
    _count_keys(tally, labels, verdicts, [*axes, codes])

    rejected = [position for position, verdict in enumerate(verdicts) if verdict == INVALID]
    if not rejected:
        return None
    first = int(np.flatnonzero(np.isin(codes, rejected))[0])
    return Rejection(first, scores.reason(values[int(codes[first])]))


def _count_keys(
    tally: Tally, labels: list[list[str]], verdicts: list[int], axes: list[Codes]
) -> None:
    """Count the distinct combinations of group values and raw score values.

    Counting happens on the raw values' positions and verdicts are applied per combination
    afterwards, which saves a pass over the rows.
    """
    rows = len(axes[-1])
    if rows == 0:
        return
    shape = (*(len(names) for names in labels), len(verdicts))
    keys_total = math.prod(shape)
    if keys_total < 2**62:
        flat = axes[0] if len(axes) == 1 else np.ravel_multi_index(tuple(axes), shape)
        if keys_total <= max(rows * _DENSE_KEYS_PER_ROW, _MIN_DENSE_KEYS):
            per_key = np.bincount(flat, minlength=keys_total)
            present = np.flatnonzero(per_key)
            counts = per_key[present]
        else:
            present, counts = np.unique(flat, return_counts=True)
        combos = np.unravel_index(present, shape)
    else:
        # Several high-cardinality --by columns: the combined key would overflow, so sort rows.
        unique_rows, counts = np.unique(np.stack(axes, axis=1), axis=0, return_counts=True)
        combos = tuple(unique_rows.T)
    positions = [axis.tolist() for axis in combos]
    for i, count in enumerate(counts.tolist()):
        group = tuple(names[positions[j][i]] for j, names in enumerate(labels))
        tally.add(group, verdicts[positions[-1][i]], count)
