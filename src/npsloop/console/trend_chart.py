"""The NPS-over-time chart: one point per bucket with its 95% band, the response counts
below, and releases as dashed lines; server-rendered SVG (console/svg.py), described in
words for screen readers."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.html import escape
from django.utils.safestring import SafeString

from npsloop.console import svg
from npsloop.stats import round_half_away

NO_RESPONSES = "No responses in this period"
# Average advance of an 11 px system-ui character; enough to decide what fits, not to typeset.
CHAR_WIDTH = 6.2
_Axis = Callable[[float], float]


@dataclass(frozen=True)
class TrendPoint:
    """One bucket of a trend: [start, end) in days, its response count, NPS and 95% interval."""

    label: str
    start: date
    end: date
    n: int
    nps: float | None
    ci_low: float | None
    ci_high: float | None

    def __post_init__(self) -> None:
        where = f"trend point {self.label!r}"
        if not self.start < self.end:
            raise ValueError(
                f"{where}: start must be before end (end is exclusive), got "
                f"{self.start} to {self.end}"
            )
        if isinstance(self.n, bool) or not isinstance(self.n, int) or self.n < 0:
            raise ValueError(f"{where}: n must be a non-negative integer, got {self.n!r}")
        values = (self.nps, self.ci_low, self.ci_high)
        if self.n == 0 and values != (None, None, None):
            raise ValueError(f"{where}: with n = 0 nps, ci_low and ci_high must be None")
        if self.n > 0:
            svg.check_score(self.nps, f"{where}: nps")
            low = svg.check_score(self.ci_low, f"{where}: ci_low")
            high = svg.check_score(self.ci_high, f"{where}: ci_high")
            if low > high:
                raise ValueError(f"{where}: ci_low must not exceed ci_high, got {low} > {high}")


@dataclass(frozen=True)
class Marker:
    """A release drawn as a dashed line on the day it shipped."""

    day: date
    label: str


def _known(value: float | None) -> float:
    """A value TrendPoint guarantees for buckets with responses."""
    assert value is not None
    return value


def _compact(count: int) -> str:
    """A count in at most four characters (12k, 3M), for the narrow margin of the count strip."""
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if count >= 10 * size:
            return f"{round_half_away(count / size)}{suffix}"
    return str(count)


TREND_TITLE = "Net Promoter Score over time"
_UNITS = {1: ("day", "days"), 7: ("week", "weeks")}


def _unit(points: Sequence[TrendPoint]) -> tuple[str, str]:
    lengths = {(p.end - p.start).days for p in points}
    if len(lengths) == 1 and (only := lengths.pop()) in _UNITS:
        return _UNITS[only]
    if all(28 <= days <= 31 for days in lengths):
        return ("month", "months")
    if all(90 <= days <= 92 for days in lengths):
        return ("quarter", "quarters")
    return ("period", "periods")


def _y_range(points: Sequence[TrendPoint]) -> tuple[int, int, int]:
    """The smallest range on multiples of a round step holding every NPS and interval."""
    values = [v for p in points for v in (p.nps, p.ci_low, p.ci_high) if v is not None]
    low, high = math.floor(min(values) / 10) * 10, math.ceil(max(values) / 10) * 10
    if high - low < 20:  # a flat line still gets room above and below
        low, high = max(-100, min(low - 10, 80)), min(100, max(high + 10, -80))
    for step in (10, 20, 50):
        low_edge, high_edge = math.floor(low / step) * step, math.ceil(high / step) * step
        if (high_edge - low_edge) / step <= 6:
            return max(-100, low_edge), min(100, high_edge), step
    raise AssertionError("a step of 50 always fits -100..100")  # pragma: no cover


def _check_order(points: Sequence[TrendPoint]) -> None:
    for before, after in itertools.pairwise(points):
        if after.start < before.end:
            raise ValueError(
                f"trend points must be in time order without overlap, got "
                f"{after.label!r} starting {after.start} before {before.label!r} "
                f"ends {before.end}"
            )


def _tooltip(p: TrendPoint) -> str:
    low, high = svg.shown(_known(p.ci_low)), svg.shown(_known(p.ci_high))
    return f"{p.label}: NPS {svg.shown(_known(p.nps))} (95% {low} to {high}), n = {p.n}"


def _segments(points: Sequence[TrendPoint]) -> list[list[int]]:
    """Runs of consecutive buckets with responses; an empty bucket ends a run."""
    runs: list[list[int]] = []
    for is_data, run in itertools.groupby(range(len(points)), key=lambda i: points[i].n > 0):
        if is_data:
            runs.append(list(run))
    return runs


def _trend_desc(points: Sequence[TrendPoint], markers: Sequence[Marker]) -> str:
    unit, units = _unit(points)
    with_data = [p for p in points if p.n > 0]
    latest = with_data[-1]
    where = "" if latest is points[-1] else f" in {latest.label}"
    parts = [
        f"NPS by {unit} from {points[0].label} to {points[-1].label}; "
        f"latest {svg.shown(_known(latest.nps))}{where} (n = {latest.n})"
    ]
    if len(with_data) > 1:
        low = min(with_data, key=lambda p: _known(p.nps))
        high = max(with_data, key=lambda p: _known(p.nps))
        parts.append(
            f"lowest {svg.shown(_known(low.nps))} in {low.label}, "
            f"highest {svg.shown(_known(high.nps))} in {high.label}"
        )
    if gaps := len(points) - len(with_data):
        parts.append(f"no responses in {gaps} of {len(points)} {units}")
    if markers:
        parts.append("releases: " + ", ".join(f"{m.label} on {m.day}" for m in markers))
    return "; ".join(parts)


def trend_chart(
    points: Sequence[TrendPoint],
    markers: Sequence[Marker] = (),
    *,
    width: int = 760,
    height: int = 300,
) -> SafeString:
    """NPS per bucket with its 95% band, counts below, and release markers."""
    svg.check_size("trend_chart", width, height, 240, 160)
    points = list(points)
    _check_order(points)
    if not any(p.n for p in points):
        return svg.document(
            "trend",
            width,
            height,
            TREND_TITLE,
            NO_RESPONSES,
            [svg.text(width / 2, height / 2, NO_RESPONSES, "empty-label")],
        )
    shown = sorted(
        (m for m in markers if points[0].start <= m.day < points[-1].end),
        key=lambda m: (m.day, m.label),
    )
    left, right = 36, width - 10
    top, bottom = (30 if shown else 12), height - 52
    strip_base = bottom + 32
    slot = (right - left) / len(points)
    low, high, step = _y_range(points)

    def x(i: float) -> float:
        return left + i * slot

    def y(value: float) -> float:
        return bottom - (value - low) / (high - low) * (bottom - top)

    parts = []
    for tick in range(low, high + 1, step):
        parts.append(svg.line(left, y(tick), right, y(tick), "grid zero" if tick == 0 else "grid"))
        parts.append(svg.text(left - 4, y(tick) + 4, str(tick), "tick", "end"))
    parts += _trend_series(points, x, y, min(slot * 0.3, 6))
    parts += _count_strip(points, x, slot, left, strip_base)
    parts += _bucket_labels(points, x, slot, width, height - 4)
    parts += _marker_lines(points, shown, x, top, bottom, width)
    return svg.document("trend", width, height, TREND_TITLE, _trend_desc(points, shown), parts)


def _trend_series(points: list[TrendPoint], x: _Axis, y: _Axis, half: float) -> list[str]:
    band, line, dots = [], [], []
    for run in _segments(points):
        upper = [(x(i + 0.5), y(_known(points[i].ci_high))) for i in run]
        lower = [(x(i + 0.5), y(_known(points[i].ci_low))) for i in reversed(run)]
        if len(run) == 1:  # a lone bucket: a short bar of band, so its interval still shows
            (cx, top), (_, foot) = upper[0], lower[0]
            upper, lower = (
                [(cx - half, top), (cx + half, top)],
                [(cx + half, foot), (cx - half, foot)],
            )
        band.append("M" + " L".join(f"{svg.num(a)},{svg.num(b)}" for a, b in upper + lower) + " Z")
        if len(run) > 1:
            line.append(
                "M"
                + " L".join(
                    f"{svg.num(x(i + 0.5))},{svg.num(y(_known(points[i].nps)))}" for i in run
                )
            )
        for i in run:
            dots.append(
                f'<circle cx="{svg.num(x(i + 0.5))}" cy="{svg.num(y(_known(points[i].nps)))}" '
                f'r="3" class="point"><title>{escape(_tooltip(points[i]))}</title></circle>'
            )
    parts = [f'<path class="band" d="{" ".join(band)}"/>']
    if line:
        parts.append(f'<path class="line" d="{" ".join(line)}"/>')
    return parts + dots


def _count_strip(
    points: list[TrendPoint], x: _Axis, slot: float, left: float, base: float
) -> list[str]:
    """Counts as numbers when every one fits its slot, else as bars scaled to the largest."""
    most = max(p.n for p in points)
    parts = [svg.line(left, base, x(len(points)), base, "axis")]
    if len(str(most)) * CHAR_WIDTH + 4 <= slot:
        parts.append(svg.text(left - 4, base - 4, "n", "tick", "end"))
        parts += [
            svg.text(x(i + 0.5), base - 4, str(p.n), "count-label") for i, p in enumerate(points)
        ]
        return parts
    parts.append(svg.text(left - 4, base - 4, _compact(most), "tick", "end"))
    bar = max(1.0, min(slot * 0.6, 24))
    for i, p in enumerate(points):
        if p.n:
            tall = 16 * p.n / most
            tip = f"{p.label}: {svg.responses_label(p.n)}"
            parts.append(svg.rect(x(i + 0.5) - bar / 2, base - tall, bar, tall, "count", tip))
    return parts


def _bucket_labels(
    points: list[TrendPoint], x: _Axis, slot: float, width: int, baseline: float
) -> list[str]:
    """Every k-th label, counted back from the latest so the newest bucket is always named."""
    widest = max(len(p.label) for p in points) * CHAR_WIDTH
    every = max(1, math.ceil((widest + 8) / slot))
    parts = []
    for i, p in enumerate(points):
        if (len(points) - 1 - i) % every == 0:
            half = len(p.label) * CHAR_WIDTH / 2
            centre = min(max(x(i + 0.5), half + 2), width - half - 2)
            parts.append(svg.text(centre, baseline, p.label, "tick"))
    return parts


def _marker_x(points: list[TrendPoint], day: date, x: _Axis) -> float:
    """Proportional to the day inside its bucket; a day between buckets sits on the boundary."""
    for i, p in enumerate(points):
        if day < p.start:
            return x(i)
        if day < p.end:
            return x(i + (day - p.start).days / (p.end - p.start).days)
    raise ValueError(f"marker day {day} is after the last bucket")  # pragma: no cover


def _marker_lines(
    points: list[TrendPoint], markers: list[Marker], x: _Axis, top: float, bottom: float, width: int
) -> list[str]:
    parts = []
    row_ends = [-math.inf, -math.inf]  # two label rows, so neighbouring releases both show
    for m in markers:
        at = _marker_x(points, m.day, x)
        parts.append(svg.line(at, top, at, bottom, "marker", f"Release {m.label} on {m.day}"))
        size = len(m.label) * CHAR_WIDTH
        # Right of the line, unless that would run off the chart.
        fits_right = at + 3 + size <= width
        start = at + 3 if fits_right else at - 3 - size
        row = 0 if start > row_ends[0] else 1
        row_ends[row] = start + size + 4
        anchor = "start" if fits_right else "end"
        parts.append(
            svg.text(
                at + 3 if fits_right else at - 3, 11 + 12 * row, m.label, "marker-label", anchor
            )
        )
    return parts
