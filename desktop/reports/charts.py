"""The quarterly review's charts, drawn with reportlab.graphics (vector, no image files).

Each function takes plain numbers and returns a ``Drawing``, or ``None`` when there is nothing
to draw (the builder then says so in words).
"""
from __future__ import annotations

from collections.abc import Sequence

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from desktop.services.catalog import PRIORITY_COLOURS
from desktop.services.report_data import PRIORITIES, PRIORITY_LABELS

from .common import ACCENT, BRAND, FONT, FONT_BOLD, INK, RULE, WARN, register_fonts

GREY = colors.HexColor("#c5ced8")


def _nice_max(value: float, floor: float = 4) -> float:
    value = max(value, floor)
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value / step <= 6:
            return step * (int(value / step) + (0 if value % step == 0 else 1))
    return value


def _step(top: float) -> float:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if top / step <= 6:
            return step
    return top / 5


def _axis_fonts(chart) -> None:  # noqa: ANN001
    for axis in (chart.categoryAxis, chart.valueAxis):
        axis.labels.fontName = FONT
        axis.labels.fontSize = 7.5
        axis.labels.fillColor = INK
        axis.strokeColor = RULE
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = RULE
    chart.valueAxis.gridStrokeWidth = 0.4


def _legend(items: Sequence[tuple[colors.Color, str]], x: float, y: float,
            columns: int = 4) -> Legend:
    legend = Legend()
    legend.x, legend.y = x, y
    legend.fontName = FONT
    legend.fontSize = 7.5
    legend.alignment = "right"
    legend.columnMaximum = max(1, (len(items) + columns - 1) // columns)
    legend.dx = legend.dy = 7
    legend.deltax = 62
    legend.strokeColor = None
    legend.colorNamePairs = list(items)
    return legend


def _title(drawing: Drawing, text: str, width: float, height: float) -> None:
    drawing.add(String(0, height - 10, text, fontName=FONT_BOLD, fontSize=9, fillColor=BRAND))


def tickets_per_month(labels: Sequence[str], by_month: Sequence[dict[str, int]],
                      width: float = 270, height: float = 190) -> Drawing | None:
    """Stacked bars: tickets opened per month, by priority."""
    if not any(sum(m.values()) for m in by_month):
        return None
    register_fonts()
    drawing = Drawing(width, height)
    _title(drawing, "Tickets opened per month", width, height)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 30, 38, width - 40, height - 68
    chart.data = [[m.get(p, 0) for m in by_month] for p in PRIORITIES]
    chart.categoryAxis.categoryNames = list(labels)
    chart.categoryAxis.style = "stacked"
    top = _nice_max(max(sum(m.values()) for m in by_month))
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = 0, top
    chart.valueAxis.valueStep = _step(top)
    chart.valueAxis.labelTextFormat = "%d"
    chart.barWidth = 14
    chart.groupSpacing = 18
    for i, p in enumerate(PRIORITIES):
        chart.bars[i].fillColor = colors.HexColor(PRIORITY_COLOURS[p])
        chart.bars[i].strokeColor = None
    _axis_fonts(chart)
    drawing.add(chart)
    drawing.add(_legend([(colors.HexColor(PRIORITY_COLOURS[p]), PRIORITY_LABELS[p])
                         for p in PRIORITIES], 30, 12, columns=4))
    return drawing


def priority_share(share: dict[str, int], width: float = 220,
                   height: float = 190) -> Drawing | None:
    """Pie: each priority's share of the quarter's tickets."""
    total = sum(share.values())
    if not total:
        return None
    register_fonts()
    drawing = Drawing(width, height)
    _title(drawing, "Share by priority", width, height)
    present = [p for p in PRIORITIES if share.get(p)]
    pie = Pie()
    size = min(width * 0.5, height - 50)
    pie.x, pie.y, pie.width, pie.height = 8, (height - 20 - size) / 2, size, size
    pie.data = [share[p] for p in present]
    pie.labels = None
    pie.simpleLabels = 1
    pie.slices.strokeColor = colors.white
    pie.slices.strokeWidth = 1
    for i, p in enumerate(present):
        pie.slices[i].fillColor = colors.HexColor(PRIORITY_COLOURS[p])
    drawing.add(pie)
    legend = _legend([(colors.HexColor(PRIORITY_COLOURS[p]),
                       f"{PRIORITY_LABELS[p]}  {share[p]} ({100 * share[p] / total:.0f}%)")
                      for p in present], size + 22, pie.y + size - 6, columns=1)
    legend.alignment = "right"
    legend.deltay = 14
    drawing.add(legend)
    return drawing


def content_hours(labels: Sequence[str], used_hours: Sequence[float],
                  allowance_hours: Sequence[float], width: float = 270,
                  height: float = 170) -> Drawing | None:
    """Grouped bars: content hours used each month beside the month's allowance."""
    if not any(used_hours) and not any(allowance_hours):
        return None
    register_fonts()
    drawing = Drawing(width, height)
    _title(drawing, "Content hours against allowance", width, height)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 30, 36, width - 40, height - 64
    chart.data = [list(allowance_hours), list(used_hours)]
    chart.categoryAxis.categoryNames = list(labels)
    top = _nice_max(max(list(used_hours) + list(allowance_hours)), floor=2)
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = 0, top
    chart.valueAxis.valueStep = _step(top)
    chart.valueAxis.labelTextFormat = "%g h"
    chart.barWidth = 12
    chart.groupSpacing = 14
    chart.bars[0].fillColor = GREY
    chart.bars[1].fillColor = ACCENT
    for i in (0, 1):
        chart.bars[i].strokeColor = None
    for m, (used, allowed) in enumerate(zip(used_hours, allowance_hours)):
        if used > allowed:
            chart.bars[(1, m)].fillColor = WARN
    _axis_fonts(chart)
    drawing.add(chart)
    drawing.add(_legend([(GREY, "Allowance"), (ACCENT, "Used"), (WARN, "Over allowance")],
                        30, 12, columns=3))
    return drawing


def trend(labels: Sequence[str], values: Sequence[float | None], title: str,
          unit: str, low: float | None = None, high: float = 100, width: float = 240,
          height: float = 150, colour: colors.Color = BRAND) -> Drawing | None:
    """A line over the months (gaps where nothing was recorded)."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    register_fonts()
    drawing = Drawing(width, height)
    _title(drawing, title, width, height)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 38, 22, width - 48, height - 46
    chart.data = [[v if v is not None else None for v in values]]
    chart.categoryAxis.categoryNames = [label.split(" ")[0] for label in labels]
    bottom = low if low is not None else 0
    if low is None:
        bottom = max(0, (min(present) // 10) * 10 - 10)
    chart.valueAxis.valueMin = min(bottom, min(present))
    chart.valueAxis.valueMax = high
    span = chart.valueAxis.valueMax - chart.valueAxis.valueMin
    chart.valueAxis.valueStep = span / 4 if span else 1
    suffix = unit.replace("%", "%%")
    chart.valueAxis.labelTextFormat = ("%.1f" if span < 8 else "%d") + suffix
    chart.lines[0].strokeColor = colour
    chart.lines[0].strokeWidth = 1.8
    from reportlab.graphics.widgets.markers import makeMarker
    chart.lines[0].symbol = makeMarker("FilledCircle", size=4, fillColor=colour)
    chart.joinedLines = 1
    _axis_fonts(chart)
    drawing.add(chart)
    return drawing
