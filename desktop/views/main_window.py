"""The main window (DESIGN §4): navigation, menus, status bar naming the database and its mode,
and the current user. Each view is a module of its own, loaded when first shown; a view that has
not landed yet says so honestly."""
from __future__ import annotations

import importlib

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (QLabel, QListWidget, QListWidgetItem, QMainWindow, QSplitter,
                               QStackedWidget, QVBoxLayout, QWidget)

from desktop import __version__

from .context import AppContext
from .messages import dialogs

# name, title, "module:Class", shortcut
VIEWS = [
    ("dashboard", "Dashboard", "desktop.views.dashboard.view:DashboardView", "Ctrl+1"),
    ("queue", "Queue", "desktop.views.queue.view:QueueView", "Ctrl+2"),
    ("clients", "Clients", "desktop.views.clients.view:ClientsView", "Ctrl+3"),
    ("contracts", "Contracts", "desktop.views.contracts.view:ContractsView", "Ctrl+4"),
    ("calendar", "Calendar", "desktop.views.calendar.view:CalendarView", "Ctrl+5"),
    ("reports", "Reports", "desktop.views.reports.view:ReportsView", "Ctrl+6"),
    ("settings", "Settings", "desktop.views.settings.view:SettingsView", "Ctrl+7"),
]


# Features that add menu actions, banners or listeners to the window: "module:function", each
# called as function(window) once the window is built; a module not present yet is skipped.
EXTENSIONS = [
    "desktop.views.connection.extension:install",
    "desktop.views.notifications.extension:install",
    "desktop.views.errors.extension:install",
]


class NotYetView(QWidget):
    """An honest placeholder for a view that has not been built yet."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        label = QLabel(f"<h2>{title}</h2><p>Nothing here yet: this view arrives in a later "
                       "version of Aftercare.</p>")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(label)


def load_view_class(spec: str) -> type[QWidget] | None:
    module_name, class_name = spec.split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            return None
        raise
    return getattr(module, class_name, None)


class MainWindow(QMainWindow):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle("Aftercare")
        self.resize(1280, 800)
        self._views: dict[str, QWidget] = {}
        self._index: dict[str, int] = {}

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setMaximumWidth(200)
        self.stack = QStackedWidget()
        for name, title, _spec, shortcut in VIEWS:
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setToolTip(f"{title} ({shortcut})")
            self.nav.addItem(item)
        self.nav.currentRowChanged.connect(lambda row: self.show_view(VIEWS[row][0]))

        self.splitter = QSplitter()
        self.splitter.addWidget(self.nav)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.setCentralWidget(self.splitter)

        self._build_menus()
        self._build_status_bar()
        self._restore_state()
        for spec in EXTENSIONS:
            install = load_view_class(spec)
            if install is not None:
                install(self)

    # navigation -----------------------------------------------------------------------------
    def view(self, name: str) -> QWidget:
        """The view of that name, created on first use."""
        if name not in self._views:
            spec = next(v for v in VIEWS if v[0] == name)
            cls = load_view_class(spec[2])
            widget = cls(self.context, self) if cls is not None else NotYetView(spec[1], self)
            widget.setObjectName(f"view_{name}")
            self._views[name] = widget
            self._index[name] = self.stack.addWidget(widget)
        return self._views[name]

    def show_view(self, name: str, **filters: object) -> QWidget:
        """Show a view; keyword filters go to its ``apply_filter`` (dashboard click-through)."""
        widget = self.view(name)
        self.stack.setCurrentIndex(self._index[name])
        row = [v[0] for v in VIEWS].index(name)
        if self.nav.currentRow() != row:
            self.nav.blockSignals(True)
            self.nav.setCurrentRow(row)
            self.nav.blockSignals(False)
        if filters and hasattr(widget, "apply_filter"):
            widget.apply_filter(**filters)
        self.context.ui.last_view = name
        return widget

    @property
    def current_view_name(self) -> str:
        return VIEWS[self.nav.currentRow()][0] if self.nav.currentRow() >= 0 else ""

    # menus ----------------------------------------------------------------------------------
    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        quit_action = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        self.file_menu = file_menu
        self.edit_menu = bar.addMenu("&Edit")
        view_menu = bar.addMenu("&View")
        for name, title, _spec, shortcut in VIEWS:
            action = QAction(title, self, shortcut=QKeySequence(shortcut))
            action.triggered.connect(lambda _=False, n=name: self.show_view(n))
            view_menu.addAction(action)
        self.view_menu = view_menu
        self.ticket_menu = bar.addMenu("&Ticket")
        help_menu = bar.addMenu("&Help")
        about = QAction("&About Aftercare", self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)
        self.help_menu = help_menu

    def _about(self) -> None:
        dialogs().information(self, "About Aftercare",
                              f"Aftercare {__version__}\nPost-delivery support desk.")

    def _build_status_bar(self) -> None:
        ctx = self.context
        self.database_label = QLabel(f"{ctx.db.display_name} — {ctx.db.mode_label}")
        self.database_label.setObjectName("status_database")
        self.user_label = QLabel(f"User: {ctx.username}")
        self.user_label.setObjectName("status_user")
        self.statusBar().addPermanentWidget(self.database_label)
        self.statusBar().addPermanentWidget(self.user_label)

    # persistence ----------------------------------------------------------------------------
    def _restore_state(self) -> None:
        ui = self.context.ui
        if ui.geometry is not None:
            self.restoreGeometry(ui.geometry)
        if ui.window_state is not None:
            self.restoreState(ui.window_state)
        splitter = ui.widget_state("main_splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        last = ui.last_view
        self.show_view(last if last in {v[0] for v in VIEWS} else "queue")

    def save_state(self) -> None:
        ui = self.context.ui
        ui.geometry = self.saveGeometry()
        ui.window_state = self.saveState()
        ui.set_widget_state("main_splitter", self.splitter.saveState())
        for widget in self._views.values():
            if hasattr(widget, "save_state"):
                widget.save_state()
        ui.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.save_state()
        super().closeEvent(event)
