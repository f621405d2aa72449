"""Disabling editing when the database is read-only (the offline snapshot, DESIGN §3).

Views mark their editing actions and widgets with ``mark_editing(obj)`` (a dynamic property),
or check ``context.read_only`` themselves; the connection extension disables everything marked,
keeps it disabled when a view re-enables it on a selection change, and looks again whenever
another view is shown (views are built lazily). A write that slips through still fails with a plain sentence
(``storage.reconnect`` turns it into ``ReadOnlyError``).
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

EDITING = "aftercareEditing"
READ_ONLY_TIP = "Read-only: this is the offline snapshot"


def mark_editing(obj: QObject) -> QObject:
    obj.setProperty(EDITING, True)
    return obj


def is_editing(obj: QObject) -> bool:
    return bool(obj.property(EDITING))


class _KeepDisabled(QObject):
    """Views enable and disable their actions as the selection moves; in read-only mode an
    editing action or widget that gets enabled again is switched straight back off."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.watched: set[int] = set()

    def watch_action(self, action: QAction) -> None:
        if id(action) in self.watched:
            return
        self.watched.add(id(action))
        action.changed.connect(lambda a=action: a.isEnabled() and a.setEnabled(False))

    def watch_widget(self, widget: QWidget) -> None:
        if id(widget) in self.watched:
            return
        self.watched.add(id(widget))
        widget.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.EnabledChange and isinstance(obj, QWidget) \
                and obj.isEnabled():
            obj.setEnabled(False)
        return False


def apply_read_only(window) -> int:  # noqa: ANN001
    """Disable every editing action and widget of the window (and keep them disabled);
    return how many were switched off now."""
    guard = getattr(window, "_read_only_guard", None)
    if guard is None:
        guard = window._read_only_guard = _KeepDisabled(window)
    disabled = 0
    for action in window.findChildren(QAction):
        if is_editing(action):
            if action.isEnabled():
                action.setEnabled(False)
                action.setToolTip(READ_ONLY_TIP)
                disabled += 1
            guard.watch_action(action)
    for widget in window.findChildren(QWidget):
        if is_editing(widget):
            if widget.isEnabled():
                widget.setEnabled(False)
                widget.setToolTip(READ_ONLY_TIP)
                disabled += 1
            guard.watch_widget(widget)
    return disabled
