"""The profile's chart: activities (bars) and activity hours (a line) month by month.

Drawn on the server as an inline SVG, so the page needs no chart library and
prints the same as it shows. Pure Python: the geometry is computed first
(``chart_build``) and can be unit-tested; ``chart_svg`` only writes it out,
escaping every piece of text it is given.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape

WIDTH = 760
HEIGHT = 300
LEFT = 52
RIGHT = 56
TOP = 40
BOTTOM = 50
PLOT_WIDTH = WIDTH - LEFT - RIGHT
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM
BAR_SHARE = 0.56  # of each month's band; the rest is the gap between bars
AXIS_TICKS = 4

BAR_COLOUR = "#b71c1c"
LINE_COLOUR = "#1f4e79"
GRID_COLOUR = "#d0d4d8"
TEXT_COLOUR = "#212529"


@dataclass(frozen=True)
class MonthValue:
    """One month's figures as the chart and its data table show them."""

    year: int
    month: int
    activities: int
    hours: Decimal


@dataclass(frozen=True)
class Axis:
    maximum: int
    step: int

    @property
    def ticks(self) -> list[int]:
        return list(range(0, self.maximum + 1, self.step))


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: MonthValue


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: MonthValue


@dataclass(frozen=True)
class ChartText:
    """Every word the chart shows, translated by the caller."""

    title: str
    description: str
    activities: str = "活动次数"
    hours: str = "活动时长（小时）"
    empty: str = "这段时间没有已审核的活动"
    month_label: Callable[[int, int], str] = field(default=lambda year, month: f"{month}月")
    year_label: Callable[[int], str] = field(default=lambda year: f"{year}年")
    bar_tooltip: Callable[[MonthValue], str] = field(
        default=lambda v: f"{v.year}年{v.month}月：{v.activities}次，{v.hours}小时"
    )


@dataclass(frozen=True)
class Chart:
    values: list[MonthValue]
    activities_axis: Axis
    hours_axis: Axis
    bars: list[Bar]
    points: list[Point]
    band: float

    @property
    def is_empty(self) -> bool:
        return not any(v.activities or v.hours for v in self.values)

    def x_centre(self, index: int) -> float:
        return LEFT + (index + 0.5) * self.band


def last_months(today: datetime.date, count: int = 12) -> list[tuple[int, int]]:
    """The ``count`` months ending with ``today``'s month, oldest first."""
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append((year, month))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months[::-1]


def month_values(
    months: list[tuple[int, int]], figures: Mapping[tuple[int, int], tuple[int, Decimal]]
) -> list[MonthValue]:
    """The chart's values for ``months``; a month without figures counts as 0."""
    values = []
    for year, month in months:
        activities, hours = figures.get((year, month), (0, Decimal("0")))
        values.append(MonthValue(year, month, activities, Decimal(hours)))
    return values


def nice_axis(largest: float, ticks: int = AXIS_TICKS) -> Axis:
    """An axis from 0 with round whole-number steps (1, 2, 5, 10, 20, 50 ...) covering ``largest``.

    At least 0..``ticks``, so one activity does not fill the chart's height,
    and never 0 at the top, so nothing is divided by zero, even with no data.
    """
    if largest <= ticks:
        return Axis(maximum=ticks, step=1)
    raw = largest / ticks
    magnitude = 10 ** max(0, math.floor(math.log10(raw))) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return Axis(maximum=step * math.ceil(largest / step), step=step)


def chart_build(values: list[MonthValue]) -> Chart:
    """Where every bar and point goes. Heights are proportional to the values."""
    activities_axis = nice_axis(max((v.activities for v in values), default=0))
    hours_axis = nice_axis(float(max((v.hours for v in values), default=0)))
    band = PLOT_WIDTH / max(len(values), 1)
    bar_width = band * BAR_SHARE
    baseline = TOP + PLOT_HEIGHT
    bars = []
    points = []
    for index, value in enumerate(values):
        if value.activities > 0:
            height = value.activities / activities_axis.maximum * PLOT_HEIGHT
            bars.append(
                Bar(
                    x=LEFT + index * band + (band - bar_width) / 2,
                    y=baseline - height,
                    width=bar_width,
                    height=height,
                    value=value,
                )
            )
        points.append(
            Point(
                x=LEFT + (index + 0.5) * band,
                y=baseline - float(value.hours) / hours_axis.maximum * PLOT_HEIGHT,
                value=value,
            )
        )
    if not any(v.hours > 0 for v in values):
        points = []
    return Chart(
        values=values,
        activities_axis=activities_axis,
        hours_axis=hours_axis,
        bars=bars,
        points=points,
        band=band,
    )


def _n(number: float) -> str:
    """A coordinate, short: 12.0 → '12', 12.3456 → '12.35'."""
    return f"{number:.2f}".rstrip("0").rstrip(".")


