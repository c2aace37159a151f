"""Scores from a Parquet file, read batch by batch so memory stays flat.

Integer and text score columns are checked per distinct value with `parse_score`; any other
type (floats, booleans, dates) is rejected row by row, because a 7.0 is not a score. Parquet
has no lines, so rejected rows are reported by row number, the first data row being row 1.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from npsloop.calculator.columnar import ScoreCodes, count_batch
from npsloop.calculator.errors import CalculatorError, InvalidScoreError, missing_columns_error
from npsloop.calculator.tally import Tally

_BATCH_ROWS = 1 << 20


def count_parquet(path: Path, score: str, by: list[str], skip_invalid: bool) -> Tally:
    """Count the file's scores per group, or raise CalculatorError saying what is wrong."""
    try:
        return _count(path, score, by, skip_invalid)
    except pa.ArrowException as error:
        detail = str(error).strip().splitlines()[0][:200] if str(error).strip() else "unknown"
        raise CalculatorError(
            f"{path.name} is not a readable Parquet file ({detail}); "
            "expected a file written by Arrow, pandas, Spark or DuckDB"
        ) from error


def _count(path: Path, score: str, by: list[str], skip_invalid: bool) -> Tally:
    with pq.ParquetFile(path) as parquet:
        names = parquet.schema_arrow.names
        columns = list(dict.fromkeys([score, *by]))
        missing = [name for name in columns if name not in names]
        if missing:
            raise missing_columns_error(missing, names, path.name)

        tally = Tally(len(by))
        scores = ScoreCodes()
        offset = 0
        for batch in parquet.iter_batches(batch_size=_BATCH_ROWS, columns=columns):
            groups = [(name, batch.column(name)) for name in by]
            rejection = count_batch(tally, scores, batch.column(score), groups, score)
            if rejection is not None and not skip_invalid:
                row = offset + rejection.row + 1
                raise InvalidScoreError(path.name, f"row {row}", rejection.reason)
            offset += batch.num_rows
    return tally
