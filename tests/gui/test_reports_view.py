"""The Reports view: export with progress, preview, manager's text, Send…"""
from __future__ import annotations

import email
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_report_world import TRICKY, build_world  # noqa: E402

from desktop.models import ReportNote, SentReport  # noqa: E402


@pytest.fixture
def view(qtbot, app_context, tmp_path, monkeypatch):
    with app_context.db.transaction() as session:
        build_world(session)
    from desktop.views.reports import view as module

    opened = []
    monkeypatch.setattr(module, "open_url", lambda url: opened.append(url.toLocalFile()) or True)
    widget = module.ReportsView(app_context)
    widget.opened = opened
    qtbot.addWidget(widget)
    widget.resize(1100, 720)
    widget.folder.setText(str(tmp_path / "out"))
    qtbot.waitUntil(lambda: widget.client_list.count() == 1)
    return widget


def _choose(view, kind: str, period: str) -> None:
    view.kind.setCurrentIndex(view.kind.findData(kind))
    index = view.period.findData(period)
    if index < 0:
        view.period.addItem(period, period)
        index = view.period.findData(period)
    view.period.setCurrentIndex(index)


def test_export_one_client_writes_the_pdf_and_lists_it(qtbot, view, tmp_path):
    _choose(view, "monthly", "2026-03")
    view.set_checked({view.client_list.item(0).data(256)})
    with qtbot.waitSignal(view._progress.finished, timeout=30000):
        view.export_button.click()
    qtbot.waitUntil(lambda: not view.is_busy())
    pdf = tmp_path / "out" / "Acme-Traders_monthly_2026-03.pdf"
    assert pdf.is_file()
    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Acme Traders" in text and "March 2026" in text
    assert view.results.count() == 1
    assert "1 report(s) written" in view.status.text()
    view.open_pdf.click()
    assert view.opened == [str(pdf)]


def test_manager_text_is_saved_and_printed(qtbot, view, tmp_path, app_context):
    _choose(view, "quarterly", "2026-Q1")
    view.client_list.setCurrentRow(0)
    qtbot.waitUntil(lambda: "Move to Premium" in view.note.toPlainText())
    view.note.setPlainText("Add a CDN. " + TRICKY)
    view.save_note.click()
    qtbot.waitUntil(lambda: view.status.text() == "Text saved.")
    with app_context.db.session() as session:
        body = session.scalar(select(ReportNote.body).where(
            ReportNote.kind == "quarterly_recommendations", ReportNote.period == "2026-Q1"))
    assert body == "Add a CDN. " + TRICKY


def test_preview_shows_the_first_page(qtbot, view):
    _choose(view, "monthly", "2026-03")
    view.client_list.setCurrentRow(0)
    view.preview_button.click()
    qtbot.waitUntil(lambda: view.preview_image.pixmap() is not None
                    and not view.preview_image.pixmap().isNull(), timeout=30000)
    assert view.preview_image.pixmap().width() >= 400


def test_send_writes_a_draft_with_the_pdf_and_records_it(qtbot, view, tmp_path, app_context):
    _choose(view, "monthly", "2026-03")
    view.set_checked({view.client_list.item(0).data(256)})
    with qtbot.waitSignal(view._progress.finished, timeout=30000):
        view.export_button.click()
    qtbot.waitUntil(lambda: view.send_button.isEnabled())
    view.send_button.click()
    draft = tmp_path / "out" / "Acme-Traders_monthly_2026-03.eml"
    qtbot.waitUntil(lambda: str(draft) in view.opened, timeout=10000)
    message = email.message_from_bytes(draft.read_bytes())
    assert "ravi@acme.example" in message["To"] and "asha@acme.example" in message["To"]
    assert message["X-Unsent"] == "1"
    attachments = [part.get_filename() for part in message.walk() if part.get_filename()]
    assert attachments == ["Acme-Traders_monthly_2026-03.pdf"]
    with app_context.db.session() as session:
        sent = session.scalars(select(SentReport)).all()
    assert [(s.kind, s.period) for s in sent] == [("monthly", "2026-03")]
    assert sent[0].recipients == "ravi@acme.example, asha@acme.example"


def test_no_client_ticked_says_so(qtbot, view, dialogs_script):
    view.set_checked(set())
    assert not view.export_button.isEnabled()
    view.export()
    assert dialogs_script.shown[-1][2] == "Tick at least one client."


