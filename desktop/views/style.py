"""The application's look: one stylesheet (resources/style.qss) for every view, and the few
colours the item models paint with (SLA states, priorities)."""
from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication

from desktop.services.catalog import PRIORITY_COLOURS

# SLA state → (text colour, background) for the queue's SLA column and the workspace.
SLA_COLOURS = {
    "breached": ("#b42318", "#fdecea"),
    "at_risk": ("#9a5b00", "#fff4e5"),
    "running": ("#1f2933", None),
    "paused": ("#52606d", "#eef2f6"),
    "met": ("#2f7d32", None),
    "none": ("#7b8794", None),
}
MUTED = "#7b8794"


def priority_colour(priority: str) -> QColor:
    return QColor(PRIORITY_COLOURS.get(priority, "#9aa5b1"))


_icons: dict[str, QIcon] = {}


def dot_icon(colour: QColor, size: int = 10) -> QIcon:
    """A filled circle, the priorities' mark (the seed's red/orange/yellow/green circles)."""
    pixmap = QPixmap(size + 4, size + 4)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(colour)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(2, 2, size, size)
    painter.end()
    return QIcon(pixmap)


def priority_icon(priority: str) -> QIcon:
    if priority not in _icons:
        _icons[priority] = dot_icon(priority_colour(priority))
    return _icons[priority]


def _stylesheet_path() -> Path | None:
    candidates = []
    try:
        from importlib.resources import files

        candidates.append(Path(str(files("desktop.resources") / "style.qss")))
    except (ModuleNotFoundError, TypeError):
        pass
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        candidates.append(Path(bundle) / "resources" / "style.qss")
    candidates.append(Path(__file__).resolve().parents[2] / "resources" / "style.qss")
    return next((p for p in candidates if p.is_file()), None)


def stylesheet() -> str:
    path = _stylesheet_path()
    return path.read_text(encoding="utf-8") if path is not None else ""


def apply_style(app: QApplication) -> None:
    """Fusion (the same on every platform) plus the Aftercare stylesheet."""
    app.setStyle("Fusion")
    app.setStyleSheet(stylesheet())
