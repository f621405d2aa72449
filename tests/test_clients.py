"""Clients: list with search, detail page, validation, create/edit/archive (DESIGN §4)."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.errors import StaleDataError, UserError
from desktop.models import Contract, Occurrence, SentReport, Ticket, TimeEntry
from desktop.services.clients import (ClientInput, ContactInput, archive_client, client_detail,
                                      create_client, email_error, list_clients, phone_error,
                                      update_client, validate_client)

UTC = timezone.utc
TODAY = date(2026, 3, 10)


def sharma(**overrides) -> ClientInput:
    data = ClientInput(name="Sharma Textiles", email="accounts@sharmatextiles.in",
                       phone="+91 98765 43210", website="https://sharmatextiles.in",
                       contacts=[ContactInput(name="Priya Sharma", email="priya@sharmatextiles.in",
                                              phone="+91 99887 76655", role="Owner"),
                                 ContactInput(name="Ravi Kumar", email="", role="Developer",
                                              receives_reports=False)])
    for key, value in overrides.items():
        setattr(data, key, value)
    return data


def add_ticket(session, client_id, number, status="new", priority="high", contract_id=None,
               created=datetime(2026, 3, 9, 5, 0, tzinfo=UTC), sla_due_at=None, **kw):
    ticket = Ticket(number=number, client_id=client_id, contract_id=contract_id,
                    title=f"Ticket {number}", priority=priority, status=status,
                    category="bug_fix", channel="email", created_at=created, updated_at=created,
                    sla_due_at=sla_due_at, **kw)
    session.add(ticket)
    session.flush()
    return ticket


def test_create_and_list_with_search(db):
    with db.transaction() as s:
        first = create_client(s, sharma())
        create_client(s, ClientInput(name="Kaveri Ayurveda", email="hello@kaveri.co.in",
                                     contacts=[ContactInput(name="Anand Rao",
                                                            email="anand@kaveri.co.in")]))
    with db.session() as s:
        assert [r.name for r in list_clients(s, today=TODAY)] == ["Kaveri Ayurveda",
                                                                  "Sharma Textiles"]
        # by name, case-insensitively; by a contact's name; by phone digits
        assert [r.name for r in list_clients(s, "sharma", today=TODAY)] == ["Sharma Textiles"]
        assert [r.name for r in list_clients(s, "ANAND", today=TODAY)] == ["Kaveri Ayurveda"]
        assert [r.name for r in list_clients(s, "98765", today=TODAY)] == ["Sharma Textiles"]
        assert list_clients(s, "nobody", today=TODAY) == []
        # LIKE wildcards in the search are literal
        assert list_clients(s, "%", today=TODAY) == []
        detail = client_detail(s, first, today=TODAY)
    assert detail.name == "Sharma Textiles"
    assert [c.name for c in detail.contacts] == ["Priya Sharma", "Ravi Kumar"]
    assert [c.name for c in detail.report_recipients] == ["Priya Sharma"]


def test_list_shows_tier_in_force_and_open_tickets(db):
    with db.transaction() as s:
        cid = create_client(s, sharma())
        s.add(Contract(client_id=cid, tier_code="warranty", start=date(2025, 11, 1),
                       end=date(2025, 12, 31), monthly_fee=Decimal("0")))
        s.add(Contract(client_id=cid, tier_code="standard", start=date(2026, 1, 1),
                       end=date(2026, 12, 31), monthly_fee=Decimal("30000")))
        add_ticket(s, cid, 1, status="new")
        add_ticket(s, cid, 2, status="waiting_on_client")
        add_ticket(s, cid, 3, status="resolved")
        add_ticket(s, cid, 4, status="closed")
    with db.session() as s:
        [row] = list_clients(s, today=TODAY)
    assert (row.tier_code, row.tier_name, row.contract_end) == ("standard", "Standard",
                                                                date(2026, 12, 31))
    assert row.open_tickets == 2


def test_detail_page(db):
    with db.transaction() as s:
        cid = create_client(s, sharma())
        past = Contract(client_id=cid, tier_code="basic", start=date(2025, 1, 1),
                        end=date(2025, 12, 31), monthly_fee=Decimal("15000"))
        current = Contract(client_id=cid, tier_code="standard", start=date(2026, 1, 1),
                           end=date(2026, 12, 31), monthly_fee=Decimal("30000"),
                           content_minutes_allowance=240)
        s.add_all([past, current])
        s.flush()
        late = add_ticket(s, cid, 7, priority="low", contract_id=current.id,
                          sla_due_at=datetime(2026, 3, 12, 6, 0, tzinfo=UTC))
        soon = add_ticket(s, cid, 8, priority="critical", contract_id=current.id,
                          sla_due_at=datetime(2026, 3, 10, 6, 0, tzinfo=UTC),
                          response_breached=True)
        add_ticket(s, cid, 9, status="closed", contract_id=current.id)
        # content update time: 3 h in March (allowance 4 h), 1 h in February (not counted)
        s.add_all([TimeEntry(ticket_id=late.id, work_date=date(2026, 3, 2), minutes=120,
                             category="content_update"),
                   TimeEntry(ticket_id=late.id, work_date=date(2026, 3, 9), minutes=60,
                             category="content_update"),
                   TimeEntry(ticket_id=late.id, work_date=date(2026, 3, 9), minutes=45,
                             category="bug_fix"),
                   TimeEntry(ticket_id=soon.id, work_date=date(2026, 2, 27), minutes=60,
                             category="content_update")])
        for task, due, done in [("backup_verification", date(2026, 2, 27), None),
                                ("security_scan", date(2026, 2, 27),
                                 datetime(2026, 2, 27, 9, tzinfo=UTC)),
                                ("uptime_review", date(2026, 3, 31), None),
                                ("seo_review", date(2026, 6, 30), None)]:
            s.add(Occurrence(contract_id=current.id, client_id=cid, task=task,
                             name=task.replace("_", " ").capitalize(), cadence="monthly",
                             period_key=f"{due:%Y-%m}", due=due, done_at=done))
        s.add(SentReport(client_id=cid, kind="monthly", period="2026-02",
                         sent_at=datetime(2026, 3, 2, 6, tzinfo=UTC),
                         recipients="priya@sharmatextiles.in", file_name="feb.pdf"))
    with db.session() as s:
        detail = client_detail(s, cid, today=TODAY)
    assert [(c.tier_code, c.state) for c in detail.contracts] == [("standard", "current"),
                                                                 ("basic", "past")]
    assert detail.current_contract.tier_code == "standard"
    # open tickets, nearest SLA due first
    assert [t.number for t in detail.open_tickets] == [8, 7]
    assert detail.open_tickets[0].breached
    # undone occurrences due within 30 days, the overdue one flagged; done and far ones left out
    assert [(m.name, m.overdue) for m in detail.maintenance_due] == [
        ("Backup verification", True), ("Uptime review", False)]
    assert (detail.content_minutes_used, detail.content_minutes_allowance,
            detail.content_minutes_billable) == (180, 240, 0)
    assert [(r.kind, r.period, r.recipients) for r in detail.reports_sent] == [
        ("monthly", "2026-02", "priya@sharmatextiles.in")]


@pytest.mark.parametrize("data, field, words", [
    (sharma(name="  "), "name", "Name is required"),
    (sharma(email="priya@"), "email", "not an e-mail address"),
    (sharma(email="two@a.in, three@b.in"), "email", "not an e-mail address"),
    (sharma(phone="call me"), "phone", "not a phone number"),
    (sharma(phone="12345"), "phone", "not a phone number"),
    (sharma(contacts=[ContactInput(name="", email="x@y.in")]), "contacts[1]", "name is required"),
    (sharma(contacts=[ContactInput(name="A", email="")]), "contacts[1]",
     "needed to receive reports"),
    (sharma(contacts=[ContactInput(name="A", email="a@b.in", phone="abc")]), "contacts[1]",
     "not a phone number"),
])
def test_validation_names_the_field(db, data, field, words):
    with db.session() as s:
        errors = validate_client(s, data)
    assert [e.field for e in errors] == [field]
    assert words in errors[0].message


def test_names_are_unique_ignoring_case(db):
    with db.transaction() as s:
        create_client(s, sharma())
    with db.transaction() as s, pytest.raises(UserError, match="already exists"):
        create_client(s, sharma(name=" sharma textiles "))


def test_edit_contacts_and_stale_save(db):
    with db.transaction() as s:
        cid = create_client(s, sharma())
    with db.session() as s:
        opened = client_detail(s, cid, today=TODAY)
    edited = opened.as_input()
    edited.contacts[1].email = "ravi@sharmatextiles.in"
    edited.contacts.append(ContactInput(name="Meena Iyer", email="meena@sharmatextiles.in"))
    del edited.contacts[0]
    with db.transaction() as s:
        new_version = update_client(s, cid, opened.version, edited)
    assert new_version > opened.version
    with db.session() as s:
        after = client_detail(s, cid, today=TODAY)
    assert [(c.name, c.email) for c in after.contacts] == [
        ("Ravi Kumar", "ravi@sharmatextiles.in"), ("Meena Iyer", "meena@sharmatextiles.in")]
    # a second editor who opened the old version is refused, seeing both versions
    late = opened.as_input()
    late.phone = "+91 11111 22222"
    with db.transaction() as s, pytest.raises(StaleDataError) as caught:
        update_client(s, cid, opened.version, late)
    assert caught.value.mine["phone"] == "+91 11111 22222"
    assert caught.value.theirs["contacts"][1]["name"] == "Meena Iyer"
    with db.session() as s:
        assert client_detail(s, cid, today=TODAY).phone == "+91 98765 43210"


def test_archive_hides_from_list_but_keeps_history(db):
    with db.transaction() as s:
        cid = create_client(s, sharma())
        add_ticket(s, cid, 1)
    with db.transaction() as s:
        archive_client(s, cid)
    with db.session() as s:
        assert list_clients(s, today=TODAY) == []
        [row] = list_clients(s, include_archived=True, today=TODAY)
        assert row.archived and row.open_tickets == 1
    with db.transaction() as s:
        archive_client(s, cid, archived=False)
    with db.session() as s:
        assert [r.name for r in list_clients(s, today=TODAY)] == ["Sharma Textiles"]


@pytest.mark.parametrize("text", ["priya@sharmatextiles.in", "a.b+c@mail.example.co.in", ""])
def test_good_emails(text):
    assert email_error(text) is None


@pytest.mark.parametrize("text", ["+91 98765 43210", "022-2345 6789", "(080) 4123 4567", ""])
def test_good_phones(text):
    assert phone_error(text) is None


@given(st.text(alphabet="0123456789", min_size=7, max_size=15))
def test_any_7_to_15_digits_is_a_phone(digits):
    assert phone_error("+" + digits) is None


@given(st.text(min_size=1).filter(lambda t: "@" not in t and t.strip()))
def test_text_without_at_is_never_an_email(text):
    assert email_error(text) is not None


def test_each_change_is_audited_with_who_and_when(db, caplog):
    from desktop.services.staff import get_or_create_staff

    when = datetime(2026, 3, 10, 6, 30, tzinfo=UTC)
    with db.transaction() as s:
        user = get_or_create_staff(s, "meera").id
    caplog.set_level("INFO", logger="desktop.audit")
    with db.transaction() as s:
        cid = create_client(s, sharma(), user_id=user, now=when)
    with db.transaction() as s:
        archive_client(s, cid, user_id=user, now=when)
    lines = [r.getMessage() for r in caplog.records if r.name == "desktop.audit"]
    assert lines == [f"client {cid} created by meera at 2026-03-10T06:30:00+00:00",
                     f"client {cid} archived by meera at 2026-03-10T06:30:00+00:00"]
