"""`npsloop score FILE`: argument parsing, error reporting and output, nothing else."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from npsloop import text_files
from npsloop.calculator.errors import CalculatorError
from npsloop.calculator.formats import ACCEPTED
from npsloop.calculator.reader import count_file
from npsloop.calculator.report import (
    FORMATS,
    records,
    render_csv,
    render_json,
    render_table,
)

PROG = "npsloop score"
EXIT_ERROR = 2

DESCRIPTION = f"""\
Compute the Net Promoter Score of an export file: NPS, its confidence interval (adjusted
Wald) and the promoter, passive and detractor shares, overall or per group.

Files, told by extension:
  {ACCEPTED}

A score is an integer from 0 to 10 ("07" is 7; 7.5, 7.0, 11 and empty cells are not).
The first other value stops the run, naming its line (its row, for Parquet), unless
--skip-invalid is given.
"""

EPILOG = """\
Groups: --by values are compared as text, exactly as written in the file; an empty cell
(or a JSON/Parquet null) is a group of its own, shown as "" in json/csv and as (empty) in
the table. Without --by there is one group, {} in json; with --by, a file with no rows
gives [].

Files are read as `npsloop import` reads them: text that is not UTF-8 (in any column) and
a file with nothing in it (not even a CSV header) are refused.

Exit status: 0 on success, 2 when the file or an option is not accepted.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="the export to score")
    parser.add_argument(
        "--column", default="score", help="name of the score column (default: score)"
    )
    parser.add_argument(
        "--by",
        action="append",
        default=[],
        metavar="COL",
        help="group by this column; repeat to group by a combination (--by plan --by region)",
    )
    parser.add_argument(
        "--confidence",
        default="0.95",
        metavar="LEVEL",
        help="confidence level of the interval, between 0 and 1 (default: 0.95)",
    )
    parser.add_argument(
        "--format", choices=FORMATS, default="table", help="output format (default: table)"
    )
    parser.add_argument(
        "--skip-invalid",
        action="store_true",
        help="skip rows whose score is not an integer from 0 to 10, and count them per group",
    )
    return parser


def parse_confidence(text: str) -> float:
    try:
        level = float(text)
    except ValueError:
        level = math.nan
    if not 0 < level < 1:
        raise CalculatorError(
            f"--confidence must be a number between 0 and 1 (exclusive), such as 0.95, got {text!r}"
        )
    return level


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    by: list[str] = args.by
    try:
        confidence = parse_confidence(args.confidence)
        tally = count_file(args.file, args.column, by, args.skip_invalid)
    except CalculatorError as error:
        return _fail(str(error))
    except (OSError, EOFError) as error:
        reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
        return _fail(f"cannot read {args.file}: {reason}")
    except UnicodeDecodeError as error:
        return _fail(text_files.not_utf8(args.file.name, error))

    rows = records(tally.groups(), by, confidence, with_invalid=args.skip_invalid)
    if args.format == "json":
        output = render_json(rows)
    elif args.format == "csv":
        output = render_csv(rows, by, with_invalid=args.skip_invalid)
    else:
        output = render_table(rows, by, with_invalid=args.skip_invalid)
    sys.stdout.write(output)
    if tally.invalid:
        rows_word = "row" if tally.invalid == 1 else "rows"
        print(
            f"{PROG}: skipped {tally.invalid:,} {rows_word} whose score is not an integer "
            "from 0 to 10",
            file=sys.stderr,
        )
    return 0


def _fail(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return EXIT_ERROR
