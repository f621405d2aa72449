"""Support contracts: the list across clients, the editor's rules, saving and renewal
(DESIGN §2 "Support tiers", §4 "Clients and Contracts").

Saving a contract keeps the rest of the data true to it: tickets of the client are attached to the
contract in force on their creation date (DESIGN §7), their coverage and SLA clocks are
re-measured, and the maintenance occurrences of the contract are regenerated.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from desktop.errors import StaleDataError, UserError
from desktop.models import (Client, Contract, Occurrence, StaffUser, Ticket, TimeEntry, Tier,
                            utcnow)
from desktop.models.enums import OPEN_STATUSES, TierCode
from desktop.storage.changes import record_change
from desktop.storage.conflicts import refuse_stale

from .clients import FieldError, contract_state, first_error
from .money import format_money

audit = logging.getLogger("desktop.audit")
log = logging.getLogger(__name__)

WARRANTY_MIN_DAYS = 30
WARRANTY_MAX_DAYS = 90
RENEWAL_WINDOWS = (30, 60, 90)
PAID_TIERS = (TierCode.BASIC.value, TierCode.STANDARD.value, TierCode.PREMIUM.value)
TICKETS_SHOWN = 200


# shapes ----------------------------------------------------------------------------------------
@dataclass
class ContractInput:
    """What the contract editor submits. ``monthly_fee`` is a ``Decimal``, never a float."""

    client_id: int | None = None
    tier_code: str = TierCode.STANDARD.value
    start: date | None = None
    end: date | None = None
    monthly_fee: Decimal = Decimal("0.00")
    currency: str = "INR"
    content_minutes_allowance: int = 0
    handover_date: date | None = None
    notes: str = ""
    renewed_from_id: int | None = None


@dataclass(frozen=True)
class TierChoice:
    code: str
    name: str
    monthly_fee: Decimal
    currency: str
    content_minutes: int


@dataclass(frozen=True)
class ContractRow:
    """One line of the contract list."""

    id: int
    client_id: int
    client_name: str
    tier_code: str
    tier_name: str
    start: date
    end: date
    monthly_fee: Decimal
    currency: str
    state: str                      # current / future / past
    days_to_renewal: int | None     # days until the end date; None once it has passed
    renewed: bool                   # a later contract exists for the client
    allowance_minutes: int
    used_minutes: int | None        # content minutes this month (current contracts only)
    billable_minutes: int | None

    @property
    def fee_text(self) -> str:
        return format_money(self.monthly_fee, self.currency)

    @property
    def period_text(self) -> str:
        return f"{self.start:%d %b %Y} – {self.end:%d %b %Y}"

    @property
    def renewal_due(self) -> bool:
        """A paid contract in force with no later contract for the client yet."""
        return (self.tier_code in PAID_TIERS and not self.renewed
                and self.days_to_renewal is not None and self.state == "current")


@dataclass(frozen=True)
class ContractTicket:
    id: int
    number: int
    title: str
    priority: str
    status: str
    created_at: datetime
    in_scope: bool


@dataclass(frozen=True)
class ContractOccurrence:
    id: int
    name: str
    period_key: str
    due: date
    done_at: datetime | None
    outcome: str | None
    state: str  # done / due / overdue


@dataclass(frozen=True)
class ContractDetail:
    row: ContractRow
    version: int
    handover_date: date | None
    notes: str
    renewed_from_id: int | None
    open_tickets: int
    tickets: list[ContractTicket] = field(default_factory=list)
    maintenance: list[ContractOccurrence] = field(default_factory=list)

    def as_input(self) -> ContractInput:
        r = self.row
        return ContractInput(client_id=r.client_id, tier_code=r.tier_code, start=r.start,
                             end=r.end, monthly_fee=r.monthly_fee, currency=r.currency,
                             content_minutes_allowance=r.allowance_minutes,
                             handover_date=self.handover_date, notes=self.notes,
                             renewed_from_id=self.renewed_from_id)


# queries ---------------------------------------------------------------------------------------
def tier_choices(session: Session) -> list[TierChoice]:
    return [TierChoice(t.code, t.name, t.monthly_fee, t.currency, t.content_minutes_per_month)
            for t in session.scalars(select(Tier).order_by(Tier.sort_order, Tier.code))]


def days_to_renewal(end: date, today: date) -> int | None:
    """Days from ``today`` until the contract's (inclusive) end date; 0 on its last day, None
    once it has ended."""
    days = (end - today).days
    return days if days >= 0 else None


def _successor_exists():
    later = aliased(Contract)
    return exists().where(later.client_id == Contract.client_id, later.start > Contract.start)


def list_contracts(session: Session, today: date | None = None, *,
                   renewal_within: int | None = None, state: str | None = None,
                   client_id: int | None = None, search: str = "",
                   with_allowance: bool = True) -> list[ContractRow]:
    """Contracts across clients: those in force first, soonest end first; then upcoming ones;
    then ended ones, latest first.

    ``renewal_within=N`` keeps the renewals to chase (``row_matches``); ``state`` keeps
    ``current``, ``future`` or ``past`` contracts; ``search`` matches the client's name.
    """
    today = today or date.today()
    renewed = _successor_exists().label("renewed")
    query = (select(Contract.id, Contract.client_id, Client.name.label("client_name"),
                    Contract.tier_code, Tier.name.label("tier_name"), Contract.start,
                    Contract.end, Contract.monthly_fee, Contract.currency,
                    Contract.content_minutes_allowance, renewed)
             .join(Client, Client.id == Contract.client_id)
             .join(Tier, Tier.code == Contract.tier_code))
    if client_id is not None:
        query = query.where(Contract.client_id == client_id)
    if search.strip():
        text = search.strip().lower().replace("\\", "\\\\").replace("%", "\\%") \
            .replace("_", "\\_")
        query = query.where(func.lower(Client.name).like(f"%{text}%", escape="\\"))
    rows = session.execute(query).all()
    current_clients = {r.client_id for r in rows
                       if contract_state(r.start, r.end, today) == "current"}
    usage = month_usage(session, current_clients, today) if with_allowance else {}
    result = []
    for r in rows:
        st = contract_state(r.start, r.end, today)
        used = billable = None
        allowance = r.content_minutes_allowance
        if st == "current" and r.client_id in usage:
            month = usage[r.client_id]
            used, billable = month.used_minutes, month.billable_minutes
            allowance = month.allowance_minutes
        row = ContractRow(
            id=r.id, client_id=r.client_id, client_name=r.client_name, tier_code=r.tier_code,
            tier_name=r.tier_name, start=r.start, end=r.end, monthly_fee=r.monthly_fee,
            currency=r.currency, state=st, days_to_renewal=days_to_renewal(r.end, today),
            renewed=bool(r.renewed), allowance_minutes=allowance,
            used_minutes=used, billable_minutes=billable)
        if row_matches(row, renewal_within=renewal_within, state=state):
            result.append(row)
    order = {"current": 0, "future": 1, "past": 2}
    result.sort(key=lambda c: (order[c.state],
                               c.end.toordinal() if c.state != "past" else -c.end.toordinal(),
                               c.client_name.lower()))
    return result


def row_matches(row: ContractRow, *, renewal_within: int | None = None,
                state: str | None = None) -> bool:
    """The contract list's filters. ``renewal_within=N``: a paid contract in force whose end
    is within N days (0..N) and that has no later contract for the client yet — the renewals
    to chase (DESIGN §4). ``state``: ``current``, ``future`` or ``past``."""
    if state is not None and row.state != state:
        return False
    if renewal_within is not None:
        return row.renewal_due and row.days_to_renewal <= renewal_within
    return True


def month_usage(session: Session, client_ids: set[int], today: date):  # noqa: ANN201
    """client id → ``AllowanceUsage`` of the month containing ``today``: the same figures as
    ``allowance.allowance_usage`` (content-update time dated in the month against the
    allowance of the contract in force), read with one grouped query for all the clients."""
    from .allowance import CONTENT, AllowanceUsage, month_allowance, month_bounds

    if not client_ids:
        return {}
    first, last = month_bounds(today.year, today.month)
    used = dict(session.execute(
        select(Ticket.client_id, func.sum(TimeEntry.minutes))
        .join(Ticket, Ticket.id == TimeEntry.ticket_id)
        .where(TimeEntry.category == CONTENT, TimeEntry.work_date >= first,
               TimeEntry.work_date <= last)  # no client filter: it would steer SQLite to
        .group_by(Ticket.client_id)).all())     # walk each client's tickets instead
    result = {}
    for cid in client_ids:
        allowance = month_allowance(session, cid, today.year, today.month)
        minutes = int(used.get(cid) or 0)
        result[cid] = AllowanceUsage(allowance, minutes, max(0, minutes - allowance))
    return result


def contract_detail(session: Session, contract_id: int, today: date | None = None
                    ) -> ContractDetail:
    """A contract with its tickets (newest first, up to 200) and its maintenance occurrences."""
    today = today or date.today()
    contract = session.get(Contract, contract_id)
    if contract is None:
        raise UserError("this contract no longer exists; it may have been deleted by someone else")
    row = next(r for r in list_contracts(session, today, client_id=contract.client_id)
               if r.id == contract_id)
    open_count = session.scalar(select(func.count()).select_from(Ticket).where(
        Ticket.contract_id == contract_id,
        Ticket.status.in_([str(s) for s in OPEN_STATUSES]))) or 0
    tickets = [ContractTicket(t.id, t.number, t.title, t.priority, t.status, t.created_at,
                              t.in_scope if t.scope_override is None else t.scope_override)
               for t in session.execute(
                   select(Ticket.id, Ticket.number, Ticket.title, Ticket.priority, Ticket.status,
                          Ticket.created_at, Ticket.in_scope, Ticket.scope_override)
                   .where(Ticket.contract_id == contract_id)
                   .order_by(Ticket.created_at.desc()).limit(TICKETS_SHOWN))]
    maintenance = [
        ContractOccurrence(o.id, o.name, o.period_key, o.due, o.done_at, o.outcome,
                           "done" if o.done_at is not None else
                           ("overdue" if o.due < today else "due"))
        for o in session.execute(
            select(Occurrence.id, Occurrence.name, Occurrence.period_key, Occurrence.due,
                   Occurrence.done_at, Occurrence.outcome)
            .where(Occurrence.contract_id == contract_id)
            .order_by(Occurrence.due, Occurrence.name))]
    return ContractDetail(row=row, version=contract.version,
                          handover_date=contract.handover_date, notes=contract.notes,
                          renewed_from_id=contract.renewed_from_id, open_tickets=open_count,
                          tickets=tickets, maintenance=maintenance)


def renewal_counts(session: Session, today: date | None = None,
                   windows: tuple[int, ...] = RENEWAL_WINDOWS) -> dict[int, int]:
    """How many paid contracts in force end within each window of days and are not renewed
    yet; the same rule as ``list_contracts(renewal_within=N)``."""
    today = today or date.today()
    ends = session.scalars(
        select(Contract.end).where(Contract.tier_code.in_(PAID_TIERS), Contract.start <= today,
                                   Contract.end >= today,
                                   Contract.end <= today + timedelta(days=max(windows)),
                                   ~_successor_exists())).all()
    return {n: sum(1 for end in ends if (end - today).days <= n) for n in windows}


# validation ------------------------------------------------------------------------------------
def validate_contract(session: Session, data: ContractInput,
                      contract_id: int | None = None) -> list[FieldError]:
    """The contract editor's rules (DESIGN §2): ``contract_field_errors`` plus what needs the
    database: the client and tier exist, and the period does not overlap another contract of
    the same client, so every ticket has exactly one contract in force on its creation date
    (DESIGN §7)."""
    errors: list[FieldError] = []
    if data.client_id is None or session.get(Client, data.client_id) is None:
        errors.append(FieldError("client", "Choose the client this contract is for"))
    if not data.tier_code or session.get(Tier, data.tier_code) is None:
        errors.append(FieldError("tier", f"Tier '{data.tier_code}' is not a support tier"))
    errors.extend(contract_field_errors(data))
    if data.client_id is not None and data.start is not None and data.end is not None \
            and data.end > data.start:
        clash = session.execute(
            select(Contract.start, Contract.end, Tier.name)
            .join(Tier, Tier.code == Contract.tier_code)
            .where(Contract.client_id == data.client_id,
                   Contract.id != (contract_id if contract_id is not None else -1),
                   Contract.start <= data.end, Contract.end >= data.start)
            .order_by(Contract.start)).first()
        if clash is not None:
            errors.append(FieldError(
                "start", f"The period overlaps the client's {clash.name} contract "
                         f"({clash.start:%d %b %Y} – {clash.end:%d %b %Y})"))
    return errors


def contract_field_errors(data: ContractInput) -> list[FieldError]:
    """The rules the editor checks as you type, without the database:

    - start and end dates, the end after the start (the end date is inclusive);
    - the monthly fee a ``Decimal`` ≥ 0 with at most two decimals (a float is refused: money
      is exact); the content allowance whole minutes ≥ 0; a three-letter currency code;
    - a warranty starts at the handover date and lasts 30–90 days from it, counted as
      ``end - handover`` (a warranty handed over on 1 March ends 31 March at the earliest).
    """
    errors: list[FieldError] = []
    if data.start is None:
        errors.append(FieldError("start", "A start date is required"))
    if data.end is None:
        errors.append(FieldError("end", "An end date is required"))
    if data.start is not None and data.end is not None and data.end <= data.start:
        errors.append(FieldError("end", f"The end date ({data.end:%d %b %Y}) must be after "
                                        f"the start date ({data.start:%d %b %Y})"))
    if isinstance(data.monthly_fee, float) or not isinstance(data.monthly_fee, Decimal):
        errors.append(FieldError("fee", "The monthly fee must be an exact amount, not a "
                                        "floating-point number"))
    elif not data.monthly_fee.is_finite() or data.monthly_fee < 0:
        errors.append(FieldError("fee", "The monthly fee cannot be negative"))
    elif data.monthly_fee.as_tuple().exponent < -2 and \
            data.monthly_fee != data.monthly_fee.quantize(Decimal("0.01")):
        errors.append(FieldError("fee", "The monthly fee has more than two decimal places"))
    if not isinstance(data.content_minutes_allowance, int) or data.content_minutes_allowance < 0:
        errors.append(FieldError("allowance", "The content allowance cannot be negative"))
    if len(data.currency or "") != 3 or not data.currency.isalpha():
        errors.append(FieldError("currency", f"'{data.currency}' is not a currency code "
                                             "like INR"))
    if data.tier_code == TierCode.WARRANTY.value:
        errors.extend(_warranty_errors(data))
    return errors


def _warranty_errors(data: ContractInput) -> list[FieldError]:
    handover = data.handover_date or data.start
    if handover is None:
        return [FieldError("handover", "A warranty needs the handover date")]
    errors = []
    if data.start is not None and data.start != handover:
        errors.append(FieldError("start", "A warranty starts on the handover date "
                                          f"({handover:%d %b %Y})"))
    if data.end is not None:
        days = (data.end - handover).days
        if not WARRANTY_MIN_DAYS <= days <= WARRANTY_MAX_DAYS:
            errors.append(FieldError(
                "end", f"A warranty lasts {WARRANTY_MIN_DAYS}–{WARRANTY_MAX_DAYS} days from the "
                       f"handover date; this one lasts {days} days"))
    return errors


# writes ----------------------------------------------------------------------------------------
def _fields(c: Contract | ContractInput) -> dict:
    """The editable fields, as the conflict dialog shows them side by side (DESIGN §3)."""
    return {"client_id": c.client_id, "tier_code": c.tier_code, "start": c.start, "end": c.end,
            "monthly_fee": c.monthly_fee, "currency": c.currency,
            "content_minutes_allowance": c.content_minutes_allowance,
            "handover_date": c.handover_date, "notes": c.notes}


def input_from_fields(values: dict, renewed_from_id: int | None = None) -> ContractInput:
    """A ``ContractInput`` from the fields chosen in the conflict dialog."""
    return ContractInput(renewed_from_id=renewed_from_id, **{
        k: v for k, v in values.items() if k in ContractInput.__dataclass_fields__})


def _copy(contract: Contract, data: ContractInput) -> bool:
    """Copy the form onto the row; True when the tier or the period changed (the things that
    decide tickets' coverage, SLA and maintenance)."""
    handover = data.handover_date
    if data.tier_code == TierCode.WARRANTY.value and handover is None:
        handover = data.start
    structural = (contract.tier_code != data.tier_code or contract.start != data.start
                  or contract.end != data.end)
    values = {"client_id": data.client_id, "tier_code": data.tier_code, "start": data.start,
              "end": data.end, "monthly_fee": data.monthly_fee.quantize(Decimal("0.01")),
              "currency": data.currency.upper(),
              "content_minutes_allowance": data.content_minutes_allowance,
              "handover_date": handover, "notes": data.notes}
    for key, value in values.items():
        if getattr(contract, key, None) != value:
            setattr(contract, key, value)
    return structural


def create_contract(session: Session, data: ContractInput, user_id: int | None = None,
                    now: datetime | None = None) -> int:
    """Create a contract after ``validate_contract``; attaches the client's tickets created in
    its period, re-measures them and generates its maintenance. Returns the new id."""
    now = now or utcnow()
    first_error(validate_contract(session, data))
    contract = Contract(renewed_from_id=data.renewed_from_id)
    _copy(contract, data)
    session.add(contract)
    session.flush()
    after_contract_saved(session, contract.id, now, structural=True)
    record_change(session, "contract", contract.id)
    audit.info("contract %s for client %s created by %s at %s", contract.id, data.client_id,
               _who(session, user_id), now.isoformat())
    return contract.id


def update_contract(session: Session, contract_id: int, version: int, data: ContractInput,
                    user_id: int | None = None, now: datetime | None = None) -> int:
    """Save the editor's changes to a contract read at ``version``; returns the new version.

    A contract changed by someone else meanwhile is refused with both versions (DESIGN §3).
    """
    now = now or utcnow()
    contract = session.get(Contract, contract_id)
    if contract is None:
        raise UserError("this contract no longer exists; it may have been deleted by someone else")
    if contract.version != version:
        raise StaleDataError.changed("contract", contract_id, mine=_fields(data),
                                     theirs=_fields(contract), theirs_version=contract.version)
    first_error(validate_contract(session, data, contract_id))
    old_client, old_tier = contract.client_id, contract.tier_code
    with refuse_stale("contract", contract_id, mine=_fields(data)):
        structural = _copy(contract, data) or old_client != data.client_id
        session.flush()
    if structural:
        after_contract_saved(session, contract_id, now, structural=True,
                             tier_changed=old_tier != data.tier_code,
                             other_client_id=old_client if old_client != data.client_id
                             else None)
    record_change(session, "contract", contract_id)
    audit.info("contract %s edited by %s at %s", contract_id, _who(session, user_id),
               now.isoformat())
    return contract.version


def renewal_draft(session: Session, contract_id: int) -> ContractInput:
    """The next contract proposed from this one (DESIGN §4 "Renew"): it starts the day after
    this one ends and runs as long (whole months stay whole months: 1 Jan–31 Dec becomes
    1 Jan–31 Dec of the next year), same tier, fee and allowance. A warranty is followed by a
    year of Basic at the tier's fee."""
    contract = session.get(Contract, contract_id)
    if contract is None:
        raise UserError("this contract no longer exists; it may have been deleted by someone else")
    start = contract.end + timedelta(days=1)
    if contract.tier_code == TierCode.WARRANTY.value:
        basic = session.get(Tier, TierCode.BASIC.value)
        return ContractInput(
            client_id=contract.client_id, tier_code=TierCode.BASIC.value, start=start,
            end=start + relativedelta(years=1) - timedelta(days=1),
            monthly_fee=basic.monthly_fee if basic else Decimal("0.00"),
            currency=basic.currency if basic else contract.currency,
            content_minutes_allowance=basic.content_minutes_per_month if basic else 0,
            notes="", renewed_from_id=contract.id)
    return ContractInput(
        client_id=contract.client_id, tier_code=contract.tier_code, start=start,
        end=next_period_end(contract.start, contract.end, start),
        monthly_fee=contract.monthly_fee, currency=contract.currency,
        content_minutes_allowance=contract.content_minutes_allowance, notes="",
        renewed_from_id=contract.id)


def next_period_end(start: date, end: date, next_start: date) -> date:
    """The end of a period starting at ``next_start`` as long as ``start..end`` (inclusive):
    a whole number of months stays that many months, anything else the same number of days."""
    for months in range(1, 121):
        if start + relativedelta(months=months) - timedelta(days=1) == end:
            return next_start + relativedelta(months=months) - timedelta(days=1)
        if start + relativedelta(months=months) > end + timedelta(days=1):
            break
    return next_start + (end - start)


def renew_contract(session: Session, contract_id: int, user_id: int | None = None,
                   now: datetime | None = None, draft: ContractInput | None = None) -> int:
    """Create the next contract from this one (``draft`` as edited by the user, else
    ``renewal_draft``). Refused when a later contract already exists for the client."""
    later = session.scalar(select(Contract.id).where(
        Contract.client_id == select(Contract.client_id).where(
            Contract.id == contract_id).scalar_subquery(),
        Contract.start > select(Contract.start).where(Contract.id == contract_id)
        .scalar_subquery()))
    if later is not None:
        raise UserError("this contract has already been renewed: a later contract exists "
                        "for the client")
    data = draft or renewal_draft(session, contract_id)
    data.renewed_from_id = contract_id
    return create_contract(session, data, user_id, now)


def after_contract_saved(session: Session, contract_id: int, now: datetime, *,
                         structural: bool = True, tier_changed: bool = False,
                         other_client_id: int | None = None) -> int:
    """Keep tickets and maintenance true to a saved contract; returns the tickets re-measured.

    Every ticket of the client is attached to the contract in force on its creation date in the
    agency's time zone (or none); the tickets whose contract or tier may have changed get their
    coverage verdict and SLA clocks recomputed; then the contract's maintenance occurrences are
    regenerated (done ones are never touched: DESIGN §2).
    """
    contract = session.get(Contract, contract_id)
    touched: list[int] = []
    if structural:
        moved, kept = _reattach_tickets(session, contract.client_id, contract_id)
        # tickets that stay with the contract keep their tier unless the tier itself changed
        touched = moved + (kept if tier_changed else [])
    if other_client_id is not None:
        touched += _reattach_tickets(session, other_client_id, None)[0]
    if touched:
        _remeasure(session, touched, now)
    _regenerate_maintenance(session, contract_id)
    return len(touched)


def _zone(session: Session) -> ZoneInfo:
    from .settings import load_settings

    return load_settings(session).zone


def _reattach_tickets(session: Session, client_id: int, contract_id: int | None
                      ) -> tuple[list[int], list[int]]:
    """Tickets of the client whose contract is (or should now be) ``contract_id`` get the
    contract in force on their creation date; returns the ids of the tickets whose contract
    changed, and of those that stay with ``contract_id``."""
    zone = _zone(session)
    periods = session.execute(select(Contract.id, Contract.start, Contract.end)
                              .where(Contract.client_id == client_id)
                              .order_by(Contract.start)).all()
    moved, kept = [], []
    query = select(Ticket.id, Ticket.contract_id, Ticket.created_at).where(
        Ticket.client_id == client_id)
    if contract_id is not None:
        mine = next(p for p in periods if p.id == contract_id)
        # a generous UTC window around the local dates; the exact test is done below
        lo = datetime.combine(mine.start - timedelta(days=1), datetime.min.time(),
                              tzinfo=ZoneInfo("UTC"))
        hi = datetime.combine(mine.end + timedelta(days=2), datetime.min.time(),
                              tzinfo=ZoneInfo("UTC"))
        query = query.where(or_(Ticket.contract_id == contract_id,
                                Ticket.contract_id.is_(None),
                                (Ticket.created_at >= lo) & (Ticket.created_at < hi)))
    for ticket in session.execute(query):
        day = ticket.created_at.astimezone(zone).date()
        in_force = next((p.id for p in periods if p.start <= day <= p.end), None)
        if in_force != ticket.contract_id:
            session.execute(Ticket.__table__.update().where(Ticket.id == ticket.id)
                            .values(contract_id=in_force))
            moved.append(ticket.id)
        elif contract_id is not None and in_force == contract_id:
            kept.append(ticket.id)
    session.expire_all()
    return moved, kept


def _remeasure(session: Session, ticket_ids: list[int], now: datetime) -> None:
    try:
        from .coverage import apply_coverage
    except ModuleNotFoundError:
        apply_coverage = None
        log.warning("coverage service missing: coverage not recomputed")
    if apply_coverage is not None:
        for start in range(0, len(ticket_ids), 500):
            for ticket in session.scalars(select(Ticket).where(
                    Ticket.id.in_(ticket_ids[start:start + 500]))):
                apply_coverage(ticket)
        session.flush()
    try:
        from .sla import recompute_tickets
    except ModuleNotFoundError:
        log.warning("SLA service missing: clocks not recomputed")
        return
    recompute_tickets(session, now, ticket_ids=ticket_ids)
    for ticket_id in ticket_ids:
        record_change(session, "ticket", ticket_id)


def _regenerate_maintenance(session: Session, contract_id: int) -> None:
    try:
        from .maintenance import regenerate
    except ModuleNotFoundError:
        log.warning("maintenance service missing: occurrences not generated")
        return
    regenerate(session, contract_ids=[contract_id])


def _who(session: Session, user_id: int | None) -> str:
    if user_id:
        user = session.get(StaffUser, user_id)
        if user is not None:
            return user.username
    return "unknown"


def active_contract_fees(session: Session, today: date) -> dict[str, Decimal]:
    """Monthly recurring revenue: the sum of the monthly fees of the contracts in force today,
    per currency (DESIGN §4)."""
    rows = session.execute(
        select(Contract.currency, func.sum(Contract.monthly_fee))
        .where(Contract.start <= today, Contract.end >= today)
        .group_by(Contract.currency)).all()
    return {currency: Decimal(str(total or 0)).quantize(Decimal("0.01"))
            for currency, total in rows}


__all__ = [
    "ContractInput", "ContractRow", "ContractDetail", "TierChoice", "tier_choices",
    "list_contracts", "row_matches", "month_usage", "contract_detail", "renewal_counts", "validate_contract",
    "contract_field_errors",
    "create_contract", "update_contract", "input_from_fields", "renewal_draft", "renew_contract",
    "next_period_end", "after_contract_saved", "active_contract_fees", "days_to_renewal",
]
