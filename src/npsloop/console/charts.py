"""Server-rendered SVG charts for the insights pages: NPS over time, the score histogram, the
category shares and a small interval strip for table rows.

Plain SVG strings keep the dashboard free of JavaScript and CDNs, print like any other part
of the page, and can be tested by parsing them. Colours come only from the classes in
static/npsloop/charts.css, so dark mode and print are one stylesheet away. Numbers written
into the markup are rounded to 0.1 so the output stays small and reproducible.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from npsloop.stats import Histogram, category_of, round_half_away
from npsloop.stats.estimate import nps as nps_of

NO_RESPONSES = "No responses in this period"
# Average advance of an 11 px system-ui character; enough to decide what fits, not to typeset.
CHAR_WIDTH = 6.2
_chart_numbers = itertools.count(1)
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
            _check_score(self.nps, f"{where}: nps")
            low = _check_score(self.ci_low, f"{where}: ci_low")
            high = _check_score(self.ci_high, f"{where}: ci_high")
            if low > high:
                raise ValueError(f"{where}: ci_low must not exceed ci_high, got {low} > {high}")


@dataclass(frozen=True)
class Marker:
    """A release drawn as a dashed line on the day it shipped."""

    day: date
    label: str


def _check_score(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} must be a number from -100 to 100, got {value!r}")
    if not -100 <= value <= 100:
        raise ValueError(f"{name} must be a number from -100 to 100, got {value!r}")
    return float(value)


def _check_size(chart: str, width: int, height: int, min_width: int, min_height: int) -> None:
    for name, value, least in (("width", width, min_width), ("height", height, min_height)):
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise ValueError(
                f"{chart}: {name} must be an integer of at least {least}, got {value!r}"
            )


def _num(value: float) -> str:
    """A coordinate with at most one decimal: 12, 12.5, never 12.499999999999998."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _known(value: float | None) -> float:
    """A value TrendPoint guarantees for buckets with responses."""
    assert value is not None
    return value


def _shown(value: float) -> str:
    return str(round_half_away(value))


def _percent(part: int, total: int) -> str:
    return f"{round_half_away(1000 * part / total) / 10:.1f}%"


def _compact(count: int) -> str:
    """A count in at most four characters (12k, 3M), for the narrow margin of the count strip."""
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if count >= 10 * size:
            return f"{round_half_away(count / size)}{suffix}"
    return str(count)


def _responses(count: int) -> str:
    return f"{count} response" if count == 1 else f"{count} responses"


def _text(x: float, y: float, content: str, css: str, anchor: str = "middle") -> str:
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" class="{css}" text-anchor="{anchor}">'
        f"{escape(content)}</text>"
    )


def _closing(tag: str, title: str) -> str:
    """The end of an element: a tooltip inside it, or nothing at all."""
    return f"><title>{escape(title)}</title></{tag}>" if title else "/>"


def _line(x1: float, y1: float, x2: float, y2: float, css: str, title: str = "") -> str:
    return (
        f'<line x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" y2="{_num(y2)}" '
        f'class="{css}"{_closing("line", title)}'
    )


def _rect(x: float, y: float, w: float, h: float, css: str, title: str = "") -> str:
    return (
        f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(w)}" height="{_num(h)}" '
        f'class="{css}"{_closing("rect", title)}'
    )


def _svg(kind: str, width: int, height: int, title: str, desc: str, parts: list[str]) -> SafeString:
    """The outer <svg>: scalable, labelled for screen readers, ids unique per call."""
    chart_id = f"npschart-{next(_chart_numbers)}"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="npschart npschart-{kind}" '
        f'viewBox="0 0 {width} {height}" width="100%" style="max-width:{width}px" '
        f'role="img" aria-labelledby="{chart_id}-title" aria-describedby="{chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )
    # Every piece of text above and in `parts` went through escape(); the rest is numbers.
    return mark_safe(head + "".join(parts) + "</svg>")


