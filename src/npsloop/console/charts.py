"""Server-rendered SVG charts for the insights pages: the score histogram, the category
shares and a small interval strip for table rows (NPS over time: console/trend_chart.py).

Plain SVG strings keep the dashboard free of JavaScript and CDNs, print like any other part
of the page, and can be tested by parsing them. Colours come only from the classes in
static/npsloop/charts.css, so dark mode and print are one stylesheet away. Numbers written
into the markup are rounded to 0.1 so the output stays small and reproducible.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString

from npsloop.console import svg
from npsloop.stats import Histogram, category_of, round_half_away
from npsloop.stats.estimate import nps as nps_of


def histogram_chart(counts: Sequence[int], *, width: int = 440, height: int = 200) -> SafeString:
    """Eleven bars for scores 0..10, coloured by category, each with its count and score."""
    svg.check_size("histogram_chart", width, height, 120, 80)
    try:
        h = Histogram(tuple(counts))
    except ValueError as error:
        raise ValueError(f"histogram_chart: {error}") from error
    total, most = h.n, max(h.bins)
    top, bottom = 16, height - 18
    slot = (width - 8) / 11
    bar = slot * 0.72
    parts = [svg.line(4, bottom, width - 4, bottom, "axis")]
    for score, count in enumerate(h.bins):
        centre = 4 + (score + 0.5) * slot
        tall = (bottom - top) * count / most if most else 0.0
        tip = f"Score {score}: {svg.responses_label(count)}"
        if total:
            tip += f" ({svg.percent(count, total)})"
        parts.append(
            svg.rect(centre - bar / 2, bottom - tall, bar, tall, f"bar {category_of(score)}", tip)
        )
        parts.append(svg.text(centre, bottom - tall - 3, str(count), "value"))
        parts.append(svg.text(centre, bottom + 13, str(score), "tick"))
    if total:
        desc = (
            f"Scores 0 to 10 from {svg.responses_label(total)}: "
            f"{h.detractors} detractors ({svg.percent(h.detractors, total)}), "
            f"{h.passives} passives ({svg.percent(h.passives, total)}), "
            f"{h.promoters} promoters ({svg.percent(h.promoters, total)}); "
            f"most common score {h.bins.index(most)}"
        )
    else:
        desc = "Scores 0 to 10: no responses"
    return svg.document("histogram", width, height, "Responses by score", desc, parts)


def share_bar(
    promoters: int, passives: int, detractors: int, *, width: int = 440, height: int = 28
) -> SafeString:
    """Detractors, passives and promoters as one stacked bar, left to right."""
    svg.check_size("share_bar", width, height, 40, 10)
    try:
        h = Histogram.from_categories(promoters, passives, detractors)
    except ValueError as error:
        raise ValueError(f"share_bar: {error}") from error
    if h.n == 0:
        return svg.document(
            "share",
            width,
            height,
            "Share of promoters, passives and detractors",
            "no responses",
            [
                svg.rect(0, 0, width, height, "empty"),
                svg.text(width / 2, height / 2 + 4, "no responses", "tick"),
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
            svg.rect(x0, 0, x1 - x0, height, f"bar {css}", f"{name}: {count} of {h.n} ({percent})")
        )
        if len(percent) * 7 + 6 <= x1 - x0:
            parts.append(svg.text((x0 + x1) / 2, height / 2 + 4, percent, "share-label"))
    score = nps_of(h)
    assert score is not None
    desc = (
        f"{svg.percent(h.detractors, h.n)} detractors, {svg.percent(h.passives, h.n)} passives, "
        f"{svg.percent(h.promoters, h.n)} promoters of {svg.responses_label(h.n)}; "
        f"NPS {svg.shown(score)}"
    )
    return svg.document(
        "share", width, height, "Share of promoters, passives and detractors", desc, parts
    )


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
    svg.check_size("interval_strip", width, height, 40, 8)
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
        svg.line(x(-100), middle, x(100), middle, "axis"),
        svg.line(x(0), middle - 3, x(0), middle + 3, "axis"),
    ]
    suffix = ""
    if reference is not None:
        ref = svg.check_score(reference, "interval_strip: reference")
        parts.append(
            svg.line(x(ref), 1, x(ref), height - 1, "reference", f"Reference {svg.shown(ref)}")
        )
        suffix = f"; reference {svg.shown(ref)}"
    if nps is None or ci_low is None or ci_high is None:
        return svg.document(
            "strip",
            width,
            height,
            "No score",
            "No responses, so no NPS on the scale from -100 to 100" + suffix,
            parts,
        )
    score = svg.check_score(nps, "interval_strip: nps")
    low = svg.check_score(ci_low, "interval_strip: ci_low")
    high = svg.check_score(ci_high, "interval_strip: ci_high")
    if low > high:
        raise ValueError(f"interval_strip: ci_low must not exceed ci_high, got {low} > {high}")
    title = f"NPS {svg.shown(score)} (95% {svg.shown(low)} to {svg.shown(high)})"
    parts += [
        svg.line(x(low), middle, x(high), middle, "whisker"),
        svg.line(x(low), middle - 4, x(low), middle + 4, "whisker"),
        svg.line(x(high), middle - 4, x(high), middle + 4, "whisker"),
        f'<circle cx="{svg.num(x(score))}" cy="{svg.num(middle)}" r="3.5" class="point">'
        f"<title>{escape(title)}</title></circle>",
    ]
    desc = f"{title} on a scale from -100 to 100{suffix}"
    return svg.document("strip", width, height, title, desc, parts)
