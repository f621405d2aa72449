"""The Dashboard (DESIGN §4): open tickets by priority, at-risk and breached clocks, overdue
maintenance, renewals within 30/60/90 days, monthly recurring revenue, content hours this month,
and two small charts. Every figure clicks through to the list behind it.

The figures come first (one worker call of aggregate queries), the charts right after, so the
numbers are on screen at once even on a million tickets. They refresh when data changes and
every minute (clocks turn at-risk and breached as time passes).
"""
from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QGridLayout, QHBoxLayout, QLabel, QPushButton, QScrollArea,
                               QVBoxLayout, QWidget)

from desktop.models.enums import OPEN_STATUSES, Priority
from desktop.services.catalog import PRIORITY_COLOURS, PRIORITY_HELP
from desktop.services.contracts import RENEWAL_WINDOWS
from desktop.services.dashboard import (DashboardCharts, DashboardFigures, dashboard_charts,
                                        dashboard_figures, hours_text)
from desktop.views.context import AppContext
from desktop.views.worker import describe_error

from .cards import FigureCard
from .charts import SlaMetChart, WeeklyTicketsChart

REFRESH_MS = 60_000
# the queue's filter fields (services.queue.QueueFilter): open = not resolved or closed
OPEN = [str(s) for s in OPEN_STATUSES]


def click_through_target(name: str, today: date) -> tuple[str, dict]:
    """The view and filters each figure opens: the list behind the number."""
    targets: dict[str, tuple[str, dict]] = {
        "open": ("queue", {"statuses": OPEN}),
        **{f"priority_{p}": ("queue", {"priorities": [str(p)], "statuses": OPEN})
           for p in Priority},
        "at_risk": ("queue", {"sla_states": ["at_risk"], "statuses": OPEN}),
        "breached": ("queue", {"sla_states": ["breached"], "statuses": OPEN}),
        "overdue_maintenance": ("calendar", {"state": "overdue"}),
        "maintenance_week": ("calendar", {"state": "open", "scope": "week", "day": today}),
        **{f"renewals_{n}": ("contracts", {"renewal_within": n}) for n in RENEWAL_WINDOWS},
        "mrr": ("contracts", {"state": "current"}),
        "content": ("contracts", {"state": "current"}),
        "chart_weekly": ("queue", {}),
        "chart_sla": ("queue", {"sla_states": ["breached"]}),
    }
    return targets[name]


