"""Settings (DESIGN §2 "seeded, editable in Settings"): the agency, tiers, SLA targets, holidays
and maintenance templates. All database work goes through the worker."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDateEdit, QDoubleSpinBox,
                               QFileDialog, QFormLayout, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QPushButton, QSpinBox, QTableWidget, QTableWidgetItem,
                               QTabWidget, QVBoxLayout, QWidget)

from desktop.services import policy
from desktop.services.money import format_money, parse_money
from desktop.services.settings import load_settings
from desktop.views.context import AppContext
from desktop.views.main_window import load_view_class
from desktop.views.messages import dialogs
from desktop.views.worker import describe_error

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


class AgencyTab(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        outer = QHBoxLayout(self)
        panel = QWidget()
        panel.setMaximumWidth(760)  # a form that spans a wide screen reads badly
        outer.addWidget(panel, 4)
        outer.addStretch(1)
        form = QFormLayout(panel)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.fields: dict[str, QLineEdit] = {}
        for key, label in [("agency_name", "Agency name"), ("support_email", "Support e-mail"),
                           ("support_phone", "Support phone"), ("phone_hours", "Phone hours"),
                           ("emergency_phone", "Emergency line (premium)"),
                           ("portal_url", "Support portal URL"), ("time_zone", "Time zone"),
                           ("business_start", "Business day starts"),
                           ("business_end", "Business day ends")]:
            edit = QLineEdit()
            edit.setObjectName(key)
            self.fields[key] = edit
            form.addRow(label, edit)
        logo_row = QHBoxLayout()
        self.logo = QLineEdit()
        self.logo.setObjectName("logo_path")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse_logo)
        logo_row.addWidget(self.logo)
        logo_row.addWidget(browse)
        form.addRow("Logo (PNG or JPEG)", logo_row)
        self.days = QLineEdit()
        self.days.setToolTip("Weekdays with business hours, e.g. Mon Tue Wed Thu Fri")
        form.addRow("Business days", self.days)
        self.at_risk = QSpinBox()
        self.at_risk.setRange(1, 99)
        self.at_risk.setSuffix(" % of target used")
        form.addRow("A clock is at risk from", self.at_risk)
        self.follow_up = QSpinBox()
        self.follow_up.setRange(0, 30)
        self.follow_up.setSuffix(" business days after resolution")
        form.addRow("Satisfaction follow-up", self.follow_up)
        self.save_button = QPushButton("Save settings")
        self.save_button.setObjectName("save_settings")
        self.save_button.clicked.connect(self.save)
        self.save_button.setEnabled(not context.read_only)
        form.addRow("", self.save_button)
        self.load(context.agency)

    def load(self, agency) -> None:  # noqa: ANN001
        for key, edit in self.fields.items():
            edit.setText(str(getattr(agency, key)))
        self.logo.setText(agency.logo_path)
        self.days.setText(" ".join(WEEKDAYS[d] for d in agency.business_days))
        self.at_risk.setValue(int(agency.at_risk_percent))
        self.follow_up.setValue(int(agency.follow_up_business_days))

    def _browse_logo(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose the agency logo", "",
                                              "Images (*.png *.jpg *.jpeg)")
        if path:
            self.logo.setText(path)

    def edited(self):  # noqa: ANN201
        days = []
        for word in self.days.text().replace(",", " ").split():
            name = word[:3].capitalize()
            if name not in WEEKDAYS:
                raise ValueError(f"Business days: '{word}' is not a weekday")
            days.append(WEEKDAYS.index(name))
        values = {key: edit.text().strip() for key, edit in self.fields.items()}
        return replace(self.context.agency, **values, logo_path=self.logo.text().strip(),
                       business_days=sorted(set(days)), at_risk_percent=self.at_risk.value(),
                       follow_up_business_days=self.follow_up.value())

    def save(self) -> None:
        try:
            agency = self.edited()
        except ValueError as exc:
            dialogs().warning(self, "Settings not saved", str(exc))
            return
        db = self.context.db

        def work():  # noqa: ANN202
            with db.transaction() as session:
                policy.update_settings(session, agency)
                return load_settings(session)

        def done(saved) -> None:  # noqa: ANN001
            self.context.agency = saved
            self.context.events.changed.emit("settings", None)
            self.window().statusBar().showMessage("Settings saved", 4000) \
                if hasattr(self.window(), "statusBar") else None

        self.context.runner.run(work, done, lambda exc: dialogs().warning(
            self, "Settings not saved", describe_error(exc)))


class TiersTab(QWidget):
    """Tier fees, channels and content hours, and the SLA targets per tier and priority."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>Support tiers</b>"))
        self.tiers = QTableWidget(0, 4)
        self.tiers.setObjectName("tiers_table")
        self.tiers.setHorizontalHeaderLabels(["Tier", "Monthly fee (₹)", "Content hours / month",
                                              "Channels"])
        header = self.tiers.horizontalHeader()
        for column in range(3):  # four rows only: sizing to contents is cheap here
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.tiers.setMaximumHeight(170)
        self.tiers.verticalHeader().hide()
        layout.addWidget(self.tiers)
        layout.addWidget(QLabel("<b>SLA targets</b> (hours of the ticket's clock; a business day "
                                "is 9 business hours)"))
        self.policies = QTableWidget(0, 5)
        self.policies.setObjectName("policy_table")
        self.policies.setHorizontalHeaderLabels(["Tier", "Priority", "Clock", "Response (h)",
                                                 "Resolution (h)"])
        self.policies.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.policies.verticalHeader().hide()
        self.policies.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        layout.addWidget(self.policies, 1)
        self.save_button = QPushButton("Save tiers and targets")
        self.save_button.setObjectName("save_tiers")
        self.save_button.clicked.connect(self.save)
        self.save_button.setEnabled(not context.read_only)
        layout.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignRight)
        self.refresh()

    def refresh(self) -> None:
        with self.context.db.session() as session:
            tiers = policy.list_tiers(session)
            rows = policy.list_policies(session)
        self.tiers.setRowCount(len(tiers))
        for r, tier in enumerate(tiers):
            name = QTableWidgetItem(tier.name)
            name.setData(Qt.ItemDataRole.UserRole, tier.code)
            name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.tiers.setItem(r, 0, name)
            self.tiers.setItem(r, 1, QTableWidgetItem(format_money(tier.monthly_fee)))
            self.tiers.setItem(r, 2, QTableWidgetItem(f"{tier.content_hours.normalize():f}"))
            self.tiers.setItem(r, 3, QTableWidgetItem(tier.channels))
        self.policies.setRowCount(len(rows))
        for r, row in enumerate(rows):
            tier_name = "No contract" if row.tier_code == "none" else row.tier_code.capitalize()
            for c, text in enumerate([tier_name, row.priority.capitalize()]):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                item.setData(Qt.ItemDataRole.UserRole, (row.tier_code, row.priority))
                self.policies.setItem(r, c, item)
            clock = QComboBox()
            clock.addItems(["business", "24x7"])
            clock.setCurrentText(row.clock)
            self.policies.setCellWidget(r, 2, clock)
            for c, minutes in ((3, row.response_minutes), (4, row.resolution_minutes)):
                spin = QDoubleSpinBox()
                spin.setRange(0.25, 10_000)
                spin.setDecimals(2)
                spin.setValue(minutes / 60)
                self.policies.setCellWidget(r, c, spin)

    def save(self) -> None:
        try:
            tiers = []
            for r in range(self.tiers.rowCount()):
                code = self.tiers.item(r, 0).data(Qt.ItemDataRole.UserRole)
                fee = parse_money(self.tiers.item(r, 1).text(), f"{self.tiers.item(r, 0).text()} fee")
                try:
                    hours = Decimal(self.tiers.item(r, 2).text().strip())
                except ArithmeticError:
                    raise ValueError(f"{self.tiers.item(r, 0).text()} content hours: "
                                     f"'{self.tiers.item(r, 2).text()}' is not a number") from None
                tiers.append((code, fee, self.tiers.item(r, 3).text(), hours))
        except (ValueError, Exception) as exc:  # noqa: BLE001 - UserError or ValueError
            dialogs().warning(self, "Tiers not saved", str(exc))
            return
        targets = []
        for r in range(self.policies.rowCount()):
            tier_code, priority = self.policies.item(r, 0).data(Qt.ItemDataRole.UserRole)
            targets.append((tier_code, priority, self.policies.cellWidget(r, 2).currentText(),
                            round(self.policies.cellWidget(r, 3).value() * 60),
                            round(self.policies.cellWidget(r, 4).value() * 60)))
        db = self.context.db

        def work() -> int:
            with db.transaction() as session:
                for code, fee, channels, hours in tiers:
                    policy.update_tier(session, code, monthly_fee=fee, channels=channels,
                                       content_hours=hours)
                changed = 0
                for tier_code, priority, clock, response, resolution in targets:
                    changed += policy.update_policy(session, tier_code, priority, clock=clock,
                                                    response_minutes=response,
                                                    resolution_minutes=resolution)
                return changed

        def done(remeasured: int) -> None:
            self.context.events.changed.emit("settings", None)
            dialogs().information(self, "Saved", "Tiers and SLA targets saved."
                                  + (f" {remeasured} open tickets re-measured." if remeasured else ""))

        self.context.runner.run(work, done, lambda exc: dialogs().warning(
            self, "Tiers not saved", describe_error(exc)))


