"""Write a realistic NPS responses export as CSV, for benchmarks.

    python -m bench.generate_responses --rows 10000000 --out bench/.data/responses.csv

Rows are built column-wise with numpy and joined into CSV text by pyarrow compute kernels, one
chunk at a time, so ten million rows take seconds and memory stays flat. Comments are drawn from a
small pool that includes commas and doubled quotes, so the file exercises real CSV quoting.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

HEADER = "response_id,created_at,email,score,channel,plan,region,comment\n"

# A skewed, realistic distribution: most answers are 7-10, a long tail of detractors.
SCORE_SHARES = np.array([3, 1.5, 1.5, 2, 2, 5, 6, 11, 18, 22, 28], dtype=float)
CHANNELS = ["email", "web", "in_app", "sms"]
CHANNEL_SHARES = [0.55, 0.2, 0.2, 0.05]
PLANS = ["free", "starter", "pro", "enterprise"]
PLAN_SHARES = [0.4, 0.3, 0.22, 0.08]
REGIONS = ["eu", "us", "apac", "latam"]
REGION_SHARES = [0.35, 0.4, 0.15, 0.1]
# Already CSV-encoded: fields with commas or quotes are quoted, inner quotes doubled.
COMMENTS = [
    "",
    "",
    "",
    "",
    "Great product",
    "Too expensive",
    '"Fast, reliable, friendly support"',
    '"The ""new"" dashboard is confusing"',
    "Missing integrations",
    '"Exports are slow, please fix"',
    "Love it",
    "Onboarding was hard",
]
CHUNK_ROWS = 1_000_000
START = np.datetime64("2023-01-01T00:00:00", "s").astype(np.int64)
YEAR_SECONDS = 365 * 24 * 3600


# Arrow joins arrays and plain strings alike (the last argument is the separator); the type
# stubs only describe all-array or all-scalar calls.
_join = cast(Callable[..., pa.StringArray], pc.binary_join_element_wise)


def _choice(rng: np.random.Generator, pool: list[str], size: int, p: list[float]) -> pa.Array:
    indices = rng.choice(len(pool), size=size, p=p)
    return pa.array(pool).take(pa.array(indices, type=pa.int64()))


def csv_chunk(first_id: int, rows: int, rng: np.random.Generator) -> bytes:
    """Return `rows` CSV lines (no header) starting at response id `first_id`."""
    ids = np.arange(first_id, first_id + rows, dtype=np.int64)
    seconds = np.sort(rng.integers(0, YEAR_SECONDS, size=rows)) + START
    created = pc.cast(pa.array(seconds.astype("datetime64[s]")), pa.string())
    created = _join(pc.replace_substring(created, " ", "T"), "Z", "")
    user = pc.cast(pa.array(rng.integers(1, 2_000_000, size=rows)), pa.string())
    email = _join("user", user, "@example.com", "")
    score_shares = (SCORE_SHARES / SCORE_SHARES.sum()).tolist()
    scores = _choice(rng, [str(s) for s in range(11)], rows, score_shares)
    comment_shares = [1 / len(COMMENTS)] * len(COMMENTS)
    columns = [
        pc.cast(pa.array(ids), pa.string()),
        created,
        email,
        scores,
        _choice(rng, CHANNELS, rows, CHANNEL_SHARES),
        _choice(rng, PLANS, rows, PLAN_SHARES),
        _choice(rng, REGIONS, rows, REGION_SHARES),
        _choice(rng, COMMENTS, rows, comment_shares),
    ]
    lines = _join(*columns, ",")
    # Joining each line with an empty string using "\n" as separator appends the newline; the
    # values buffer of the result is then exactly the CSV text of the chunk.
    lines = _join(lines, "", "\n")
    _validity, offsets_buffer, data = lines.buffers()
    assert offsets_buffer is not None and data is not None
    offsets = np.frombuffer(memoryview(offsets_buffer), dtype=np.int32)[: rows + 1]
    return data.to_pybytes()[offsets[0] : offsets[-1]]


def write_responses(path: Path, rows: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with partial.open("wb") as out:
        out.write(HEADER.encode())
        for first in range(0, rows, CHUNK_ROWS):
            out.write(csv_chunk(first + 1, min(CHUNK_ROWS, rows - first), rng))
    partial.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a synthetic NPS responses CSV.")
    parser.add_argument("--rows", type=int, default=10_000_000, help="number of data rows")
    parser.add_argument("--out", type=Path, required=True, help="CSV file to write")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args(argv)
    write_responses(args.out, args.rows, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