class DashboardView(QWidget):
    """``navigate(view, filters)`` is emitted on every click-through (and the main window's
    ``show_view`` called when there is one)."""

    navigate = Signal(str, dict)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.figures: DashboardFigures | None = None
        self.charts: DashboardCharts | None = None
        self._loading = False
        self._again = False

        title = QLabel("<h2 style='margin:0'>Dashboard</h2>")
        self.updated = QLabel(objectName="dashboard_updated")
        self.updated.setStyleSheet("color: #607d8b;")
        self.refresh_button = QPushButton("&Refresh", objectName="dashboard_refresh")
        self.refresh_button.setToolTip("Read the figures again (F5)")
        self.refresh_button.clicked.connect(self.refresh)
        head = QHBoxLayout()
        head.addWidget(title)
        head.addSpacing(12)
        head.addWidget(self.updated, 1, Qt.AlignmentFlag.AlignBottom)
        head.addWidget(self.refresh_button)

        self.cards: dict[str, FigureCard] = {}
        tickets = QGridLayout()
        tickets.setSpacing(10)
        self._card(tickets, 0, "open", "Open tickets", "#1565c0",
                   "Tickets new, acknowledged, in progress or waiting on the client")
        for column, priority in enumerate(Priority, start=1):
            meaning, examples = PRIORITY_HELP[str(priority)]
            self._card(tickets, column, f"priority_{priority}", str(priority).capitalize(),
                       PRIORITY_COLOURS[str(priority)],
                       f"{meaning}: {', '.join(examples).lower()}")
        self._card(tickets, 5, "at_risk", "At risk", "#ef6c00",
                   "Open tickets with a clock that has used most of its target")
        self._card(tickets, 6, "breached", "Breached", "#c62828",
                   "Open tickets with a clock past its target")
        business = QGridLayout()
        business.setSpacing(10)
        self._card(business, 0, "overdue_maintenance", "Overdue maintenance", "#c62828",
                   "Maintenance tasks not done by their due date")
        self._card(business, 1, "maintenance_week", "Maintenance this week", "#1565c0",
                   "Maintenance tasks of this week (Monday to Sunday) not done yet")
        for column, n in enumerate(RENEWAL_WINDOWS, start=2):
            self._card(business, column, f"renewals_{n}", f"Renewals ≤ {n} days",
                       {30: "#c62828", 60: "#ef6c00", 90: "#f9a825"}[n],
                       f"Paid contracts ending within {n} days with no renewal yet")
        self._card(business, 5, "mrr", "Monthly recurring revenue", "#2e7d32",
                   "The monthly fees of the contracts in force today")
        self._card(business, 6, "content", "Content hours this month", "#6a1b9a",
                   "Content-update time logged this month against the contracts' allowances")

        self.weekly = WeeklyTicketsChart()
        self.sla = SlaMetChart()
        for chart in (self.weekly, self.sla):
            chart.mouseReleaseEvent = (  # type: ignore[method-assign]
                lambda _event, name=chart.objectName(): self.click_through(name))
        for chart in (self.weekly, self.sla):
            chart.setMinimumHeight(240)
            chart.setMaximumHeight(340)
        charts = QHBoxLayout()
        charts.addWidget(self.weekly, 3)
        charts.addWidget(self.sla, 2)

        self.error = QLabel(objectName="dashboard_error")
        self.error.setStyleSheet("color: #b71c1c;")
        self.error.setVisible(False)

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addLayout(head)
        layout.addWidget(_section("Tickets"))
        layout.addLayout(tickets)
        layout.addWidget(_section("Contracts and maintenance"))
        layout.addLayout(business)
        layout.addWidget(_section("Trends"))
        layout.addLayout(charts)
        layout.addWidget(self.error)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        # while hidden the dashboard does no work; it catches up when shown again
        self._stale = False
        self._timer = QTimer(self, interval=REFRESH_MS)
        self._timer.timeout.connect(self._refresh_if_shown)
        self._timer.start()
        self._debounce = QTimer(self, singleShot=True, interval=800)
        self._debounce.timeout.connect(self._refresh_if_shown)
        context.events.changed.connect(lambda _kind, _row: self._debounce.start())
        self.refresh()

    def _card(self, grid: QGridLayout, column: int, name: str, title: str, accent: str,
              tooltip: str) -> None:
        card = FigureCard(name, title, accent, tooltip + " — click to see them")
        card.clicked.connect(lambda n=name: self.click_through(n))
        grid.addWidget(card, 0, column)
        self.cards[name] = card

    # loading -------------------------------------------------------------------------------
    def _refresh_if_shown(self) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def refresh(self) -> None:
        """Figures first, then the charts; a refresh asked for meanwhile runs after."""
        if self._loading:
            self._again = True
            return
        self._loading = True
        self._stale = False
        db = self.context.db

        def figures() -> DashboardFigures:
            with db.session() as session:
                return dashboard_figures(session)

        def charts() -> DashboardCharts:
            with db.session() as session:
                return dashboard_charts(session)

        self.context.runner.run(figures, self.show_figures, self._failed)
        self.context.runner.run(charts, self._charts_loaded, self._failed)

    def _charts_loaded(self, charts: DashboardCharts) -> None:
        self.show_charts(charts)
        self._loading = False
        if self._again:
            self._again = False
            self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self._loading = False
        self.error.setText(f"The dashboard could not be brought up to date: "
                           f"{describe_error(exc)}")
        self.error.setVisible(True)

    def show_figures(self, f: DashboardFigures) -> None:
        self.figures = f
        self.error.setVisible(False)
        local = f.now.astimezone(self.context.agency.zone)
        self.updated.setText(f"as of {local:%a %d %b %Y, %H:%M} · refreshes every minute")
        self.cards["open"].set_figure(f"{f.open_total:,}", "across all clients")
        for priority in Priority:
            count = f.open_by_priority.get(str(priority), 0)
            share = f"{100 * count / f.open_total:.0f}% of open" if f.open_total else "none open"
            self.cards[f"priority_{priority}"].set_figure(
                f"{count:,}", share, alert=priority == Priority.CRITICAL and count > 0)
        self.cards["at_risk"].set_figure(f"{f.at_risk:,}",
                                         f"{f.at_risk_percent}% or more of a target used",
                                         alert=f.at_risk > 0)
        self.cards["breached"].set_figure(f"{f.breached:,}", "a clock past its target",
                                          alert=f.breached > 0)
        self.cards["overdue_maintenance"].set_figure(
            f"{f.overdue_maintenance:,}", "tasks past their due date",
            alert=f.overdue_maintenance > 0)
        self.cards["maintenance_week"].set_figure(f"{f.maintenance_due_this_week:,}",
                                                  "not done yet, Monday to Sunday")
        for n in RENEWAL_WINDOWS:
            count = f.renewals.get(n, 0)
            self.cards[f"renewals_{n}"].set_figure(
                f"{count:,}", f"contract{'s' if count != 1 else ''} to renew",
                alert=count > 0 and n == RENEWAL_WINDOWS[0])
        mrr = f.mrr_text
        self.cards["mrr"].set_figure(mrr[:-3] if mrr.endswith(".00") else mrr,
                                     f"{f.active_contracts:,} contracts in force")
        used, allowance = f.content_minutes_used, f.content_minutes_allowance
        self.cards["content"].set_figure(
            hours_text(used), f"of {hours_text(allowance)} in allowances",
            alert=used > allowance)

    def show_charts(self, charts: DashboardCharts) -> None:
        self.charts = charts
        self.weekly.show_weeks(charts.weeks)
        self.sla.show_months(charts.sla_months)

    # click-through -------------------------------------------------------------------------
    def click_through(self, name: str) -> None:
        today = self.figures.today if self.figures is not None else date.today()
        view, filters = click_through_target(name, today)
        self.navigate.emit(view, dict(filters))
        window = self.window()
        if window is not self and hasattr(window, "show_view"):
            window.show_view(view, **filters)

    def apply_filter(self, **_filters: object) -> None:
        """The dashboard has no filters; showing it refreshes it."""
        self.refresh()

    def showEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt override
        super().showEvent(event)
        if self._stale or (self.figures is not None and (
                datetime.now(self.figures.now.tzinfo) - self.figures.now).total_seconds() > 30):
            self.refresh()


def _section(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("color: #37474f; font-weight: 600; margin-top: 8px;")
    return label
