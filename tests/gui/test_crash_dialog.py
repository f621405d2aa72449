"""An unhandled exception shows what happened and where the log is, with copyable details."""
import sys

from PySide6.QtGui import QGuiApplication

from desktop.views.main_window import MainWindow


def test_unhandled_exception_opens_the_crash_dialog_and_logs(qtbot, app_context):
    from desktop.logs import log_file, setup_logging

    setup_logging()
    window = MainWindow(app_context)
    qtbot.addWidget(window)
    try:
        raise RuntimeError("queue <b>exploded</b>")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    dialog = window._crash_dialog
    assert dialog.isVisible()
    assert "RuntimeError" in dialog.details and "queue <b>exploded</b>" in dialog.details
    dialog.copy_button.click()
    assert "Traceback" in QGuiApplication.clipboard().text()
    assert "queue <b>exploded</b>" in log_file().read_text(encoding="utf-8")
    dialog.close()
    sys.excepthook = window._previous_excepthook
