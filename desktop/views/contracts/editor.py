"""The contract editor (DESIGN §2, §4): client, tier, period, monthly fee (exact, ₹), content
allowance, notes. It checks as you type — the end after the start, a warranty 30–90 days from
the handover date, a fee of zero or more — and saves on the worker. The same dialog renews a
contract: it opens with the next period filled in from the current one."""
from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from decimal import Decimal

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QSpinBox,
                               QVBoxLayout, QWidget)

from desktop.errors import StaleDataError, UserError
from desktop.models.enums import TierCode
from desktop.services.clients import FieldError
from desktop.services.contracts import (WARRANTY_MAX_DAYS, WARRANTY_MIN_DAYS, ContractInput,
                                        TierChoice, contract_field_errors, create_contract,
                                        input_from_fields, renew_contract, update_contract)
from desktop.services.dashboard import hours_text
from desktop.services.money import format_money, parse_money
from desktop.views.context import AppContext
from desktop.views.worker import describe_error

FIELD_LABELS = {"client_id": "Client", "tier_code": "Tier", "start": "Start", "end": "End",
                "monthly_fee": "Monthly fee", "currency": "Currency",
                "content_minutes_allowance": "Content minutes per month",
                "handover_date": "Handover date", "notes": "Notes"}
WARRANTY = TierCode.WARRANTY.value


def resolve_conflict(parent, error):  # noqa: ANN001, ANN201 - replaced in tests
    """Both versions side by side; the merged fields, or None to keep editing."""
    from desktop.views.conflicts.dialog import ask_to_resolve

    return ask_to_resolve(parent, error, labels=FIELD_LABELS)


def to_qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def from_qdate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def period_text(start: date, end: date) -> str:
    """``1 Jan–31 Dec`` → ``12 months (365 days)``; the end date is inclusive."""
    days = (end - start).days + 1
    if days <= 0:
        return ""
    span = relativedelta(end + timedelta(days=1), start)
    months = span.years * 12 + span.months
    if span.days == 0 and months:
        return f"{months} month{'s' if months != 1 else ''} ({days} days)"
    return f"{days} days"


