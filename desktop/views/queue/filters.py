"""The queue's filter buttons: one drop-down per field, several values each (DESIGN §4)."""
from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QToolButton, QWidget


class FilterButton(QToolButton):
    """A drop-down of checkable values; ``changed`` after each tick. The caption shows how many
    values are chosen ("Status · 2") so an active filter is visible at a glance."""

    changed = Signal()

    def __init__(self, title: str, options: Sequence[tuple[object, str]] = (),
                 exclusive: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.exclusive = exclusive
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setObjectName(f"filter_{title.lower().replace(' ', '_')}")
        self._menu = QMenu(self)
        self.setMenu(self._menu)
        self._actions: dict[object, QAction] = {}
        self.set_options(options)

    def set_options(self, options: Sequence[tuple[object, str]]) -> None:
        chosen = set(self.values())
        self._menu.clear()
        self._actions.clear()
        clear = self._menu.addAction("Any")
        clear.triggered.connect(lambda: self.set_values(()) or self.changed.emit())
        self._menu.addSeparator()
        for value, label in options:
            action = self._menu.addAction(label)
            action.setCheckable(True)
            action.setChecked(value in chosen)
            action.triggered.connect(lambda _=False, v=value: self._toggled(v))
            self._actions[value] = action
        self._caption()

    def _toggled(self, value: object) -> None:
        if self.exclusive:
            for other, action in self._actions.items():
                if other != value:
                    action.setChecked(False)
        self._caption()
        self.changed.emit()

    def values(self) -> tuple:
        return tuple(v for v, a in self._actions.items() if a.isChecked())

    def set_values(self, values: Sequence[object]) -> None:
        wanted = set(values)
        for value, action in self._actions.items():
            action.setChecked(value in wanted)
        self._caption()

    def _caption(self) -> None:
        chosen = [a.text() for a in self._actions.values() if a.isChecked()]
        if not chosen:
            self.setText(f"{self.title} ▾")
            self.setProperty("active", False)
        elif len(chosen) == 1:
            self.setText(f"{self.title}: {chosen[0]} ▾")
            self.setProperty("active", True)
        else:
            self.setText(f"{self.title} · {len(chosen)} ▾")
            self.setProperty("active", True)
        self.setToolTip(f"{self.title}: " + (", ".join(chosen) if chosen else "any"))
        self.style().unpolish(self)
        self.style().polish(self)
