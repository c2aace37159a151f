"""SVG pieces for the server-rendered charts (console/charts.py, console/trend_chart.py):
numbers written with at most one decimal, escaped text, lines and boxes with tooltips, and
the outer <svg> labelled for screen readers.

Colours come only from the classes in static/npsloop/charts.css, so dark mode and print
are one stylesheet away. Numbers written into the markup are rounded to 0.1 so the output
stays small and reproducible.
"""

from __future__ import annotations

import itertools
import math

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from npsloop.stats import round_half_away

_chart_numbers = itertools.count(1)


def check_score(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} must be a number from -100 to 100, got {value!r}")
    if not -100 <= value <= 100:
        raise ValueError(f"{name} must be a number from -100 to 100, got {value!r}")
    return float(value)


def check_size(chart: str, width: int, height: int, min_width: int, min_height: int) -> None:
    for name, value, least in (("width", width, min_width), ("height", height, min_height)):
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise ValueError(
                f"{chart}: {name} must be an integer of at least {least}, got {value!r}"
            )


def num(value: float) -> str:
    """A coordinate with at most one decimal: 12, 12.5, never 12.499999999999998."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def shown(value: float) -> str:
    return str(round_half_away(value))


def percent(part: int, total: int) -> str:
    return f"{round_half_away(1000 * part / total) / 10:.1f}%"


def responses_label(count: int) -> str:
    return f"{count} response" if count == 1 else f"{count} responses"


def text(x: float, y: float, content: str, css: str, anchor: str = "middle") -> str:
    return (
        f'<text x="{num(x)}" y="{num(y)}" class="{css}" text-anchor="{anchor}">'
        f"{escape(content)}</text>"
    )


def _closing(tag: str, title: str) -> str:
    """The end of an element: a tooltip inside it, or nothing at all."""
    return f"><title>{escape(title)}</title></{tag}>" if title else "/>"


def line(x1: float, y1: float, x2: float, y2: float, css: str, title: str = "") -> str:
    return (
        f'<line x1="{num(x1)}" y1="{num(y1)}" x2="{num(x2)}" y2="{num(y2)}" '
        f'class="{css}"{_closing("line", title)}'
    )


def rect(x: float, y: float, w: float, h: float, css: str, title: str = "") -> str:
    return (
        f'<rect x="{num(x)}" y="{num(y)}" width="{num(w)}" height="{num(h)}" '
        f'class="{css}"{_closing("rect", title)}'
    )


def document(
    kind: str, width: int, height: int, title: str, desc: str, parts: list[str]
) -> SafeString:
    """The outer <svg>: labelled for screen readers, ids unique per call. Its width
    attribute is the widest it gets; charts.css shrinks it to fit (no style attribute: the
    pages' Content-Security-Policy allows styles from stylesheets only)."""
    chart_id = f"npschart-{next(_chart_numbers)}"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="npschart npschart-{kind}" '
        f'viewBox="0 0 {width} {height}" width="{width}" '
        f'role="img" aria-labelledby="{chart_id}-title" aria-describedby="{chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )
    # Every piece of text above and in `parts` went through escape(); the rest is numbers.
    return mark_safe(head + "".join(parts) + "</svg>")
