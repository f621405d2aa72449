"""The month grid: six weeks of days, each with its occurrences counted and coloured by state
(DESIGN §4 Calendar). Keyboard: arrows move a day / a week, PgUp/PgDn a month, Home/End the
week's ends, T today; Enter asks to mark the day's tasks done."""
from __future__ import annotations

import calendar as _calendar
import html
from datetime import date, timedelta

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QKeyEvent, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from desktop.services.maintenance import DayCounts

# done green, due blue (amber when due within SOON_DAYS), overdue red
COLOURS = {"done": QColor("#2e7d32"), "due": QColor("#1565c0"), "soon": QColor("#ef8f00"),
           "overdue": QColor("#c62828")}
SOON_DAYS = 3
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def grid_start(year: int, month: int) -> date:
    """The Monday on or before the 1st: the grid's first cell."""
    first = date(year, month, 1)
    return first - timedelta(days=first.weekday())


def grid_days(year: int, month: int) -> list[date]:
    start = grid_start(year, month)
    return [start + timedelta(days=i) for i in range(42)]


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


def due_colour(due: date, today: date) -> QColor:
    return COLOURS["soon"] if today <= due <= today + timedelta(days=SOON_DAYS) else COLOURS["due"]


class MonthGrid(QWidget):
    """Paints the month; knows only dates and per-day counts (set by the view)."""

    selected_changed = Signal(object)   # date
    month_changed = Signal(int, int)    # year, month
    activated = Signal(object)          # date (Enter or double click)

    HEADER = 24

    def __init__(self, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("month_grid")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)
        self.today = today
        self.selected = today
        self.year, self.month = today.year, today.month
        self.counts: dict[date, DayCounts] = {}
        self.holidays: dict[date, str] = {}
        self.weekdays: set[int] = {0, 1, 2, 3, 4}
        self.setAccessibleName("Maintenance month grid")

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(760, 520)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(420, 300)

    # data -------------------------------------------------------------------------------------
    @property
    def days(self) -> list[date]:
        return grid_days(self.year, self.month)

    def set_counts(self, counts: dict[date, DayCounts], holidays: dict[date, str]) -> None:
        self.counts = counts
        self.holidays = holidays
        self.update()

    def select(self, day: date) -> None:
        """Select a day, turning the page when it lies in another month."""
        month_moved = (day.year, day.month) != (self.year, self.month)
        changed = day != self.selected
        self.selected = day
        if month_moved:
            self.year, self.month = day.year, day.month
            self.month_changed.emit(self.year, self.month)
        if changed or month_moved:
            self.selected_changed.emit(day)
        self.update()

    # geometry ---------------------------------------------------------------------------------
    def _cell_rect(self, index: int) -> QRectF:
        width = self.width() / 7
        height = (self.height() - self.HEADER) / 6
        row, col = divmod(index, 7)
        return QRectF(col * width, self.HEADER + row * height, width, height)

    def day_at(self, x: float, y: float) -> date | None:
        if y < self.HEADER:
            return None
        col = int(x / (self.width() / 7))
        row = int((y - self.HEADER) / ((self.height() - self.HEADER) / 6))
        if 0 <= col < 7 and 0 <= row < 6:
            return self.days[row * 7 + col]
        return None

    # painting ---------------------------------------------------------------------------------
    def paintEvent(self, _event) -> None:  # noqa: N802, ANN001
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        base = palette.base().color()
        text = palette.text().color()
        muted = QColor(text)
        muted.setAlpha(110)
        grid_pen = QPen(palette.mid().color())
        width = self.width() / 7
        painter.fillRect(self.rect(), base)

        bold = QFont(self.font())
        bold.setBold(True)
        painter.setFont(bold)
        for col, name in enumerate(WEEKDAYS):
            painter.setPen(text if col in self.weekdays else muted)
            painter.drawText(QRectF(col * width, 0, width, self.HEADER),
                             Qt.AlignmentFlag.AlignCenter, name)

        small = QFont(self.font())
        small.setPointSizeF(max(7.0, self.font().pointSizeF() - 1))
        metrics = QFontMetrics(small)
        for index, day in enumerate(self.days):
            rect = self._cell_rect(index)
            in_month = day.month == self.month
            off_day = day.weekday() not in self.weekdays or day in self.holidays
            if off_day:
                shade = QColor(palette.alternateBase().color())
                painter.fillRect(rect, shade.darker(104))
            if day == self.selected:
                highlight = QColor(palette.highlight().color())
                highlight.setAlpha(60)
                painter.fillRect(rect, highlight)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(grid_pen)
            painter.drawRect(rect)
            if day == self.today:
                painter.setPen(QPen(COLOURS["soon"], 2))
                painter.drawRect(rect.adjusted(1.5, 1.5, -1.5, -1.5))
            if day == self.selected and self.hasFocus():
                painter.setPen(QPen(palette.highlight().color(), 2))
                painter.drawRect(rect.adjusted(3, 3, -3, -3))

            painter.setFont(bold if day == self.today else self.font())
            painter.setPen(text if in_month else muted)
            label = str(day.day) if day.day != 1 else day.strftime("%-d %b")
            painter.drawText(rect.adjusted(6, 3, -6, -3),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, label)
            painter.setFont(small)
            if day in self.holidays:
                painter.setPen(muted)
                name = metrics.elidedText(self.holidays[day], Qt.TextElideMode.ElideRight,
                                          int(rect.width() - 40))
                painter.drawText(rect.adjusted(6, 4, -6, -3),
                                 Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop, name)
            counts = self.counts.get(day)
            if counts is None or not counts.total:
                continue
            y = rect.top() + metrics.height() + 10
            for state, number in (("overdue", counts.overdue), ("due", counts.due),
                                  ("done", counts.done)):
                if not number or y + metrics.height() > rect.bottom():
                    continue
                colour = due_colour(day, self.today) if state == "due" else COLOURS[state]
                if not in_month:
                    colour = QColor(colour)
                    colour.setAlpha(120)
                label = f"{number} {state}"
                pill = QRectF(rect.left() + 5, y, min(rect.width() - 10,
                                                      metrics.horizontalAdvance(label) + 14),
                              metrics.height() + 2)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(colour)
                painter.drawRoundedRect(pill, 4, 4)
                painter.setPen(QColor("white"))
                painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, label)
                y += metrics.height() + 5
        painter.end()

    # interaction ------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key = event.key()
        moves = {Qt.Key.Key_Left: -1, Qt.Key.Key_Right: 1, Qt.Key.Key_Up: -7,
                 Qt.Key.Key_Down: 7}
        if key in moves:
            self.select(self.selected + timedelta(days=moves[key]))
        elif key == Qt.Key.Key_PageUp:
            self.select(add_months(self.selected, -1))
        elif key == Qt.Key.Key_PageDown:
            self.select(add_months(self.selected, 1))
        elif key == Qt.Key.Key_Home:
            self.select(self.selected - timedelta(days=self.selected.weekday()))
        elif key == Qt.Key.Key_End:
            self.select(self.selected + timedelta(days=6 - self.selected.weekday()))
        elif key == Qt.Key.Key_T and not event.modifiers():
            self.select(self.today)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.activated.emit(self.selected)
        else:
            super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        day = self.day_at(event.position().x(), event.position().y())
        if day is not None:
            self.setFocus()
            self.select(day)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        day = self.day_at(event.position().x(), event.position().y())
        if day is not None:
            self.activated.emit(day)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        day = self.day_at(event.position().x(), event.position().y())
        counts = self.counts.get(day) if day else None
        if day is None or (counts is None and day not in self.holidays):
            QToolTip.hideText()
            return
        lines = [day.strftime("%A %-d %B %Y")]
        if day in self.holidays:
            lines.append(f"Holiday: {self.holidays[day]}")
        if counts is not None:
            lines.append(f"{counts.overdue} overdue, {counts.due} due, {counts.done} done")
        # rich text with every line escaped: holiday names are the user's text
        QToolTip.showText(event.globalPosition().toPoint(),
                          "<qt>" + "<br>".join(html.escape(line) for line in lines) + "</qt>", self)

    def focusInEvent(self, event) -> None:  # noqa: N802, ANN001
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event) -> None:  # noqa: N802, ANN001
        self.update()
        super().focusOutEvent(event)
