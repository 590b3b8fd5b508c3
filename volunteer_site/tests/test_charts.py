"""The profile's SVG chart: months, axes, and bars proportional to the values."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from volunteer_site.charts import (
    PLOT_HEIGHT,
    TOP,
    Axis,
    ChartText,
    MonthValue,
    chart_build,
    chart_svg,
    last_months,
    month_values,
    nice_axis,
)

SVG = "{http://www.w3.org/2000/svg}"
TEXT = ChartText(title="近12个月", description="说明")


def values_of(*pairs) -> list[MonthValue]:
    months = last_months(datetime.date(2026, 11, 29), len(pairs))
    return [
        MonthValue(year, month, activities, Decimal(hours))
        for (year, month), (activities, hours) in zip(months, pairs, strict=True)
    ]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output


def bars_in(svg: ET.Element) -> list[ET.Element]:
    """The bars: rectangles with a tooltip (the legend's swatch has none)."""
    return [r for r in svg.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]


def test_last_months_end_with_the_current_month_and_cross_the_year():
    months = last_months(datetime.date(2026, 2, 10), 12)
    assert len(months) == 12
    assert months[0] == (2025, 3)
    assert months[-3:] == [(2025, 12), (2026, 1), (2026, 2)]


def test_months_without_figures_count_as_zero():
    months = [(2026, 9), (2026, 10), (2026, 11)]
    values = month_values(months, {(2026, 10): (2, Decimal("6.5"))})
    assert [(v.activities, v.hours) for v in values] == [
        (0, Decimal("0")),
        (2, Decimal("6.5")),
        (0, Decimal("0")),
    ]


@pytest.mark.parametrize(
    ("largest", "maximum", "step"),
    [
        (0, 4, 1),
        (1, 4, 1),
        (3, 4, 1),
        (4, 4, 1),
        (4.5, 6, 2),
        (7, 8, 2),
        (13, 15, 5),
        (26, 30, 10),
        (101.5, 150, 50),
    ],
)
def test_axis_has_round_steps_and_covers_the_largest_value(largest, maximum, step):
    axis = nice_axis(largest)
    assert (axis.maximum, axis.step) == (maximum, step)
    assert axis.maximum >= largest
    assert axis.ticks[0] == 0 and axis.ticks[-1] == axis.maximum


def test_bar_heights_are_proportional_to_the_activities():
    chart = chart_build(values_of((1, "3"), (0, "0"), (2, "3.5"), (4, "10")))
    assert chart.activities_axis == Axis(maximum=4, step=1)
    heights = {bar.value.activities: bar.height for bar in chart.bars}
    assert heights[4] == pytest.approx(PLOT_HEIGHT)
    assert heights[2] == pytest.approx(PLOT_HEIGHT / 2)
    assert heights[1] == pytest.approx(PLOT_HEIGHT / 4)
    # Bars stand on the baseline, in month order, and a month with none has no bar.
    assert [bar.value.activities for bar in chart.bars] == [1, 2, 4]
    for bar in chart.bars:
        assert bar.y + bar.height == pytest.approx(TOP + PLOT_HEIGHT)
    xs = [bar.x for bar in chart.bars]
    assert xs == sorted(xs)


def test_the_hours_line_is_proportional_to_the_hours():
    chart = chart_build(values_of((1, "2.5"), (1, "5"), (0, "0"), (3, "10")))
    assert chart.hours_axis.maximum == 10
    baseline = TOP + PLOT_HEIGHT
    drops = [baseline - point.y for point in chart.points]
    assert drops == pytest.approx([PLOT_HEIGHT / 4, PLOT_HEIGHT / 2, 0, PLOT_HEIGHT])
    assert len(chart.points) == 4  # a month without activities sits on the baseline


def test_no_data_draws_no_bars_and_no_line():
    chart = chart_build(values_of(*[(0, "0")] * 12))
    assert chart.is_empty
    assert chart.bars == [] and chart.points == []
    svg = parse(chart_svg(chart, TEXT))
    assert bars_in(svg) == []
    assert svg.find(f".//{SVG}polyline") is None
    assert "这段时间没有已审核的活动" in "".join(svg.itertext())


def test_an_empty_list_of_months_does_not_divide_by_zero():
    chart = chart_build([])
    assert chart.bars == [] and chart.points == []
    assert chart_svg(chart, TEXT).startswith("<svg")


def test_svg_is_well_formed_accessible_and_labelled():
    values = values_of(*[(0, "0")] * 9, (1, "3"), (1, "3.5"), (1, "2.5"))
    svg_text = chart_svg(chart_build(values), TEXT, element_id="c")
    svg = parse(svg_text)
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "c-title c-desc"
    assert svg.find(f"{SVG}title").text == "近12个月"
    assert svg.find(f"{SVG}desc").text == "说明"
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "12月" in texts and "1月" in texts and "11月" in texts
    assert "2025年" in texts and "2026年" in texts  # the first month and January
    bars = bars_in(svg)
    assert len(bars) == 3
    assert bars[0].find(f"{SVG}title").text == "2026年9月：1次，3小时"
    # Attributes only: a Content-Security-Policy forbids inline style attributes.
    assert "style=" not in svg_text


def test_text_is_escaped():
    text = ChartText(title="<script>alert(1)</script>", description='"&')
    svg_text = chart_svg(chart_build(values_of((1, "1"))), text)
    assert "<script>" not in svg_text
    assert parse(svg_text).find(f"{SVG}title").text == "<script>alert(1)</script>"
