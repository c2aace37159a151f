"""The server-rendered SVG charts: well-formed, accessible, escaped, drawn to scale."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path

import pytest

import npsloop
from npsloop.console.charts import histogram_chart, interval_strip, share_bar
from npsloop.console.trend_chart import Marker, TrendPoint, trend_chart

SVG = "{http://www.w3.org/2000/svg}"
CSS = (Path(npsloop.__file__).parent / "static" / "npsloop" / "charts.css").read_text()
MONDAY = date(2026, 1, 5)
HOSTILE = "<script>alert(1)</script>"


def week(i: int, n: int = 180, score: float | None = 32.0, label: str = "") -> TrendPoint:
    start = MONDAY + timedelta(weeks=i)
    if n == 0:
        return TrendPoint(
            label or f"2026-W{i + 2:02d}", start, start + timedelta(days=7), 0, None, None, None
        )
    assert score is not None
    return TrendPoint(
        label or f"2026-W{i + 2:02d}",
        start,
        start + timedelta(days=7),
        n,
        score,
        max(-100.0, score - 7),
        min(100.0, score + 7),
    )


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(str(svg))
    assert root.tag == f"{SVG}svg"
    return root


def of_class(root: ET.Element, tag: str, css: str) -> list[ET.Element]:
    return [e for e in root.iter(f"{SVG}{tag}") if css in e.get("class", "").split()]


def texts(root: ET.Element) -> list[str]:
    return [e.text or "" for e in root.iter(f"{SVG}text")]


def scale_labels(root: ET.Element) -> list[int]:
    """The numbers along the y axis of a trend chart."""
    return sorted(
        int(t.text or "")
        for t in of_class(root, "text", "tick")
        if re.fullmatch(r"-?\d+", t.text or "")
    )


def tooltip(element: ET.Element) -> str:
    title = element.find(f"{SVG}title")
    assert title is not None
    return title.text or ""


def every_chart() -> list[str]:
    points = [week(i, score=10.0 * i) for i in range(5)] + [week(5, n=0), week(6)]
    return [
        trend_chart(points, [Marker(MONDAY + timedelta(days=10), "v2.3")]),
        trend_chart([week(i, n=1000 + i) for i in range(52)]),
        trend_chart([]),
        histogram_chart([5, 3, 4, 8, 10, 15, 30, 60, 120, 200, 390]),
        histogram_chart([0] * 11),
        share_bar(40, 35, 25),
        share_bar(0, 0, 0),
        interval_strip(32, 25, 39, reference=20),
        interval_strip(None, None, None),
    ]


# --- every chart ---------------------------------------------------------------------------


def test_it_writes_well_formed_accessible_svg_for_every_chart() -> None:
    for svg in every_chart():
        root = parse(svg)
        assert root.get("role") == "img"
        title = root.find(f"{SVG}title")
        desc = root.find(f"{SVG}desc")
        assert title is not None and title.text
        assert desc is not None and desc.text
        assert root.get("aria-labelledby") == title.get("id")
        assert root.get("aria-describedby") == desc.get("id")
        assert re.fullmatch(r"0 0 \d+ \d+", root.get("viewBox", ""))
        # Its widest; charts.css narrows it to the page.
        assert root.get("width") == root.get("viewBox", "").split()[2]


def test_it_gives_each_chart_its_own_ids() -> None:
    first, second = parse(histogram_chart([1] * 11)), parse(histogram_chart([1] * 11))
    ids = [e.get("id") for root in (first, second) for e in root.iter() if e.get("id")]
    assert len(ids) == 4
    assert len(set(ids)) == 4
    assert first.get("aria-labelledby") != second.get("aria-labelledby")


def test_it_draws_the_same_chart_for_the_same_data() -> None:
    def without_ids(svg: str) -> str:
        return re.sub(r"npschart-\d+", "ID", svg)

    assert [without_ids(s) for s in every_chart()] == [without_ids(s) for s in every_chart()]


def test_it_rounds_every_number_in_the_markup() -> None:
    odd = [week(i, n=3 + i, score=100 / 3 + i / 7) for i in range(9)]
    charts = [
        trend_chart(odd, width=777, height=301),
        histogram_chart([7, 1, 3, 9, 2, 5, 11, 13, 17, 19, 23], width=433),
        share_bar(1, 1, 1, width=433),
        interval_strip(100 / 3, 10 / 3, 200 / 3, width=157),
    ]
    for svg in charts:
        assert not re.search(r"\d\.\d\d", svg), svg


def test_it_styles_only_through_classes_that_charts_css_defines() -> None:
    used = {
        name
        for svg in every_chart()
        for element in parse(svg).iter()
        for name in element.get("class", "").split()
    }
    assert {"detractor", "passive", "promoter", "band", "line", "grid", "axis", "marker"} <= used
    for name in used:
        assert re.search(rf"\.{re.escape(name)}\b", CSS), f".{name} is not in charts.css"
    for svg in every_chart():
        assert not re.search(r"\s(fill|stroke)=", svg)
        # The pages' Content-Security-Policy refuses style attributes.
        assert not re.search(r"\sstyle=", svg)


def test_its_stylesheet_has_dark_and_print_variants() -> None:
    assert "@media (prefers-color-scheme: dark)" in CSS
    assert "@media print" in CSS
    assert "print-color-adjust: exact" in CSS


def test_it_loads_nothing_from_elsewhere_and_runs_no_script() -> None:
    for svg in every_chart():
        root = parse(svg)
        assert not list(root.iter(f"{SVG}script"))
        assert not [e for e in root.iter() for a in e.attrib if a.endswith("href")]


# --- trend -----------------------------------------------------------------------------------


def test_it_says_so_when_there_are_no_responses() -> None:
    for points in ([], [week(0, n=0), week(1, n=0)]):
        root = parse(trend_chart(points))
        assert "No responses in this period" in texts(root)
        assert not list(root.iter(f"{SVG}circle"))


def test_it_puts_a_tooltip_on_every_point() -> None:
    root = parse(trend_chart([week(0, n=150, score=28.4), week(1, n=180, score=31.5)]))
    points = of_class(root, "circle", "point")
    assert [tooltip(p) for p in points] == [
        "2026-W02: NPS 28 (95% 21 to 35), n = 150",
        "2026-W03: NPS 32 (95% 25 to 39), n = 180",
    ]


def test_it_rounds_negative_half_scores_away_from_zero_in_tooltips() -> None:
    point = TrendPoint("2026-Q1", date(2026, 1, 1), date(2026, 4, 1), 40, -12.5, -30.5, 4.5)
    (dot,) = of_class(parse(trend_chart([point])), "circle", "point")
    assert tooltip(dot) == "2026-Q1: NPS -13 (95% -31 to 5), n = 40"


def test_its_description_names_the_period_and_the_latest_value() -> None:
    root = parse(trend_chart([week(i, score=20.0 + i) for i in range(11)] + [week(11, score=32)]))
    desc = root.findtext(f"{SVG}desc") or ""
    assert desc.startswith("NPS by week from 2026-W02 to 2026-W13; latest 32 (n = 180)")
    assert "lowest 20 in 2026-W02" in desc


def test_its_description_says_where_the_latest_value_is_when_the_last_bucket_is_empty() -> None:
    root = parse(trend_chart([week(0, n=90, score=-4), week(1, n=0)]))
    desc = root.findtext(f"{SVG}desc") or ""
    assert "latest -4 in 2026-W02 (n = 90)" in desc
    assert "no responses in 1 of 2 weeks" in desc


def test_it_breaks_line_and_band_at_empty_buckets_instead_of_drawing_zero() -> None:
    points = [week(0), week(1), week(2, n=0), week(3), week(4), week(5, n=0), week(6)]
    root = parse(trend_chart(points))
    (line,) = of_class(root, "path", "line")
    (band,) = of_class(root, "path", "band")
    assert line.get("d", "").count("M") == 2  # the lone last bucket has a dot, not a line
    assert band.get("d", "").count("M") == 3
    assert band.get("d", "").count("Z") == 3
    dots = of_class(root, "circle", "point")
    assert len(dots) == 5
    assert {tooltip(d).split(":")[0] for d in dots} == {
        "2026-W02",
        "2026-W03",
        "2026-W05",
        "2026-W06",
        "2026-W08",
    }


def test_it_joins_buckets_with_responses_into_one_line() -> None:
    root = parse(trend_chart([week(i, score=float(i)) for i in range(6)]))
    (line,) = of_class(root, "path", "line")
    assert line.get("d", "").count("M") == 1
    assert line.get("d", "").count("L") == 5


def test_it_draws_a_higher_score_higher_up() -> None:
    root = parse(trend_chart([week(0, score=-10), week(1, score=50)]))
    low, high = (float(c.get("cy", "")) for c in of_class(root, "circle", "point"))
    assert high < low


def test_it_uses_the_full_scale_when_intervals_span_it() -> None:
    wide = TrendPoint("2026-W02", MONDAY, MONDAY + timedelta(days=7), 1, 100.0, -48.5, 98.5)
    narrow_low = TrendPoint(
        "2026-W03", MONDAY + timedelta(days=7), MONDAY + timedelta(days=14), 1, -100.0, -98.5, 48.5
    )
    assert scale_labels(parse(trend_chart([wide, narrow_low]))) == [-100, -50, 0, 50, 100]


def test_it_tightens_the_scale_to_round_tens_around_the_intervals() -> None:
    root = parse(trend_chart([week(0, score=23.0), week(1, score=41.0)]))
    grid_ys = sorted(float(g.get("y1", "")) for g in of_class(root, "line", "grid"))
    tick_labels = scale_labels(root)
    assert len(grid_ys) == len(tick_labels) >= 3
    assert all(t % 10 == 0 for t in tick_labels)
    assert min(tick_labels) <= 23 - 7 and max(tick_labels) >= 41 + 7
    assert max(tick_labels) - min(tick_labels) < 200


def test_it_writes_the_count_under_each_bucket_when_they_fit() -> None:
    root = parse(trend_chart([week(0, n=12), week(1, n=0), week(2, n=340)]))
    assert [t.text for t in of_class(root, "text", "count-label")] == ["12", "0", "340"]


def test_it_draws_counts_as_bars_in_proportion_when_buckets_are_narrow() -> None:
    counts = [100 + 37 * i for i in range(40)]
    root = parse(trend_chart([week(i, n=n) for i, n in enumerate(counts)]))
    bars = of_class(root, "rect", "count")
    assert len(bars) == 40
    tallest = max(float(b.get("height", "")) for b in bars)
    for bar, n in zip(bars, counts, strict=True):
        assert float(bar.get("height", "")) == pytest.approx(tallest * n / max(counts), abs=0.1)
        assert tooltip(bar).endswith(f": {n} responses")


def test_it_thins_bucket_labels_so_they_do_not_overlap() -> None:
    root = parse(trend_chart([week(i) for i in range(52)]))
    labels = [t for t in of_class(root, "text", "tick") if (t.text or "").startswith("2026-W")]
    assert 4 <= len(labels) < 52
    assert labels[-1].text == "2026-W53"  # the latest bucket is always named
    xs = [float(t.get("x", "")) for t in labels]
    assert all(b - a >= 8 * 6 for a, b in itertools.pairwise(xs))


def test_it_keeps_every_label_when_there_is_room() -> None:
    root = parse(trend_chart([week(i) for i in range(6)]))
    labels = [t.text for t in of_class(root, "text", "tick") if (t.text or "").startswith("2026")]
    assert labels == [f"2026-W{i:02d}" for i in range(2, 8)]


def test_it_places_a_release_proportionally_inside_its_bucket() -> None:
    points = [week(i) for i in range(4)]
    release = Marker(MONDAY + timedelta(days=7 + 3), "v2.3")  # Thursday of the second week
    root = parse(trend_chart(points, [release]))
    (line,) = of_class(root, "line", "marker")
    first, second = (float(c.get("cx", "")) for c in of_class(root, "circle", "point")[:2])
    slot = second - first
    assert float(line.get("x1", "")) == pytest.approx(second - slot / 2 + slot * 3 / 7, abs=0.1)
    assert line.get("x1") == line.get("x2")
    assert "v2.3" in texts(root)
    assert tooltip(line) == "Release v2.3 on 2026-01-15"
    assert "releases: v2.3 on 2026-01-15" in (root.findtext(f"{SVG}desc") or "")


def test_it_leaves_out_releases_outside_the_chart() -> None:
    points = [week(i) for i in range(4)]
    outside = [
        Marker(MONDAY - timedelta(days=1), "before"),
        Marker(MONDAY + timedelta(weeks=4), "on the exclusive end"),
        Marker(MONDAY + timedelta(weeks=10), "later"),
    ]
    root = parse(trend_chart(points, [*outside, Marker(MONDAY, "first day")]))
    assert len(of_class(root, "line", "marker")) == 1
    assert [t.text for t in of_class(root, "text", "marker-label")] == ["first day"]
    assert not of_class(parse(trend_chart(points, outside)), "line", "marker")


def test_it_puts_a_release_between_separated_buckets_on_their_boundary() -> None:
    points = [week(0), week(2)]  # the second week has no bucket at all
    root = parse(trend_chart(points, [Marker(MONDAY + timedelta(days=9), "v2")]))
    (line,) = of_class(root, "line", "marker")
    first, second = (float(c.get("cx", "")) for c in of_class(root, "circle", "point"))
    assert float(line.get("x1", "")) == pytest.approx((first + second) / 2, abs=0.1)


def test_it_escapes_labels_and_release_names() -> None:
    points = [week(0, label=HOSTILE), week(1, label="Q&A 'week'")]
    svg = trend_chart(points, [Marker(MONDAY + timedelta(days=2), HOSTILE)])
    assert "<script>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    root = parse(svg)
    assert not list(root.iter(f"{SVG}script"))
    assert HOSTILE in texts(root)
    assert tooltip(of_class(root, "circle", "point")[0]).startswith(HOSTILE + ": NPS")
    assert HOSTILE in (root.findtext(f"{SVG}desc") or "")


def test_it_refuses_trend_points_that_contradict_themselves() -> None:
    with pytest.raises(ValueError, match="with n = 0 nps, ci_low and ci_high must be None"):
        TrendPoint("W1", MONDAY, MONDAY + timedelta(days=7), 0, 0.0, -5.0, 5.0)
    with pytest.raises(ValueError, match="nps must be a number from -100 to 100, got None"):
        TrendPoint("W1", MONDAY, MONDAY + timedelta(days=7), 10, None, None, None)
    with pytest.raises(ValueError, match="ci_high must be a number from -100 to 100, got 120"):
        TrendPoint("W1", MONDAY, MONDAY + timedelta(days=7), 10, 90.0, 80.0, 120)
    with pytest.raises(ValueError, match="ci_low must not exceed ci_high"):
        TrendPoint("W1", MONDAY, MONDAY + timedelta(days=7), 10, 10.0, 20.0, 0.0)
    with pytest.raises(ValueError, match="n must be a non-negative integer, got -1"):
        TrendPoint("W1", MONDAY, MONDAY + timedelta(days=7), -1, None, None, None)
    with pytest.raises(ValueError, match="start must be before end"):
        TrendPoint("W1", MONDAY, MONDAY, 1, 0.0, -5.0, 5.0)


def test_it_refuses_trend_points_out_of_order() -> None:
    with pytest.raises(ValueError, match="in time order without overlap"):
        trend_chart([week(1), week(0)])


def test_it_refuses_a_chart_too_small_to_draw() -> None:
    with pytest.raises(ValueError, match="trend_chart: width must be an integer of at least 240"):
        trend_chart([week(0)], width=100)


# --- histogram -------------------------------------------------------------------------------


def test_it_draws_eleven_bars_in_proportion_to_the_counts() -> None:
    counts = [5, 3, 4, 8, 10, 15, 30, 60, 120, 200, 390]
    root = parse(histogram_chart(counts))
    bars = of_class(root, "rect", "bar")
    assert len(bars) == 11
    heights = [float(b.get("height", "")) for b in bars]
    for height, count in zip(heights, counts, strict=True):
        assert height == pytest.approx(max(heights) * count / max(counts), abs=0.1)
    bottoms = {round(float(b.get("y", "")) + float(b.get("height", "")), 1) for b in bars}
    assert len(bottoms) == 1
    xs = [float(b.get("x", "")) for b in bars]
    assert xs == sorted(xs)


def test_it_colours_histogram_bars_by_category_and_labels_them() -> None:
    root = parse(histogram_chart([5, 3, 4, 8, 10, 15, 30, 60, 120, 200, 390]))
    bars = of_class(root, "rect", "bar")
    categories = [next(c for c in b.get("class", "").split() if c != "bar") for b in bars]
    assert categories == ["detractor"] * 7 + ["passive"] * 2 + ["promoter"] * 2
    assert tooltip(bars[8]) == "Score 8: 120 responses (14.2%)"
    assert [t.text for t in of_class(root, "text", "value")][8] == "120"
    assert [t.text for t in of_class(root, "text", "tick")] == [str(s) for s in range(11)]
    desc = root.findtext(f"{SVG}desc") or ""
    assert desc.startswith("Scores 0 to 10 from 845 responses: 75 detractors (8.9%)")
    assert "most common score 10" in desc


def test_it_draws_an_empty_histogram_flat() -> None:
    root = parse(histogram_chart([0] * 11))
    bars = of_class(root, "rect", "bar")
    assert [b.get("height") for b in bars] == ["0"] * 11
    assert tooltip(bars[0]) == "Score 0: 0 responses"
    assert root.findtext(f"{SVG}desc") == "Scores 0 to 10: no responses"


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ([1] * 10, "needs 11 counts, one per score 0 to 10, got 10"),
        ([1] * 12, "needs 11 counts, one per score 0 to 10, got 12"),
        ([1, 1, 1, -3, 1, 1, 1, 1, 1, 1, 1], "count for score 3 must be a non-negative integer"),
        ([1, 1, 1, 1, 2.5, 1, 1, 1, 1, 1, 1], "count for score 4 must be a non-negative integer"),
        ([True] + [1] * 10, "count for score 0 must be a non-negative integer, got True"),
    ],
)
def test_it_refuses_a_histogram_that_is_not_eleven_counts(counts: list, message: str) -> None:
    with pytest.raises(ValueError, match=f"histogram_chart: .*{re.escape(message)}"):
        histogram_chart(counts)


# --- share bar -------------------------------------------------------------------------------


def test_it_stacks_detractors_passives_and_promoters_left_to_right() -> None:
    root = parse(share_bar(40, 35, 25, width=400))
    bars = of_class(root, "rect", "bar")
    order = [
        b.get("class", "").split()[1] for b in sorted(bars, key=lambda b: float(b.get("x", "")))
    ]
    assert order == ["detractor", "passive", "promoter"]
    widths = [float(b.get("width", "")) for b in bars]
    assert widths == [100, 140, 160]
    assert [tooltip(b) for b in bars] == [
        "Detractors: 25 of 100 (25%)",
        "Passives: 35 of 100 (35%)",
        "Promoters: 40 of 100 (40%)",
    ]
    assert [t.text for t in of_class(root, "text", "share-label")] == ["25%", "35%", "40%"]
    assert (root.findtext(f"{SVG}desc") or "").endswith("of 100 responses; NPS 15")


def test_it_writes_percentages_only_where_they_fit() -> None:
    root = parse(share_bar(98, 0, 2, width=300))
    assert len(of_class(root, "rect", "bar")) == 2  # no zero-width passive segment
    assert [t.text for t in of_class(root, "text", "share-label")] == ["98%"]


def test_its_segments_fill_the_bar_exactly() -> None:
    root = parse(share_bar(1, 1, 1, width=437))
    bars = sorted(of_class(root, "rect", "bar"), key=lambda b: float(b.get("x", "")))
    right = float(bars[-1].get("x", "")) + float(bars[-1].get("width", ""))
    assert right == pytest.approx(437, abs=0.1)


def test_it_draws_an_empty_grey_bar_without_responses() -> None:
    root = parse(share_bar(0, 0, 0))
    assert len(of_class(root, "rect", "empty")) == 1
    assert not of_class(root, "rect", "bar")
    assert "no responses" in texts(root)


def test_it_refuses_negative_category_counts() -> None:
    with pytest.raises(ValueError, match="share_bar: passives must be a non-negative integer"):
        share_bar(3, -1, 2)


# --- interval strip --------------------------------------------------------------------------


def test_it_marks_the_score_and_its_interval_on_the_scale() -> None:
    root = parse(interval_strip(32, 25, 39, reference=20, width=210))
    (dot,) = of_class(root, "circle", "point")

    def x(value: float) -> float:
        return 5 + (value + 100) / 200 * 200

    assert float(dot.get("cx", "")) == pytest.approx(x(32))
    whisker = of_class(root, "line", "whisker")[0]
    assert (float(whisker.get("x1", "")), float(whisker.get("x2", ""))) == (x(25), x(39))
    (reference,) = of_class(root, "line", "reference")
    assert float(reference.get("x1", "")) == pytest.approx(x(20))
    assert tooltip(dot) == "NPS 32 (95% 25 to 39)"
    assert root.findtext(f"{SVG}desc") == (
        "NPS 32 (95% 25 to 39) on a scale from -100 to 100; reference 20"
    )


def test_it_draws_an_empty_axis_without_a_score() -> None:
    root = parse(interval_strip(None, None, None))
    assert of_class(root, "line", "axis")
    assert not of_class(root, "circle", "point")
    assert not of_class(root, "line", "whisker")
    assert root.findtext(f"{SVG}title") == "No score"


def test_it_refuses_half_an_interval_or_a_score_off_the_scale() -> None:
    with pytest.raises(ValueError, match="give nps, ci_low and ci_high together"):
        interval_strip(30, None, None)
    with pytest.raises(ValueError, match="nps must be a number from -100 to 100, got 130"):
        interval_strip(130, 20, 40)
    with pytest.raises(ValueError, match="reference must be a number from -100 to 100"):
        interval_strip(None, None, None, reference=float("nan"))
