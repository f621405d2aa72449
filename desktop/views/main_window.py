"""The main window (DESIGN §4): navigation, menus, status bar naming the database and its mode,
and the current user. Each view is a module of its own, loaded when first shown; a view that has
not landed yet says so honestly."""
from __future__ import annotations

import importlib

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHeaderView, QTableWidget,
                               QTableWidgetItem)
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


class ShortcutsDialog(QDialog):
    """Help › Keyboard shortcuts: every shortcut of the menus, in menu order."""

    def __init__(self, rows: list[tuple[str, str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(520, 560)
        layout = QVBoxLayout(self)
        self.table = QTableWidget(len(rows), 3)
        self.table.setObjectName("shortcuts")
        self.table.setHorizontalHeaderLabels(["Menu", "Action", "Shortcut"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem(value))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 140)
        self.table.setColumnWidth(2, 130)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def shortcuts(self) -> list[tuple[str, str]]:
        return [(self.table.item(r, 1).text(), self.table.item(r, 2).text())
                for r in range(self.table.rowCount())]


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
        self.nav.setMinimumWidth(150)
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
        self.splitter.setCollapsible(0, False)
        self.splitter.setCollapsible(1, False)
        self.splitter.setHandleWidth(1)
        self.splitter.setSizes([180, 1100])
        # Banners (connection lost, offline snapshot, SLA alerts) stack above the views.
        central = QWidget()
        central.setObjectName("central")
        self._central_layout = QVBoxLayout(central)
        self._central_layout.setContentsMargins(0, 0, 0, 0)
        self._central_layout.setSpacing(0)
        self._central_layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        self._build_menus()
        self._build_status_bar()
        self._restore_state()
        for spec in EXTENSIONS:
            install = load_view_class(spec)
            if install is not None:
                install(self)

    def add_banner(self, banner: QWidget) -> None:
        """Place a banner above the views, under the banners added before it."""
        self._central_layout.insertWidget(self._central_layout.count() - 1, banner)

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
        self.new_ticket_action = self._action("&New ticket…", "Ctrl+N", self.new_ticket,
                                              "Create a ticket", editing=True)
        file_menu.addAction(self.new_ticket_action)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        self.file_menu = file_menu

        self.edit_menu = bar.addMenu("&Edit")
        self.search_action = self._action("&Search everything…", "Ctrl+K", self.global_search,
                                          "Find tickets and clients by number, title or name")
        self.edit_menu.addAction(self.search_action)
        self.find_action = self._action("&Filter the queue", "Ctrl+F", self.find_in_queue,
                                        "Search the ticket queue")
        self.edit_menu.addAction(self.find_action)

        view_menu = bar.addMenu("&View")
        for name, title, _spec, shortcut in VIEWS:
            action = QAction(title, self, shortcut=QKeySequence(shortcut))
            action.triggered.connect(lambda _=False, n=name: self.show_view(n))
            view_menu.addAction(action)
        view_menu.addSeparator()
        self.refresh_action = self._action("&Refresh", "F5", self.refresh_current,
                                           "Read the current view again from the database")
        view_menu.addAction(self.refresh_action)
        self.view_menu = view_menu

        self.ticket_menu = bar.addMenu("&Ticket")
        self._build_ticket_menu(self.ticket_menu)

        help_menu = bar.addMenu("&Help")
        shortcuts = self._action("&Keyboard shortcuts", "F1", self.show_shortcuts,
                                 "Every keyboard shortcut")
        help_menu.addAction(shortcuts)
        help_menu.addSeparator()
        about = QAction("&About Aftercare", self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)
        self.help_menu = help_menu

    def _action(self, text: str, shortcut: str | None, slot, tip: str = "",  # noqa: ANN001
                editing: bool = False) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(lambda _=False: slot())
        if editing:
            try:
                from .connection.readonly import mark_editing
            except ImportError:
                pass
            else:
                mark_editing(action)
            action.setEnabled(not self.context.read_only)
        return action

    def _build_ticket_menu(self, menu) -> None:  # noqa: ANN001
        menu.addAction(self.new_ticket_action)
        menu.addAction(self._action("&Open selected ticket", "Ctrl+O",
                                    lambda: self._queue().open_selected(),
                                    "Open the selected ticket in the workspace"))
        menu.addSeparator()
        menu.addAction(self._action("&Reply to client", "Ctrl+R",
                                    lambda: self._with_ticket(lambda w: w.focus_composer(True)),
                                    "Write a public reply", editing=True))
        menu.addAction(self._action("Internal &note", "Ctrl+Shift+N",
                                    lambda: self._with_ticket(lambda w: w.focus_composer(False)),
                                    "Write an internal note", editing=True))
        menu.addAction(self._action("Assign to &me", "Ctrl+M",
                                    lambda: self._with_ticket(lambda w: w.assign_to_me()),
                                    "Assign the open ticket to yourself", editing=True))
        menu.addAction(self._action("&Log time…", "Ctrl+T",
                                    lambda: self._with_ticket(lambda w: w.log_time_dialog()),
                                    "Log time on the open ticket", editing=True))
        menu.addAction(self._action("Override &coverage…", None,
                                    lambda: self._with_ticket(lambda w: w.override_dialog()),
                                    "Override the coverage verdict", editing=True))
        status = menu.addMenu("Set &status")
        for target, label, keys in (("acknowledged", "&Acknowledge", "Ctrl+Shift+A"),
                                    ("in_progress", "&In progress", "Ctrl+Shift+I"),
                                    ("waiting_on_client", "&Waiting on client", "Ctrl+Shift+W"),
                                    ("resolved", "&Resolve", "Ctrl+Shift+D"),
                                    ("closed", "&Close", None)):
            status.addAction(self._action(label, keys,
                                          lambda t=target: self._set_status(t),
                                          f"Set the status to {label.replace('&', '').lower()}",
                                          editing=True))
        self.status_menu = status

    # ticket actions ---------------------------------------------------------------------------
    def _queue(self):  # noqa: ANN202
        return self.show_view("queue")

    def _with_ticket(self, fn) -> None:  # noqa: ANN001
        """Run ``fn(workspace)`` on the open ticket, opening the selected one if none is."""
        queue = self._queue()
        workspace = getattr(queue, "workspace", None)
        if workspace is None:
            return
        if workspace.ticket_id is None or not workspace.isVisible():
            selected = queue.selected_ticket_id()
            if selected is None:
                self.statusBar().showMessage("Select a ticket in the queue first.", 4000)
                return
            queue.open_ticket(selected)
            workspace.loaded.connect(self._deferred(fn, workspace))
            return
        fn(workspace)

    def _deferred(self, fn, workspace):  # noqa: ANN001, ANN202
        def run(_ticket_id: int) -> None:
            workspace.loaded.disconnect(run)
            fn(workspace)
        return run

    def _set_status(self, target: str) -> None:
        def change(workspace) -> None:  # noqa: ANN001
            from desktop.services.tickets import STATUS_LABELS

            detail = workspace.detail
            if detail is None:
                return
            if target not in detail.transitions:
                self.statusBar().showMessage(
                    f"A ticket that is {STATUS_LABELS[detail.status].lower()} cannot become "
                    f"{STATUS_LABELS[target].lower()}.", 5000)
                return
            workspace.change_status(target)
        self._with_ticket(change)

    def new_ticket(self) -> None:
        self._queue().new_ticket()

    def find_in_queue(self) -> None:
        self._queue().focus_search()

    def global_search(self) -> None:
        from .search.palette import SearchPalette

        palette = getattr(self, "search_palette", None)
        if palette is None:
            palette = self.search_palette = SearchPalette(self.context, self)
            palette.chosen.connect(self._search_chosen)
        palette.popup()

    def _search_chosen(self, kind: str, row_id: int) -> None:
        if kind == "ticket":
            self.show_view("queue", ticket_id=row_id)
        elif kind == "client":
            try:
                self.show_view("clients", client_id=row_id)
            except TypeError:
                self.show_view("clients")

    def refresh_current(self) -> None:
        widget = self._views.get(self.current_view_name)
        if widget is not None and hasattr(widget, "refresh"):
            widget.refresh()

    def shortcut_list(self) -> list[tuple[str, str, str]]:
        """(menu, action, shortcut) of every action that has a shortcut, menus in order."""
        rows: list[tuple[str, str, str]] = []
        seen: set[int] = set()

        def walk(menu, path: str) -> None:  # noqa: ANN001
            for action in menu.actions():
                if id(action) in seen:
                    continue  # an action in two menus (New ticket) is listed once
                seen.add(id(action))
                if action.menu() is not None:
                    walk(action.menu(), f"{path} › {action.text().replace('&', '')}")
                elif not action.isSeparator() and not action.shortcut().isEmpty():
                    rows.append((path, action.text().replace("&", "").rstrip("…"),
                                 action.shortcut().toString(
                                     QKeySequence.SequenceFormat.NativeText)))

        for top in self.menuBar().actions():
            if top.menu() is not None:
                walk(top.menu(), top.text().replace("&", ""))
        rows += [("Queue", "Open the highlighted ticket", "Enter"),
                 ("Ticket", "Send the reply or note", "Ctrl+Enter"),
                 ("Ticket", "Close the ticket workspace", "Esc")]
        return rows

    def show_shortcuts(self) -> None:
        dialog = ShortcutsDialog(self.shortcut_list(), self)
        dialog.open()
        self.shortcuts_dialog = dialog

    def _about(self) -> None:
        dialogs().information(
            self, "About Aftercare",
            f"Aftercare {__version__}\n\nPost-delivery support desk for a web agency: "
            "SLA-clocked ticket queue, support contracts, maintenance calendar and client "
            f"reports.\n\nDatabase: {self.context.db.display_name} "
            f"({self.context.db.mode_label})\nPress F1 for the keyboard shortcuts.")

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
