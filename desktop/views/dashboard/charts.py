"""The dashboard's two small charts (Qt Charts): tickets opened and resolved per week, and the
share of tickets resolved each month with every SLA clock met."""
from __future__ import annotations

from PySide6.QtCharts import (QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView,
                              QLineSeries, QScatterSeries, QValueAxis)
from PySide6.QtCore import QMargins, QPointF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QWidget

from desktop.services.dashboard import MonthSla, WeekCount

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _chart(title: str) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    font = QFont()
    font.setPointSize(10)
    font.setBold(True)
    chart.setTitleFont(font)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.setBackgroundRoundness(6)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    return chart


class ChartView(QChartView):
    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(220)
        self.setCursor(Qt.CursorShape.PointingHandCursor)


class WeeklyTicketsChart(ChartView):
    """Opened and resolved tickets per week, as grouped bars."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("chart_weekly", parent)
        self.setToolTip("Tickets opened and resolved per week (Monday to Sunday)")
        self.show_weeks([])

    def show_weeks(self, weeks: list[WeekCount]) -> None:
        chart = _chart("Tickets per week")
        opened = QBarSet("Opened")
        opened.setColor(QColor("#1565c0"))
        resolved = QBarSet("Resolved")
        resolved.setColor(QColor("#66bb6a"))
        for week in weeks:
            opened.append(week.opened)
            resolved.append(week.resolved)
        series = QBarSeries()
        series.append(opened)
        series.append(resolved)
        chart.addSeries(series)
        categories = [f"{w.week_start.day} {MONTHS[w.week_start.month - 1]}" for w in weeks]
        x = QBarCategoryAxis()
        x.append(categories or [""])
        label_font = QFont()
        label_font.setPointSize(7)
        x.setLabelsFont(label_font)
        y = QValueAxis()
        top = max([1] + [max(w.opened, w.resolved) for w in weeks])
        y.setRange(0, _nice(top))
        y.setLabelFormat("%d")
        y.setTickCount(5)
        y.setLabelsFont(label_font)
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x)
        series.attachAxis(y)
        old = self.chart()
        self.setChart(chart)
        if old is not None:
            old.deleteLater()
        self.series = series


class SlaMetChart(ChartView):
    """The share of each month's resolved tickets with both clocks met, as a line in %."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("chart_sla", parent)
        self.setToolTip("Of the tickets resolved each month, the share with response and "
                        "resolution both within target")
        self.show_months([])

    def show_months(self, months: list[MonthSla]) -> None:
        chart = _chart("SLA met per month")
        line = QLineSeries()
        line.setName("SLA met %")
        pen = QPen(QColor("#1565c0"))
        pen.setWidth(3)
        line.setPen(pen)
        points = QScatterSeries()
        points.setMarkerSize(9)
        points.setColor(QColor("#1565c0"))
        points.setBorderColor(QColor("#1565c0"))
        x = QBarCategoryAxis()
        labels = []
        for n, month in enumerate(months):
            year, number = month.month.split("-")
            labels.append(f"{MONTHS[int(number) - 1]} {year[2:]}")
            if month.met_percent is not None:
                line.append(QPointF(n, month.met_percent))
                points.append(QPointF(n, month.met_percent))
        x.append(labels or [""])
        label_font = QFont()
        label_font.setPointSize(8)
        x.setLabelsFont(label_font)
        chart.addSeries(line)
        chart.addSeries(points)
        chart.legend().setVisible(False)
        y = QValueAxis()
        known = [m.met_percent for m in months if m.met_percent is not None]
        low = min(known, default=100.0)
        y.setRange(0 if low < 50 else 50, 100)
        y.setLabelFormat("%d%%")
        y.setTickCount(6)
        y.setLabelsFont(label_font)
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        for series in (line, points):
            series.attachAxis(x)
            series.attachAxis(y)
        old = self.chart()
        self.setChart(chart)
        if old is not None:
            old.deleteLater()
        self.line = line


def _nice(value: int) -> int:
    """A round axis top at or above ``value``: 1, 2, 5 × 10^n."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if value <= step * factor:
                return step * factor
        step *= 10