def chart_svg(chart: Chart, text: ChartText, *, element_id: str = "chart") -> str:
    """The chart as an SVG element. Every text is escaped; no style attributes."""
    e = escape
    baseline = TOP + PLOT_HEIGHT
    right = LEFT + PLOT_WIDTH
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'class="profile-chart" role="img" id="{e(element_id)}" '
        f'aria-labelledby="{e(element_id)}-title {e(element_id)}-desc" '
        f'font-size="13" fill="{TEXT_COLOUR}">',
        f'<title id="{e(element_id)}-title">{e(text.title)}</title>',
        f'<desc id="{e(element_id)}-desc">{e(text.description)}</desc>',
    ]
    # Grid lines and both axes' labels.
    out.append('<g class="chart-grid" aria-hidden="true">')
    for tick in chart.activities_axis.ticks:
        y = baseline - tick / chart.activities_axis.maximum * PLOT_HEIGHT
        out.append(
            f'<line x1="{LEFT}" y1="{_n(y)}" x2="{right}" y2="{_n(y)}" '
            f'stroke="{GRID_COLOUR}" stroke-width="1"/>'
            f'<text x="{LEFT - 8}" y="{_n(y + 4)}" text-anchor="end">{tick}</text>'
        )
    for tick in chart.hours_axis.ticks:
        y = baseline - tick / chart.hours_axis.maximum * PLOT_HEIGHT
        out.append(
            f'<text x="{right + 8}" y="{_n(y + 4)}" text-anchor="start" '
            f'fill="{LINE_COLOUR}">{tick}</text>'
        )
    out.append(
        f'<line x1="{LEFT}" y1="{baseline}" x2="{right}" y2="{baseline}" '
        f'stroke="{TEXT_COLOUR}" stroke-width="1"/>'
    )
    out.append("</g>")
    # Bars, each with its count on top.
    out.append('<g class="chart-bars">')
    for bar in chart.bars:
        out.append(
            f'<rect x="{_n(bar.x)}" y="{_n(bar.y)}" width="{_n(bar.width)}" '
            f'height="{_n(bar.height)}" fill="{BAR_COLOUR}">'
            f"<title>{e(text.bar_tooltip(bar.value))}</title></rect>"
            f'<text x="{_n(bar.x + bar.width / 2)}" y="{_n(bar.y - 5)}" text-anchor="middle" '
            f'font-weight="bold" aria-hidden="true">{bar.value.activities}</text>'
        )
    out.append("</g>")
    # The hours line.
    if chart.points:
        coordinates = " ".join(f"{_n(p.x)},{_n(p.y)}" for p in chart.points)
        out.append(
            f'<g class="chart-line" aria-hidden="true">'
            f'<polyline points="{coordinates}" fill="none" stroke="{LINE_COLOUR}" '
            f'stroke-width="2" stroke-linejoin="round"/>'
        )
        for point in chart.points:
            out.append(
                f'<circle cx="{_n(point.x)}" cy="{_n(point.y)}" r="3.5" fill="#fff" '
                f'stroke="{LINE_COLOUR}" stroke-width="2"/>'
            )
        out.append("</g>")
    if chart.is_empty:
        out.append(
            f'<text x="{_n(LEFT + PLOT_WIDTH / 2)}" y="{_n(TOP + PLOT_HEIGHT / 2)}" '
            f'text-anchor="middle" fill="#6c757d">{e(text.empty)}</text>'
        )
    # Month labels; the year under the first month and under each January.
    out.append('<g class="chart-months" aria-hidden="true">')
    for index, value in enumerate(chart.values):
        x = _n(chart.x_centre(index))
        out.append(
            f'<text x="{x}" y="{baseline + 18}" text-anchor="middle">'
            f"{e(text.month_label(value.year, value.month))}</text>"
        )
        if index == 0 or value.month == 1:
            out.append(
                f'<text x="{x}" y="{baseline + 36}" text-anchor="middle" fill="#6c757d">'
                f"{e(text.year_label(value.year))}</text>"
            )
    out.append("</g>")
    # Legend.
    out.append(
        f'<g class="chart-legend" aria-hidden="true">'
        f'<rect x="{LEFT}" y="12" width="14" height="14" fill="{BAR_COLOUR}"/>'
        f'<text x="{LEFT + 20}" y="24">{e(text.activities)}</text>'
        f'<line x1="{LEFT + 170}" y1="19" x2="{LEFT + 196}" y2="19" stroke="{LINE_COLOUR}" '
        f'stroke-width="2"/><circle cx="{LEFT + 183}" cy="19" r="3.5" fill="#fff" '
        f'stroke="{LINE_COLOUR}" stroke-width="2"/>'
        f'<text x="{LEFT + 202}" y="24">{e(text.hours)}</text></g>'
    )
    out.append("</svg>")
    return "".join(out)
