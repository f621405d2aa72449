"""Notifications (DESIGN §4): when a clock turns at risk or breached, say so once — in the
system tray where there is one, otherwise in a banner at the top of the window.

Every minute (and after ticket changes) the worker asks for the open tickets whose running clock
is at risk or breached; an alert whose (ticket, clock, state) was already told is not told
again, across restarts too (the keys are kept in the window settings)."""
from __future__ import annotations

from datetime import datetime, timezone

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QPushButton, QSystemTrayIcon,
                               QToolButton, QWidget)

from desktop.services.queue import Alert, QueueSla, clock_alerts

UTC = timezone.utc
SENT_DOC = "notifications.sent"
KEEP = 5000  # keys remembered
CHECK_MS = 60_000


class AlertBanner(QFrame):
    show_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alert_banner")
        self.setProperty("role", "banner-danger")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 5, 6, 5)
        self.label = QLabel()
        self.label.setWordWrap(True)
        layout.addWidget(self.label, 1)
        self.show_button = QPushButton("Show")
        self.show_button.clicked.connect(lambda: self.show_requested.emit(self._view))
        layout.addWidget(self.show_button)
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss")
        close.clicked.connect(self.hide)
        layout.addWidget(close)
        self._view = "Breached"
        self.hide()

    def show_alerts(self, text: str, breached: bool) -> None:
        self._view = "Breached" if breached else "At risk"
        self.setProperty("role", "banner-danger" if breached else "banner-warning")
        self.style().unpolish(self)
        self.style().polish(self)
        self.label.setText(text)
        self.show()


def describe(alerts: list[Alert]) -> tuple[str, str]:
    """A title and a short text for a batch of new alerts."""
    breached = [a for a in alerts if a.state == "breached"]
    at_risk = [a for a in alerts if a.state == "at_risk"]
    parts = []
    if breached:
        parts.append(f"{len(breached)} clock{'s' if len(breached) != 1 else ''} breached")
    if at_risk:
        parts.append(f"{len(at_risk)} at risk")
    title = "SLA: " + ", ".join(parts)
    lines = [f"#{a.number} {a.title} ({a.client}) — {a.clock_name} "
             f"{'breached' if a.state == 'breached' else 'at risk'}" for a in alerts[:3]]
    if len(alerts) > 3:
        lines.append(f"…and {len(alerts) - 3} more")
    return title, "\n".join(lines)


class Notifier(QObject):
    """Checks the clocks and tells the user about each new at-risk or breached one once."""

    notified = Signal(str, str)  # title, text

    def __init__(self, window, parent: QObject | None = None) -> None:  # noqa: ANN001
        super().__init__(parent or window)
        self.window = window
        self.context = window.context
        ui = self.context.ui
        self.sent: list[str] = list(ui.document(SENT_DOC, []) or [])
        self._sent_set = set(self.sent)
        self._sla: QueueSla | None = None
        self._busy = False
        self.banner = AlertBanner()
        self.banner.show_requested.connect(
            lambda view: self.window.show_view("queue", view=view))
        self.window.add_banner(self.banner)
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(window.windowIcon(), self)
            self.tray.setToolTip("Aftercare")
            self.tray.messageClicked.connect(
                lambda: self.window.show_view("queue", view="At risk"))
            self.tray.show()
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()
        self.context.events.changed.connect(self._changed)
        # owned by the notifier, so it dies with the window (never fires into a closed app)
        self.soon = QTimer(self)
        self.soon.setSingleShot(True)
        self.soon.timeout.connect(self.check)
        self.soon.start(2000)

    def _changed(self, kind: str, _row_id: object) -> None:
        if kind == "settings":
            self._sla = None
        if kind in ("ticket", "settings", "contract"):
            self.soon.start(1000)

    def check(self, now: datetime | None = None) -> None:
        if self._busy:
            return
        self._busy = True
        db, sla = self.context.db, self._sla
        now = now or datetime.now(UTC)

        def work():
            with db.session() as session:
                table = sla or QueueSla.load(session)
                return table, clock_alerts(session, now, table)

        try:
            self.context.runner.run(work, self._checked, self._failed)
        except RuntimeError:  # the worker has shut down: the application is closing
            self._busy = False

    def _failed(self, _exc: BaseException) -> None:
        self._busy = False  # a failed check is retried at the next minute; nothing to tell

    def _checked(self, result) -> None:  # noqa: ANN001
        self._busy = False
        self._sla, alerts = result
        fresh = [a for a in alerts if a.key not in self._sent_set]
        if not fresh:
            return
        for alert in fresh:
            self._sent_set.add(alert.key)
            self.sent.append(alert.key)
        self.sent = self.sent[-KEEP:]
        self._sent_set = set(self.sent)
        self.context.ui.set_document(SENT_DOC, self.sent)
        title, text = describe(fresh)
        breached = any(a.state == "breached" for a in fresh)
        if self.tray is not None and self.tray.supportsMessages():
            icon = (QSystemTrayIcon.MessageIcon.Critical if breached
                    else QSystemTrayIcon.MessageIcon.Warning)
            self.tray.showMessage(title, text, icon, 15_000)
        else:
            self.banner.show_alerts(f"<b>{_esc(title)}</b><br>"
                                    + _esc(text).replace("\n", "<br>"), breached)
        self.notified.emit(title, text)


def _esc(text: str) -> str:
    import html

    return html.escape(text, quote=False)


def install(window) -> Notifier:  # noqa: ANN001
    window.notifier = Notifier(window)
    return window.notifier
