"""The queue view: model contract, filtering, sorting, searching, saved views, live SLA column."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from desktop.models import Ticket
from desktop.services import queue as q
from tests.queue_data import add_tickets, make_world

UTC = timezone.utc


@pytest.fixture
def world(app_context):
    with app_context.db.transaction() as s:
        world = make_world(s)
        add_tickets(s, world, 60, datetime.now(UTC))
    return world


@pytest.fixture
def queue_view(qtbot, app_context, world):
    from desktop.views.queue.view import QueueView

    view = QueueView(app_context)
    qtbot.addWidget(view)
    view.resize(1300, 700)
    view.show()
    qtbot.waitUntil(lambda: not view.model.loading and view.model.total > 0, timeout=10_000)
    return view


def wait_loaded(qtbot, view):
    qtbot.waitUntil(lambda: not view.model.loading, timeout=10_000)
    view.context.runner.wait_idle()
    qtbot.waitUntil(lambda: not view.model.loading, timeout=10_000)


def column_values(view, key, role=Qt.ItemDataRole.DisplayRole):
    from desktop.views.queue.model import COLUMN_KEYS

    model = view.model
    column = COLUMN_KEYS.index(key)
    return [model.data(model.index(r, column), role) for r in range(model.rowCount())]


def db_tickets(context):
    from sqlalchemy.orm import selectinload

    with context.db.session() as s:
        return s.scalars(select(Ticket).options(selectinload(Ticket.client))).all()


def test_model_passes_qabstractitemmodeltester(qtmodeltester, queue_view):
    queue_view.model.set_filter(q.QueueFilter())
    qtmodeltester.check(queue_view.model, force_py=True)


def test_opens_on_all_open_sorted_by_sla(queue_view):
    tickets = db_tickets(queue_view.context)
    open_count = sum(t.status in q.OPEN for t in tickets)
    assert queue_view.views.currentText() == "All open"
    assert queue_view.model.total == open_count
    assert queue_view.count_label.text() == f"{open_count} tickets"
    statuses = set(column_values(queue_view, "status"))
    assert statuses <= {"New", "Acknowledged", "In progress", "Waiting on client"}
    ids = [queue_view.model.ticket_id(r) for r in range(queue_view.model.total)]
    dues = {t.id: t.sla_due_at for t in tickets}
    running = [dues[i] for i in ids if dues[i] is not None]
    assert running == sorted(running)


def test_filter_by_priority_button(qtbot, queue_view):
    button = queue_view.priority_filter
    with qtbot.waitSignal(queue_view.model.loaded, timeout=10_000):
        button._actions["critical"].trigger()
    wait_loaded(qtbot, queue_view)
    assert set(column_values(queue_view, "priority")) == {"Critical"}
    assert button.text().startswith("Priority: Critical")
    assert queue_view.views.currentText() == "Custom filter"
    expected = sum(t.priority == "critical" and t.status in q.OPEN
                   for t in db_tickets(queue_view.context))
    assert queue_view.model.total == expected


def test_search_field_filters_by_words_and_client(qtbot, queue_view):
    queue_view.use_view("All tickets")
    wait_loaded(qtbot, queue_view)
    with qtbot.waitSignal(queue_view.model.loaded, timeout=10_000):
        qtbot.keyClicks(queue_view.search, "kaveri typo")
    wait_loaded(qtbot, queue_view)
    expected = {t.number for t in db_tickets(queue_view.context)
                if t.client.name == "Kaveri Ayurveda" and "typo" in t.title.lower()}
    assert {int(v[1:]) for v in column_values(queue_view, "number")} == expected
    assert queue_view.model.total == len(expected)


def test_sorting_by_clicking_headers(qtbot, queue_view):
    from desktop.views.queue.model import COLUMN_KEYS

    header = queue_view.table.horizontalHeader()
    with qtbot.waitSignal(queue_view.model.loaded, timeout=10_000):
        header.sectionClicked.emit(COLUMN_KEYS.index("priority"))
    wait_loaded(qtbot, queue_view)
    order = ["Critical", "High", "Medium", "Low"]
    values = column_values(queue_view, "priority")
    assert values == sorted(values, key=order.index)
    with qtbot.waitSignal(queue_view.model.loaded, timeout=10_000):
        header.sectionClicked.emit(COLUMN_KEYS.index("priority"))
    wait_loaded(qtbot, queue_view)
    values = column_values(queue_view, "priority")
    assert values == sorted(values, key=order.index, reverse=True)
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    # the title is not sortable (no index over a million titles): nothing changes
    header.sectionClicked.emit(COLUMN_KEYS.index("title"))
    assert queue_view.model.sort_spec == q.QueueSort("priority", True)
    assert header.sortIndicatorSection() == COLUMN_KEYS.index("priority")


def test_saved_view_round_trip(qtbot, queue_view, app_context):
    queue_view.set_filter(q.QueueFilter(priorities=("high",), statuses=("new",)))
    wait_loaded(qtbot, queue_view)
    queue_view.sort_by("number", True)
    wait_loaded(qtbot, queue_view)
    queue_view.save_view("New high")
    assert "New high" in queue_view.view_names()
    assert app_context.ui.document("queue.saved_views")["New high"]["filter"]["priorities"] == \
        ["high"]
    queue_view.use_view("All tickets")
    wait_loaded(qtbot, queue_view)
    assert queue_view.model.filter == q.QueueFilter()
    queue_view.use_view("New high")
    wait_loaded(qtbot, queue_view)
    assert queue_view.model.filter.priorities == ("high",)
    assert queue_view.model.sort_spec == q.QueueSort("number", True)
    assert set(column_values(queue_view, "status")) <= {"New"}
    queue_view.delete_view("New high")
    assert "New high" not in queue_view.view_names()


def test_builtin_views(qtbot, queue_view, app_context, world):
    queue_view.use_view("Unassigned")
    wait_loaded(qtbot, queue_view)
    assert set(column_values(queue_view, "assignee")) <= {"Unassigned"}
    queue_view.use_view("Waiting on client")
    wait_loaded(qtbot, queue_view)
    assert set(column_values(queue_view, "status")) <= {"Waiting on client"}
    assert set(column_values(queue_view, "sla")) <= {"Paused", "Breached"}
    queue_view.use_view("Breached")
    wait_loaded(qtbot, queue_view)
    from desktop.views.queue.model import SlaStateRole

    assert set(column_values(queue_view, "sla", SlaStateRole)) == {"breached"}


def test_dashboard_click_through(qtbot, queue_view):
    queue_view.apply_filter(view="At risk")
    wait_loaded(qtbot, queue_view)
    assert queue_view.views.currentText() == "At risk"
    queue_view.apply_filter(priorities=["critical"], statuses=["new"])
    wait_loaded(qtbot, queue_view)
    assert queue_view.model.filter == q.QueueFilter(statuses=("new",), priorities=("critical",))
    assert queue_view.status_filter.values() == ("new",)


def test_state_persists(qtbot, app_context, world, queue_view):
    from desktop.views.queue.view import QueueView

    queue_view.use_view("Unassigned")
    wait_loaded(qtbot, queue_view)
    queue_view.sort_by("updated", True)
    wait_loaded(qtbot, queue_view)
    queue_view.save_state()
    again = QueueView(app_context)
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: not again.model.loading and again.model.total > 0, timeout=10_000)
    assert again.views.currentText() == "Unassigned"
    assert again.model.sort_spec == q.QueueSort("updated", True)


def test_sla_column_counts_down_without_querying(qtbot, queue_view, monkeypatch):
    queue_view.use_view("All open")
    wait_loaded(qtbot, queue_view)
    model = queue_view.model
    before = column_values(queue_view, "sla")

    def no_query(*args, **kwargs):  # noqa: ANN002, ANN003
        raise AssertionError("the minute tick must not query the database")

    monkeypatch.setattr(q, "fetch_window", no_query)
    monkeypatch.setattr(q, "fetch_page", no_query)
    with qtbot.waitSignal(model.dataChanged, timeout=2000):
        model.tick()
    model.now = model.now + timedelta(hours=72)  # as if three days went by (every due passed)
    after = column_values(queue_view, "sla")
    assert before != after
    assert all(text.endswith("over") or text in ("Paused", "Breached", "Met", "—")
               for text in after if text)


@pytest.mark.parametrize("small_queue", [20_000, 100])
def test_big_queue_pages_in_windows(qtbot, app_context, world, monkeypatch, small_queue):
    """Over WINDOW rows the model holds a window and fetches another when scrolled; with the
    small-queue limit lowered, the windows come from the SQL index walk."""
    from desktop.views.queue import model as model_module
    from desktop.views.queue.view import QueueView

    monkeypatch.setattr(q, "SMALL_QUEUE", small_queue)
    with app_context.db.transaction() as s:
        add_tickets(s, world, 500, datetime.now(UTC), seed=3)
    view = QueueView(app_context)
    qtbot.addWidget(view)
    view.resize(1200, 600)
    view.show()
    view.use_view("All tickets")
    qtbot.waitUntil(lambda: not view.model.loading and view.model.total == 560, timeout=10_000)
    model = view.model
    assert len(model.rows) == model_module.WINDOW
    last = model.total - 1
    assert model.row_at(last) is None
    with qtbot.waitSignal(model.loaded, timeout=10_000):
        model.data(model.index(last, 2))  # painting the last row asks for its window
    assert model.row_at(last) is not None
    with app_context.db.session() as s:
        expected = q.QueueQuery(s, q.QueueFilter(), q.QueueSort(),
                                datetime.now(UTC)).sorted_ids()
    assert model.ticket_id(last) == expected[-1]
    assert (model.ids is None) == (small_queue == 100)


def test_read_only_snapshot_offers_no_editing(qtbot, app_context, world, tmp_path,
                                              dialogs_script):
    from desktop.app import build_context
    from desktop.storage.database import open_database
    from desktop.views.queue.view import QueueView
    from desktop.views.ui_settings import UiSettings

    snapshot = open_database(str(app_context.db.url.render_as_string(hide_password=False)),
                             read_only=True)
    context = build_context(snapshot, app_context.runner, UiSettings(str(tmp_path / "ro.ini")))
    try:
        view = QueueView(context)
        qtbot.addWidget(view)
        view.show()
        qtbot.waitUntil(lambda: not view.model.loading and view.model.total > 0,
                        timeout=10_000)
        assert not view.new_button.isEnabled()
        view.new_ticket()
        assert dialogs_script.shown[-1][2] == "This database is open read-only."
        with qtbot.waitSignal(view.workspace.loaded, timeout=10_000):
            view.open_ticket(view.model.ticket_id(0))
        workspace = view.workspace
        assert not workspace.composer.isEnabled() and not workspace.log_button.isEnabled()
        assert all(not b.isEnabled() for b in workspace.status_buttons.values())
    finally:
        app_context.runner.wait_idle()
        snapshot.dispose()