def test_progress_and_cancel_keep_the_window_responsive(qtbot, view, monkeypatch,
                                                         app_context, tmp_path):
    import threading

    from desktop.models import Client
    from desktop.views.reports import view as module

    with app_context.db.transaction() as session:
        session.add(Client(name="Bharat Foods"))
    view.refresh()
    qtbot.waitUntil(lambda: view.client_list.count() == 2)
    gate, started = threading.Event(), threading.Event()
    written = []

    def slow_export(session, client_id, kind, period, target, now=None):  # noqa: ANN001
        started.set()
        assert gate.wait(10)
        Path(target).write_bytes(b"%PDF-1.4\n")
        written.append(target)
        return Path(target)

    monkeypatch.setattr(module.report_export, "export_one", slow_export)
    _choose(view, "monthly", "2026-03")
    view.select_all.click()
    view.export_button.click()
    assert started.wait(10)
    assert view.progress.isVisible() or not view.isVisible()
    assert view.cancel_button.isEnabled() and not view.export_button.isEnabled()
    view.filter.setText("Bharat")            # the window still answers while exporting
    assert view.client_list.item(0).isHidden() and not view.client_list.item(1).isHidden()
    view.cancel_button.click()
    with qtbot.waitSignal(view._progress.finished, timeout=10000):
        gate.set()
    assert len(written) == 1                 # the second client was not started
    assert view.status.text().startswith("Cancelled. 1 report(s) written")
    assert view.export_button.isEnabled() and not view.cancel_button.isEnabled()


def test_switching_period_saves_what_was_typed(qtbot, view, app_context):
    _choose(view, "monthly", "2026-03")
    view.client_list.setCurrentRow(0)
    qtbot.waitUntil(lambda: "calm" in view.note.toPlainText())
    view.note.setPlainText("March went well.")
    _choose(view, "monthly", "2026-02")
    qtbot.waitUntil(lambda: view.note.toPlainText() == "" and view.save_note.isEnabled())
    with app_context.db.session() as session:
        body = session.scalar(select(ReportNote.body).where(
            ReportNote.kind == "monthly_summary", ReportNote.period == "2026-03"))
    assert body == "March went well."


def test_a_text_saved_meanwhile_by_someone_else_is_shown_and_chosen(qtbot, view, app_context,
                                                                     dialogs_script):
    from desktop.services import report_data as rd

    _choose(view, "quarterly", "2026-Q1")
    view.client_list.setCurrentRow(0)
    qtbot.waitUntil(lambda: "Move to Premium" in view.note.toPlainText())
    client_id = view.current_client()[0]
    with app_context.db.transaction() as session:   # a colleague saves first
        note = rd.get_report_note(session, client_id, "quarterly_recommendations", "2026-Q1")
        rd.save_report_note(session, client_id, "quarterly_recommendations", "2026-Q1",
                            "Theirs: add a CDN.", note.version)
    dialogs_script.answers.append(True)             # keep mine
    view.note.setPlainText("Mine: move to Premium.")
    view.save_note.click()
    qtbot.waitUntil(lambda: view.status.text() == "Text saved.", timeout=10000)
    question = next(s for s in dialogs_script.shown if s[0] == "question")
    assert "Theirs: add a CDN." in question[2] and "Mine: move to Premium." in question[2]
    with app_context.db.session() as session:
        assert rd.get_report_note(session, client_id, "quarterly_recommendations",
                                  "2026-Q1").body == "Mine: move to Premium."


def test_offline_snapshot_can_export_but_not_write(qtbot, view, app_context):
    app_context.db.read_only = True
    try:
        _choose(view, "monthly", "2026-03")
        view.client_list.setCurrentRow(0)
        qtbot.waitUntil(lambda: "calm" in view.note.toPlainText())
        assert view.note.isReadOnly() and not view.save_note.isEnabled()
        view.set_checked({view.client_list.item(0).data(256)})
        assert view.export_button.isEnabled()
        assert not view.send_button.isEnabled()
    finally:
        app_context.db.read_only = False


def test_apply_filter_opens_on_a_client_type_and_period(qtbot, view):
    client_id = view.client_list.item(0).data(256)
    view.apply_filter(client_id=client_id, kind="quarterly")
    assert view.current_kind() == "quarterly"
    assert view.checked_clients() == [(client_id, "Acme Traders")]
    qtbot.waitUntil(lambda: view.save_note.isEnabled())