class ContractDialog(QDialog):
    """``mode`` is ``new``, ``edit`` (``contract_id`` and ``version`` given) or ``renew``
    (``renew_from`` given). ``saved`` carries the saved contract's id."""

    saved = Signal(int)

    def __init__(self, context: AppContext, clients: list[tuple[int, str]],
                 tiers: list[TierChoice], data: ContractInput, *, mode: str = "new",
                 contract_id: int | None = None, version: int | None = None,
                 renew_from: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.mode = mode
        self.contract_id = contract_id
        self.version = version
        self.renew_from = renew_from
        self.tiers = {t.code: t for t in tiers}
        self._handover = data.handover_date
        self.setMinimumWidth(640)

        self.client = QComboBox(objectName="client")
        for client_id, name in clients:
            self.client.addItem(name, client_id)
        self.tier = QComboBox(objectName="tier")
        for tier in tiers:
            extra = "included" if tier.code == WARRANTY else \
                f"{format_money(tier.monthly_fee, tier.currency)}/month"
            if tier.content_minutes:
                extra += f", {hours_text(tier.content_minutes)} content"
            self.tier.addItem(f"{tier.name} — {extra}", tier.code)
        self.start = self._date_edit("start")
        self.end = self._date_edit("end")
        self.length = QLabel(objectName="length")
        self.length.setStyleSheet("color: #616161;")
        period = QHBoxLayout()
        period.addWidget(self.start)
        period.addWidget(QLabel("to"))
        period.addWidget(self.end)
        period.addWidget(self.length, 1)
        self.fee = QLineEdit(objectName="fee", placeholderText="30,000.00")
        self.fee_shown = QLabel(objectName="fee_shown")
        self.fee_shown.setStyleSheet("color: #616161;")
        fee_row = QHBoxLayout()
        fee_row.addWidget(self.fee)
        fee_row.addWidget(self.fee_shown, 1)
        self.currency = QLineEdit(objectName="currency")
        self.currency.setMaxLength(3)
        self.currency.setFixedWidth(60)
        fee_row.addWidget(QLabel("Currency"))
        fee_row.addWidget(self.currency)
        self.allowance = QSpinBox(objectName="allowance")
        self.allowance.setRange(0, 100_000)
        self.allowance.setSingleStep(30)
        self.allowance.setSuffix(" min")
        self.allowance_hours = QLabel(objectName="allowance_hours")
        self.allowance_hours.setStyleSheet("color: #616161;")
        allowance_row = QHBoxLayout()
        allowance_row.addWidget(self.allowance)
        allowance_row.addWidget(self.allowance_hours, 1)
        self.notes = QPlainTextEdit(objectName="notes")
        self.notes.setFixedHeight(70)

        self.form = QFormLayout()
        self.form.addRow("&Client", self.client)
        self.form.addRow("&Tier", self.tier)
        self.start_label = QLabel("&Period")
        self.start_label.setBuddy(self.start)
        self.form.addRow(self.start_label, period)
        fee_label = QLabel("Monthly &fee")
        fee_label.setBuddy(self.fee)
        allowance_label = QLabel("Content &allowance")
        allowance_label.setBuddy(self.allowance)
        self.form.addRow(fee_label, fee_row)
        self.form.addRow(allowance_label, allowance_row)
        self.form.addRow("&Notes", self.notes)
        self.hint = QLabel(objectName="hint")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #616161;")
        self.errors = QLabel(objectName="errors")
        self.errors.setWordWrap(True)
        self.errors.setTextFormat(Qt.TextFormat.PlainText)
        self.errors.setStyleSheet("color: #b71c1c;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("save")
        if mode == "renew":
            self.save_button.setText("&Renew")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.hint)
        layout.addWidget(self.errors)
        layout.addWidget(self.buttons)

        self.load(data)
        self.client.setEnabled(mode == "new")
        self._last_tier = self.tier.currentData()
        self.tier.currentIndexChanged.connect(self._tier_changed)
        for signal in (self.start.dateChanged, self.end.dateChanged, self.fee.textChanged,
                       self.currency.textChanged, self.allowance.valueChanged,
                       self.client.currentIndexChanged):
            signal.connect(self.check)
        client_name = self.client.currentText()
        self.setWindowTitle({"new": "New contract", "edit": f"Edit contract — {client_name}",
                             "renew": f"Renew contract — {client_name}"}[mode])
        self.check()

    def _date_edit(self, name: str) -> QDateEdit:
        edit = QDateEdit(objectName=name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("dd MMM yyyy")
        edit.setDateRange(QDate(2000, 1, 1), QDate(2100, 12, 31))
        return edit

    # the form ------------------------------------------------------------------------------
    def load(self, data: ContractInput) -> None:
        index = self.client.findData(data.client_id)
        self.client.setCurrentIndex(index if index >= 0 else (0 if data.client_id is None
                                                             and self.client.count() else -1))
        index = self.tier.findData(data.tier_code)
        self.tier.setCurrentIndex(max(index, 0))
        today = date.today()
        self.start.setDate(to_qdate(data.start or today))
        self.end.setDate(to_qdate(data.end or (data.start or today) + timedelta(days=364)))
        self.fee.setText(f"{data.monthly_fee:,.2f}" if data.monthly_fee is not None else "")
        self.currency.setText(data.currency or "INR")
        self.allowance.setValue(int(data.content_minutes_allowance or 0))
        self.notes.setPlainText(data.notes or "")
        self._handover = data.handover_date
        self._last_tier = self.tier.currentData()
        self._show_tier_hint()

    def _tier_changed(self) -> None:
        """A new tier brings its fee and allowance when the form still had the old tier's; a
        warranty gets a period of 30–90 days from its start (the handover)."""
        old = self.tiers.get(self._last_tier)
        new = self.tiers.get(self.tier.currentData())
        self._last_tier = self.tier.currentData()
        if new is None:
            return
        fee = self._fee_value()
        if old is None or fee is None or fee == old.monthly_fee or self.fee.text().strip() == "":
            self.fee.setText(f"{new.monthly_fee:,.2f}")
        if old is None or self.allowance.value() == old.content_minutes:
            self.allowance.setValue(new.content_minutes)
        if new.code == WARRANTY:
            start = from_qdate(self.start.date())
            days = (from_qdate(self.end.date()) - start).days
            if not WARRANTY_MIN_DAYS <= days <= WARRANTY_MAX_DAYS:
                self.end.setDate(to_qdate(start + timedelta(days=WARRANTY_MAX_DAYS)))
        self._show_tier_hint()
        self.check()

    def _show_tier_hint(self) -> None:
        warranty = self.tier.currentData() == WARRANTY
        self.start_label.setText("Handover &to end" if warranty else "&Period")
        self.hint.setText(
            f"A warranty starts on the handover date and lasts {WARRANTY_MIN_DAYS}–"
            f"{WARRANTY_MAX_DAYS} days after it." if warranty else
            "The end date is the contract's last day. Renewals are due 30 days before it.")

    def _fee_value(self) -> Decimal | None:
        """The typed fee as an exact amount; None when it is not one. More than two decimals
        are kept (not rounded away) so that the check can refuse them."""
        text = self.fee.text()
        try:
            rounded = parse_money(text, "Monthly fee")
        except UserError:
            return None
        exact = Decimal(text.replace("₹", "").replace(",", "").replace(" ", "").strip())
        return exact if exact != rounded else rounded

    def value(self) -> ContractInput:
        warranty = self.tier.currentData() == WARRANTY
        start = from_qdate(self.start.date())
        fee = self._fee_value()
        return ContractInput(
            client_id=self.client.currentData(), tier_code=self.tier.currentData() or "",
            start=start, end=from_qdate(self.end.date()),
            monthly_fee=fee if fee is not None else None,
            currency=self.currency.text().strip().upper(),
            content_minutes_allowance=self.allowance.value(),
            handover_date=start if warranty else self._handover, notes=self.notes.toPlainText(),
            renewed_from_id=self.renew_from)

    def field_errors(self) -> list[FieldError]:
        data = self.value()
        errors = []
        if data.client_id is None:
            errors.append(FieldError("client", "Choose the client this contract is for"))
        if data.monthly_fee is None:
            text = self.fee.text().strip()
            errors.append(FieldError("fee", "Enter the monthly fee" if not text else
                                     f"Monthly fee: '{text}' is not an amount"))
            data.monthly_fee = Decimal("0.00")  # so that the other rules are still checked
        errors.extend(contract_field_errors(data))
        return errors

    def check(self) -> bool:
        """Show what is wrong as the user types; Save is enabled only when nothing is."""
        data = self.value()
        if data.end < data.start:
            self.length.setText("")
        elif data.tier_code == WARRANTY:
            self.length.setText(f"{(data.end - data.start).days} days after the handover")
        else:
            self.length.setText(period_text(data.start, data.end))
        if data.monthly_fee is not None:
            self.fee_shown.setText(format_money(data.monthly_fee, data.currency or "INR")
                                   if len(data.currency or "") == 3 else "")
        else:
            self.fee_shown.setText("")
        self.allowance_hours.setText(f"= {hours_text(self.allowance.value())} per month")
        errors = self.field_errors()
        self.errors.setText("\n".join(e.message for e in errors))
        self.save_button.setEnabled(not errors and not self.context.read_only)
        return not errors

    # saving --------------------------------------------------------------------------------
    def save(self) -> None:
        if not self.check():
            return
        self._submit(self.value(), self.version)

    def _submit(self, data: ContractInput, version: int | None) -> None:
        db, user_id = self.context.db, self.context.user_id
        mode, contract_id, renew_from = self.mode, self.contract_id, self.renew_from
        self.save_button.setEnabled(False)

        def work() -> int:
            with db.transaction() as session:
                if mode == "edit":
                    update_contract(session, contract_id, version, data, user_id)
                    return contract_id
                if mode == "renew":
                    return renew_contract(session, renew_from, user_id, draft=data)
                return create_contract(session, data, user_id)

        self.context.runner.run(work, self._saved, self._failed)

    def _saved(self, contract_id: int) -> None:
        self.contract_id = contract_id
        self.context.events.changed.emit("contract", contract_id)
        self.saved.emit(contract_id)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.check()
        if isinstance(exc, StaleDataError):
            merged = resolve_conflict(self, exc)
            if merged is not None:
                data = input_from_fields(merged, self.renew_from)
                self.load(data)
                if exc.theirs_version is not None:
                    self.version = exc.theirs_version
                self._submit(data, self.version)
            return
        self.errors.setText(str(exc) if isinstance(exc, UserError) else describe_error(exc))
