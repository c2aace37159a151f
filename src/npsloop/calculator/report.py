"""Rendering the groups: JSON and CSV for programs, an aligned table for people.

JSON and CSV carry exactly the fields of `Summary.as_dict()`, so a script reading
`npsloop score` output and one reading the API see the same names and the same numbers.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Sequence

from npsloop.calculator.tally import GroupCount
from npsloop.stats import Summary, summarize

FORMATS = ("table", "json", "csv")
SUMMARY_FIELDS = tuple(field.name for field in dataclasses.fields(Summary))
# What the table shows where a group has no score (n = 0).
MISSING = "-"


def records(
    groups: Sequence[GroupCount], by: Sequence[str], confidence: float, with_invalid: bool
) -> list[dict[str, object]]:
    """One JSON-ready object per group: `group`, the summary fields, then `invalid` if asked."""
    result: list[dict[str, object]] = []
    for counted in groups:
        record: dict[str, object] = {"group": dict(zip(by, counted.group, strict=True))}
        record.update(summarize(counted.histogram, confidence).as_dict())
        if with_invalid:
            record["invalid"] = counted.invalid
        result.append(record)
    return result


def render_json(rows: list[dict[str, object]]) -> str:
    return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"


def render_csv(rows: list[dict[str, object]], by: Sequence[str], with_invalid: bool) -> str:
    """A header of the --by names and the summary fields; empty cells where a value is null."""
    fields = [*SUMMARY_FIELDS, *(["invalid"] if with_invalid else [])]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*by, *fields])
    for row in rows:
        group = row["group"]
        assert isinstance(group, dict)
        values = [row[field] for field in fields]
        writer.writerow([*group.values(), *("" if v is None else v for v in values)])
    return out.getvalue()


def render_table(rows: list[dict[str, object]], by: Sequence[str], with_invalid: bool) -> str:
    """Columns a person reads first: the group, NPS, its interval, n, then the three shares."""
    if not rows:
        return "no responses\n"
    level = rows[0]["confidence"]
    assert isinstance(level, float)
    header = [*by, "NPS", f"{level * 100:g}% CI", "n", "promoters", "passives", "detractors"]
    if with_invalid:
        header.append("skipped")
    lines = [header]
    for row in rows:
        group = row["group"]
        assert isinstance(group, dict)
        cells = [_group_cell(value) for value in group.values()]
        cells += [
            _nps_cell(row["nps"]),
            _interval_cell(row["ci_low"], row["ci_high"]),
            f"{row['n']:,}",
            _share_cell(row["promoter_percent"]),
            _share_cell(row["passive_percent"]),
            _share_cell(row["detractor_percent"]),
        ]
        if with_invalid:
            cells.append(f"{row['invalid']:,}")
        lines.append(cells)
    return _aligned(lines, left_columns=len(by))


def _group_cell(value: object) -> str:
    # An empty --by cell is a group of its own; "" would look like a rendering glitch.
    return "(empty)" if value == "" else str(value)


def _nps_cell(value: object) -> str:
    return MISSING if value is None else f"{value:+d}" if value else "0"


def _interval_cell(low: object, high: object) -> str:
    if not isinstance(low, float) or not isinstance(high, float):
        return MISSING
    return f"{low:.1f} to {high:.1f}"


def _share_cell(value: object) -> str:
    return MISSING if not isinstance(value, float) else f"{value:.1f}%"


def _aligned(lines: list[list[str]], left_columns: int) -> str:
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    out = []
    for line in lines:
        cells = [
            cell.ljust(width) if i < left_columns else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        ]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out) + "\n"
