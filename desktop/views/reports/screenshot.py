"""The Reports view's README screenshot (registered in scripts/screenshots.py's SHOTS)."""
from __future__ import annotations


def reports_shot(window, pump):  # noqa: ANN001, ANN201
    """The view on the busiest client with the first page of last month's report previewed."""
    view = window.show_view("reports")
    pump(1.0)
    if view.client_list.count():
        view.client_list.setCurrentRow(0)
        view.set_checked({view.client_list.item(0).data(256)})
        pump(0.5)
        view.preview()
        pump(4.0)
    return window
