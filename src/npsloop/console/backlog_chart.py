"""The follow-up tab's chart: open cases and overdue cases at the end of each bucket, two
lines on a count axis; server-rendered SVG (console/svg.py), described in words for screen
readers."""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString

from npsloop.console import svg
from npsloop.insights.followup import BacklogPoint

TITLE = "Open and overdue cases over time"
NO_CASES = "No cases in this period"
CHAR_WIDTH = 6.2
SERIES = (("backlog", "open"), ("overdue", "overdue"))


def _axis_top(most: int) -> tuple[int, int]:
    """A round top for the count axis and its step: at most five gridlines."""
    for step in (1, 2, 5, 10, 20, 25, 50):
        for scale in (1, 10, 100, 1000, 10_000, 100_000):
            size = step * scale
            if math.ceil(most / size) <= 5:
                return max(size, math.ceil(most / size) * size), size
    return most, most  # pragma: no cover - counts beyond 25 million


def backlog_chart(
    points: Sequence[BacklogPoint], *, width: int = 760, height: int = 260
) -> SafeString:
    points = list(points)
    if not points or not any(p.backlog or p.overdue for p in points):
        return svg.document(
            "backlog",
            width,
            height,
            TITLE,
            NO_CASES,
            [svg.text(width / 2, height / 2, NO_CASES, "empty-label")],
        )
    left, right, top, bottom = 44, width - 10, 12, height - 30
    top_count, step = _axis_top(max(max(p.backlog, p.overdue) for p in points))
    slot = (right - left) / len(points)

    def x(i: int) -> float:
        return left + (i + 0.5) * slot

    def y(count: int) -> float:
        return bottom - count / top_count * (bottom - top)

    parts = []
    for tick in range(0, top_count + 1, step):
        parts.append(svg.line(left, y(tick), right, y(tick), "grid zero" if tick == 0 else "grid"))
        parts.append(svg.text(left - 4, y(tick) + 4, str(tick), "tick", "end"))
    for name, css in SERIES:
        path = " L".join(
            f"{svg.num(x(i))},{svg.num(y(getattr(p, name)))}" for i, p in enumerate(points)
        )
        parts.append(f'<path class="series {css}" d="M{path}"/>')
        for i, p in enumerate(points):
            tip = f"{p.label}: {getattr(p, name)} {css}"
            parts.append(
                f'<circle cx="{svg.num(x(i))}" cy="{svg.num(y(getattr(p, name)))}" r="3" '
                f'class="point {css}"><title>{escape(tip)}</title></circle>'
            )
    widest = max(len(p.label) for p in points) * CHAR_WIDTH
    every = max(1, math.ceil((widest + 8) / slot))
    for i, p in enumerate(points):
        if (len(points) - 1 - i) % every == 0:
            parts.append(svg.text(x(i), height - 8, p.label, "tick"))
    latest = points[-1]
    desc = (
        f"Cases open and overdue by {len(points)} buckets from {points[0].label} to "
        f"{latest.label}; at the end {latest.backlog} open, {latest.overdue} overdue; "
        f"most open {max(p.backlog for p in points)}, most overdue "
        f"{max(p.overdue for p in points)}"
    )
    return svg.document("backlog", width, height, TITLE, desc, parts)