# --- NPS over time -------------------------------------------------------------------------

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
    low, high = _shown(_known(p.ci_low)), _shown(_known(p.ci_high))
    return f"{p.label}: NPS {_shown(_known(p.nps))} (95% {low} to {high}), n = {p.n}"


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
        f"latest {_shown(_known(latest.nps))}{where} (n = {latest.n})"
    ]
    if len(with_data) > 1:
        low = min(with_data, key=lambda p: _known(p.nps))
        high = max(with_data, key=lambda p: _known(p.nps))
        parts.append(
            f"lowest {_shown(_known(low.nps))} in {low.label}, "
            f"highest {_shown(_known(high.nps))} in {high.label}"
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
    _check_size("trend_chart", width, height, 240, 160)
    points = list(points)
    _check_order(points)
    if not any(p.n for p in points):
        return _svg(
            "trend",
            width,
            height,
            TREND_TITLE,
            NO_RESPONSES,
            [_text(width / 2, height / 2, NO_RESPONSES, "empty-label")],
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
        parts.append(_line(left, y(tick), right, y(tick), "grid zero" if tick == 0 else "grid"))
        parts.append(_text(left - 4, y(tick) + 4, str(tick), "tick", "end"))
    parts += _trend_series(points, x, y, min(slot * 0.3, 6))
    parts += _count_strip(points, x, slot, left, strip_base)
    parts += _bucket_labels(points, x, slot, width, height - 4)
    parts += _marker_lines(points, shown, x, top, bottom, width)
    return _svg("trend", width, height, TREND_TITLE, _trend_desc(points, shown), parts)


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
        band.append("M" + " L".join(f"{_num(a)},{_num(b)}" for a, b in upper + lower) + " Z")
        if len(run) > 1:
            line.append(
                "M" + " L".join(f"{_num(x(i + 0.5))},{_num(y(_known(points[i].nps)))}" for i in run)
            )
        for i in run:
            dots.append(
                f'<circle cx="{_num(x(i + 0.5))}" cy="{_num(y(_known(points[i].nps)))}" '
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
    parts = [_line(left, base, x(len(points)), base, "axis")]
    if len(str(most)) * CHAR_WIDTH + 4 <= slot:
        parts.append(_text(left - 4, base - 4, "n", "tick", "end"))
        parts += [
            _text(x(i + 0.5), base - 4, str(p.n), "count-label") for i, p in enumerate(points)
        ]
        return parts
    parts.append(_text(left - 4, base - 4, _compact(most), "tick", "end"))
    bar = max(1.0, min(slot * 0.6, 24))
    for i, p in enumerate(points):
        if p.n:
            tall = 16 * p.n / most
            tip = f"{p.label}: {_responses(p.n)}"
            parts.append(_rect(x(i + 0.5) - bar / 2, base - tall, bar, tall, "count", tip))
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
            parts.append(_text(centre, baseline, p.label, "tick"))
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
        parts.append(_line(at, top, at, bottom, "marker", f"Release {m.label} on {m.day}"))
        size = len(m.label) * CHAR_WIDTH
        # Right of the line, unless that would run off the chart.
        fits_right = at + 3 + size <= width
        start = at + 3 if fits_right else at - 3 - size
        row = 0 if start > row_ends[0] else 1
        row_ends[row] = start + size + 4
        anchor = "start" if fits_right else "end"
        parts.append(
            _text(at + 3 if fits_right else at - 3, 11 + 12 * row, m.label, "marker-label", anchor)
        )
    return parts


# --- one period ----------------------------------------------------------------------------


def histogram_chart(counts: Sequence[int], *, width: int = 440, height: int = 200) -> SafeString:
    """Eleven bars for scores 0..10, coloured by category, each with its count and score."""
    _check_size("histogram_chart", width, height, 120, 80)
    try:
        h = Histogram(tuple(counts))
    except ValueError as error:
        raise ValueError(f"histogram_chart: {error}") from error
    total, most = h.n, max(h.bins)
    top, bottom = 16, height - 18
    slot = (width - 8) / 11
    bar = slot * 0.72
    parts = [_line(4, bottom, width - 4, bottom, "axis")]
    for score, count in enumerate(h.bins):
        centre = 4 + (score + 0.5) * slot
        tall = (bottom - top) * count / most if most else 0.0
        tip = f"Score {score}: {_responses(count)}"
        if total:
            tip += f" ({_percent(count, total)})"
        parts.append(
            _rect(centre - bar / 2, bottom - tall, bar, tall, f"bar {category_of(score)}", tip)
        )
        parts.append(_text(centre, bottom - tall - 3, str(count), "value"))
        parts.append(_text(centre, bottom + 13, str(score), "tick"))
    if total:
        desc = (
            f"Scores 0 to 10 from {_responses(total)}: "
            f"{h.detractors} detractors ({_percent(h.detractors, total)}), "
            f"{h.passives} passives ({_percent(h.passives, total)}), "
            f"{h.promoters} promoters ({_percent(h.promoters, total)}); "
            f"most common score {h.bins.index(most)}"
        )
    else:
        desc = "Scores 0 to 10: no responses"
    return _svg("histogram", width, height, "Responses by score", desc, parts)


def share_bar(
    promoters: int, passives: int, detractors: int, *, width: int = 440, height: int = 28
) -> SafeString:
    """Detractors, passives and promoters as one stacked bar, left to right."""
    _check_size("share_bar", width, height, 40, 10)
    try:
        h = Histogram.from_categories(promoters, passives, detractors)
    except ValueError as error:
        raise ValueError(f"share_bar: {error}") from error
    if h.n == 0:
        return _svg(
            "share",
            width,
            height,
            "Share of promoters, passives and detractors",
            "no responses",
            [
                _rect(0, 0, width, height, "empty"),
                _text(width / 2, height / 2 + 4, "no responses", "tick"),
            ],
        )
    segments = (
        ("Detractors", "detractor", h.detractors),
        ("Passives", "passive", h.passives),
        ("Promoters", "promoter", h.promoters),
    )
    parts, done = [], 0
    for name, css, count in segments:
        # Edges from running totals, so the rounded widths always add up to the full bar.
        x0, x1 = width * done / h.n, width * (done + count) / h.n
        done += count
        if not count:
            continue
        percent = f"{round_half_away(100 * count / h.n)}%"
        parts.append(
            _rect(x0, 0, x1 - x0, height, f"bar {css}", f"{name}: {count} of {h.n} ({percent})")
        )
        if len(percent) * 7 + 6 <= x1 - x0:
            parts.append(_text((x0 + x1) / 2, height / 2 + 4, percent, "share-label"))
    score = nps_of(h)
    assert score is not None
    desc = (
        f"{_percent(h.detractors, h.n)} detractors, {_percent(h.passives, h.n)} passives, "
        f"{_percent(h.promoters, h.n)} promoters of {_responses(h.n)}; NPS {_shown(score)}"
    )
    return _svg("share", width, height, "Share of promoters, passives and detractors", desc, parts)


def interval_strip(
    nps: float | None,
    ci_low: float | None,
    ci_high: float | None,
    *,
    reference: float | None = None,
    width: int = 160,
    height: int = 18,
) -> SafeString:
    """A table-row sized -100..100 axis with the interval as a whisker and the NPS as a dot."""
    _check_size("interval_strip", width, height, 40, 8)
    given = [value is not None for value in (nps, ci_low, ci_high)]
    if any(given) and not all(given):
        raise ValueError(
            "interval_strip: give nps, ci_low and ci_high together, or all None "
            f"for no score; got nps={nps!r}, ci_low={ci_low!r}, ci_high={ci_high!r}"
        )
    pad, middle = 5, height / 2

    def x(value: float) -> float:
        return pad + (value + 100) / 200 * (width - 2 * pad)

    parts = [
        _line(x(-100), middle, x(100), middle, "axis"),
        _line(x(0), middle - 3, x(0), middle + 3, "axis"),
    ]
    suffix = ""
    if reference is not None:
        ref = _check_score(reference, "interval_strip: reference")
        parts.append(_line(x(ref), 1, x(ref), height - 1, "reference", f"Reference {_shown(ref)}"))
        suffix = f"; reference {_shown(ref)}"
    if nps is None or ci_low is None or ci_high is None:
        return _svg(
            "strip",
            width,
            height,
            "No score",
            "No responses, so no NPS on the scale from -100 to 100" + suffix,
            parts,
        )
    score = _check_score(nps, "interval_strip: nps")
    low = _check_score(ci_low, "interval_strip: ci_low")
    high = _check_score(ci_high, "interval_strip: ci_high")
    if low > high:
        raise ValueError(f"interval_strip: ci_low must not exceed ci_high, got {low} > {high}")
    title = f"NPS {_shown(score)} (95% {_shown(low)} to {_shown(high)})"
    parts += [
        _line(x(low), middle, x(high), middle, "whisker"),
        _line(x(low), middle - 4, x(low), middle + 4, "whisker"),
        _line(x(high), middle - 4, x(high), middle + 4, "whisker"),
        f'<circle cx="{_num(x(score))}" cy="{_num(middle)}" r="3.5" class="point">'
        f"<title>{escape(title)}</title></circle>",
    ]
    desc = f"{title} on a scale from -100 to 100{suffix}"
    return _svg("strip", width, height, title, desc, parts)
