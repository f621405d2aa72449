"""Helpers for the shared-database tests (issue 7): a small client with one ticket, and a TCP
proxy in front of PostgreSQL that a test can cut and restore like a network."""
from __future__ import annotations

import socket
import threading
from datetime import datetime, timezone


def make_ticket(db, title: str = "Contact form returns 500", number: int = 1) -> int:  # noqa: ANN001
    """One client and one ticket, committed; returns the ticket id."""
    from desktop.models import Client, Ticket

    created = datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)
    with db.transaction() as session:
        client = session.query(Client).filter_by(name="Acme & Sons <Ltd>").one_or_none()
        if client is None:
            client = Client(name="Acme & Sons <Ltd>", email="ops@acme.example")
            session.add(client)
            session.flush()
        ticket = Ticket(number=number, client_id=client.id, title=title,
                        description="Submitting the form shows an error page.",
                        priority="high", status="new", category="bug_fix", channel="email",
                        created_at=created, updated_at=created)
        session.add(ticket)
        session.flush()
        return ticket.id


class TcpProxy:
    """Forwards 127.0.0.1:<port> to the PostgreSQL server; ``cut()`` drops every connection
    and refuses new ones (the network is gone), ``restore()`` brings it back on the same port."""

    def __init__(self, target_host: str = "127.0.0.1", target_port: int = 5432) -> None:
        self.target = (target_host, target_port)
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self._server: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self.restore()

    def restore(self) -> None:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(16)
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        if self._server is not None:
            try:
                self._server.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
            except OSError:
                pass
            self._server.close()
            self._server = None
        with self._lock:
            conns, self._conns = self._conns, []
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()

    def close(self) -> None:
        self.cut()


def fill_small_agency(db) -> None:  # noqa: ANN001
    """Two clients with contacts, contracts, tickets with events and time, and maintenance
    occurrences with figures: enough of everything for a copy to have something to get wrong."""
    from datetime import date
    from decimal import Decimal

    from desktop.models import (Client, Contact, Contract, Occurrence, StaffUser, Ticket,
                                TicketEvent, TimeEntry)

    at = datetime(2026, 10, 5, 4, 30, tzinfo=timezone.utc)
    with db.transaction() as session:
        anita = StaffUser(username="anita", display_name="Anita Rao")
        session.add(anita)
        for n, (name, tier, fee) in enumerate([("Acme & Sons <Ltd>", "premium", "60000.00"),
                                               ("Café Ünïcode", "standard", "30000.00")], 1):
            client = Client(name=name, email=f"ops{n}@example.com",
                            notes="Prefers calls — never before 10:00")
            client.contacts.append(Contact(name=f"Contact {n}", email=f"c{n}@example.com",
                                           role="owner"))
            contract = Contract(tier_code=tier, start=date(2026, 1, 1), end=date(2026, 12, 31),
                                monthly_fee=Decimal(fee), content_minutes_allowance=240 * n)
            client.contracts.append(contract)
            session.add(client)
            session.flush()
            for k in range(3):
                ticket = Ticket(number=n * 100 + k, client_id=client.id, contract_id=contract.id,
                                title=f"Ticket {k} for {name}", description="Détails: <b>&</b>",
                                priority=("critical", "high", "low")[k], status="in_progress",
                                category="bug_fix", channel="email", created_at=at,
                                updated_at=at, assignee=anita, response_due_at=at,
                                sla_due_at=at, resolution_used_minutes=17 * k)
                ticket.events.append(TicketEvent(at=at, type="reply", author=anita, public=True,
                                                 body="We are on it.", data={"b": 1, "a": [2]}))
                ticket.time_entries.append(TimeEntry(work_date=date(2026, 10, 5), minutes=45,
                                                     category="bug_fix", note="fixed",
                                                     author=anita))
                session.add(ticket)
            session.add(Occurrence(contract_id=contract.id, client_id=client.id,
                                   task="backup_verification", name="Backup verification",
                                   cadence="monthly", period_key="2026-10", due=date(2026, 10, 30),
                                   done_at=at, done_by=anita, outcome="ok", notes="restored",
                                   figures={"restore_tested": True, "size": "1.2 GB"}))