class HolidaysTab(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Days without business hours. SLA clocks and maintenance due dates "
                                "skip them."))
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("holidays_table")
        self.table.setHorizontalHeaderLabels(["Date", "Day", "Holiday"])
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.day = QDateEdit(QDate.currentDate())
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.name = QLineEdit()
        self.name.setPlaceholderText("Name, e.g. Diwali")
        add = QPushButton("Add holiday")
        add.setObjectName("add_holiday")
        add.clicked.connect(self.add)
        remove = QPushButton("Remove selected")
        remove.clicked.connect(self.remove)
        india = QPushButton("Add India's holidays for next year")
        india.clicked.connect(self.add_india)
        for w in (self.day, self.name, add, remove, india):
            row.addWidget(w)
            w.setEnabled(not context.read_only)
        layout.addLayout(row)
        self.refresh()

    def refresh(self) -> None:
        with self.context.db.session() as session:
            rows = policy.list_holidays(session)
        self.table.setRowCount(len(rows))
        for r, (day, name) in enumerate(rows):
            item = QTableWidgetItem(day.isoformat())
            item.setData(Qt.ItemDataRole.UserRole, day)
            self.table.setItem(r, 0, item)
            self.table.setItem(r, 1, QTableWidgetItem(day.strftime("%A")))
            self.table.setItem(r, 2, QTableWidgetItem(name))

    def _run(self, work, title: str) -> None:  # noqa: ANN001
        db = self.context.db

        def job():  # noqa: ANN202
            with db.transaction() as session:
                return work(session)

        def done(_result) -> None:  # noqa: ANN001
            self.refresh()
            self.context.events.changed.emit("settings", None)

        self.context.runner.run(job, done, lambda exc: dialogs().warning(
            self, title, describe_error(exc)))

    def add(self) -> None:
        day = self.day.date().toPython()
        name = self.name.text()
        self._run(lambda s: policy.add_holiday(s, day, name), "Holiday not added")
        self.name.clear()

    def remove(self) -> None:
        days = sorted({self.table.item(i.row(), 0).data(Qt.ItemDataRole.UserRole)
                       for i in self.table.selectedIndexes()})
        if days:
            self._run(lambda s: [policy.remove_holiday(s, d) for d in days], "Holiday not removed")

    def add_india(self) -> None:
        year = date.today().year + 1
        self._run(lambda s: policy.add_india_holidays(s, year), "Holidays not added")


class SettingsView(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        layout = QVBoxLayout(self)
        title = QLabel("<h2>Settings</h2>")
        layout.addWidget(title)
        if context.read_only:
            layout.addWidget(QLabel("This is a read-only offline snapshot: settings cannot be "
                                    "changed."))
        self.tabs = QTabWidget()
        self.agency = AgencyTab(context)
        self.tiers = TiersTab(context)
        self.holidays = HolidaysTab(context)
        self.tabs.addTab(self.agency, "Agency")
        self.tabs.addTab(self.tiers, "Tiers and SLA")
        self.tabs.addTab(self.holidays, "Holidays")
        editor_class = load_view_class(
            "desktop.views.settings.templates:MaintenanceTemplatesEditor")
        if editor_class is not None:
            self.tabs.addTab(editor_class(context, self), "Maintenance templates")
        layout.addWidget(self.tabs)

    def refresh(self) -> None:
        self.tiers.refresh()
        self.holidays.refresh()
