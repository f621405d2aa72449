"""Demo tickets in bulk: one chunk of consecutive days at a time, as plain row tuples.

This is the hot loop of ``aftercare demo --tickets 1000000`` (DESIGN §8: under 2 minutes), so it
works on integer epoch seconds and plain tuples, never ORM objects, and runs in a pool of worker
processes. Each chunk has its own ``random.Random`` seeded from the demo seed and the chunk's
index, so the data is the same whatever the number of workers.

Every ticket gets a believable history (assignment, acknowledgment or first reply, work, waits on
the client, internal notes, priority changes, resolution, reopening, closing), time entries, a
satisfaction follow-up once resolved, and its SLA fields and coverage verdict from the real SLA
engine (``services.sla.evaluate``) and coverage rules (``services.coverage.coverage_verdict``),
evaluated at the demo's ``now``: events after ``now`` have not happened yet, which is what leaves
recent tickets open, some at risk and some breached.
"""
from __future__ import annotations

import json
import random
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from . import demo_text as text
from .coverage import coverage_verdict
from .business_calendar import US_PER_MINUTE
from .sla import SlaContext, SlaEvent, evaluate

UTC = timezone.utc
DAY = 86_400
IST_OFFSET = 19_800  # Asia/Kolkata has no daylight saving: +05:30 all year
OPEN_S, CLOSE_S = 9 * 3600, 18 * 3600
_EPOCH_NAIVE = datetime(1970, 1, 1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

TICKET_COLUMNS = (
    "id", "number", "client_id", "contract_id", "title", "description", "priority", "status",
    "category", "channel", "assignee_id", "created_at", "updated_at", "first_response_at",
    "resolved_at", "closed_at", "clock", "response_due_at", "resolution_due_at", "sla_due_at",
    "resolution_paused", "resolution_used_minutes", "response_breached", "resolution_breached",
    "in_scope", "scope_reason", "scope_override", "override_reason", "version")
EVENT_COLUMNS = ("ticket_id", "at", "type", "author_id", "status", "priority", "public", "body",
                 "data")
TIME_ENTRY_COLUMNS = ("ticket_id", "work_date", "minutes", "category", "note", "author_id",
                      "created_at", "version")
FOLLOW_UP_COLUMNS = ("ticket_id", "due_at", "done_at", "rating", "comment", "done_by_id",
                     "version")

# how often each kind of client picks each title (content updates come with an allowance)
TIER_CATEGORY_WEIGHT = {
    "premium": {"content_update": 3.0, "new_feature": 2.0},
    "standard": {"content_update": 3.0},
    "basic": {"security_update": 1.5},
}
CHANNEL_WORDS = {"email": "by e-mail", "phone": "by phone", "portal": "through the portal",
                 "emergency": "on the emergency line"}
RATING_TABLE = (5,) * 45 + (4,) * 35 + (3,) * 12 + (2,) * 5 + (1,) * 3  # in percent
CONTENT_MINUTES = (30, 45, 60, 60, 90, 120, 150, 180)
WORK_MINUTES = (15, 15, 30, 30, 45, 60, 90, 120, 180, 240)


@dataclass(frozen=True)
class Segment:
    """The clients a ticket can come from on a range of days: those past their handover, with
    the contract in force (None between contracts) and how often each writes in."""

    client_ids: tuple[int, ...]
    contract_ids: tuple[int | None, ...]
    tiers: tuple[str | None, ...]
    cumulative: tuple[float, ...]

    @property
    def total(self) -> float:
        return self.cumulative[-1] if self.cumulative else 0.0


@dataclass
class ChunkContext:
    """What every chunk needs; built once by ``services.demo`` and shared with the workers."""

    seed: int
    now_ts: int
    day_starts: list[int]  # UTC epoch seconds of each local (IST) midnight
    day_segment: list[int]  # day index -> index into segments
    segments: list[Segment]
    staff: list[tuple[int, str]]  # (id, display name); the first is the support manager
    dedicated: dict[int, int]  # premium client id -> its dedicated manager's staff id
    contacts: dict[int, list[str]]  # client id -> contact first names
    sla: SlaContext
    tz_suffix: str = ""  # "" for SQLite (naive UTC text), "+00" for PostgreSQL
    _title_tables: dict = field(default_factory=dict, repr=False)

    def title_table(self, tier: str | None) -> tuple[list, list[float]]:
        table = self._title_tables.get(tier)
        if table is None:
            boost = TIER_CATEGORY_WEIGHT.get(tier or "", {})
            cumulative, total = [], 0.0
            for category, _priority, _title, weight in text.TITLES:
                total += weight * boost.get(category, 1.0)
                cumulative.append(total)
            table = self._title_tables[tier] = (text.TITLES, cumulative)
        return table


@dataclass
class ChunkRows:
    """One chunk's rows, in the column orders above."""

    index: int
    tickets: list[tuple] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)
    time_entries: list[tuple] = field(default_factory=list)
    follow_ups: list[tuple] = field(default_factory=list)


_CONTEXT: ChunkContext | None = None


def init_worker(context: ChunkContext) -> None:
    """Pool initializer: the shared context of every chunk this process generates."""
    global _CONTEXT
    _CONTEXT = context


def generate_chunk(spec: tuple[int, int, list[tuple[int, int]]]) -> ChunkRows:
    """The tickets of one chunk: ``(chunk index, first ticket id, [(day index, count), ...])``.
    Ticket ids and numbers run in creation order."""
    assert _CONTEXT is not None, "init_worker was not called"
    return _Generator(_CONTEXT, spec[0]).run(spec[1], spec[2])


def work_add(ts: int, minutes: float) -> int:
    """When staff working Mon–Fri 09:00–18:00 IST have spent ``minutes`` after ``ts`` (holidays
    ignored: only for placing demo events; the SLA engine measures them properly)."""
    remaining = int(minutes * 60)
    local = ts + IST_OFFSET
    day, sec = divmod(local, DAY)
    while True:
        if (day + 3) % 7 < 5:  # 1970-01-01 was a Thursday
            if sec < OPEN_S:
                sec = OPEN_S
            if sec < CLOSE_S:
                available = CLOSE_S - sec
                if remaining <= available:
                    return day * DAY + sec + remaining - IST_OFFSET
                remaining -= available
        day += 1
        sec = 0


def _dumps(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


_FROM_JSON = {p: _dumps({"from": p}) for p in ("critical", "high", "medium", "low")}
_STATUS_FROM_JSON = {s: _dumps({"from": s}) for s in ("new", "acknowledged", "in_progress",
                                                       "waiting_on_client", "resolved")}
_OVERRIDE_JSON = _dumps({"in_scope": True, "previous": False})


class _Generator:
    def __init__(self, ctx: ChunkContext, index: int) -> None:
        self.ctx = ctx
        self.rng = random.Random(f"aftercare-demo:{ctx.seed}:{index}")
        self.random = self.rng.random
        self.rows = ChunkRows(index)
        self.now_ts = ctx.now_ts
        self.now = _EPOCH + timedelta(seconds=ctx.now_ts)
        self.suffix = ctx.tz_suffix
        self.verdicts: dict[tuple, object] = {}
        # the audit trail's shapes, as services.tickets writes them
        self.staff_names = dict(ctx.staff)
        self.assign_json = {sid: _dumps({"from": None, "to": sid}) for sid, _ in ctx.staff}
        self.staff_ids = [sid for sid, _ in ctx.staff]
        self.follow_up_us = int(3 * ctx.sla.calendar.day_minutes) * US_PER_MINUTE
        # every day of the history and a few weeks beyond, every second of a day
        self.first_day = ctx.day_starts[0] // DAY - 1 if ctx.day_starts else 0
        self.day_texts = [(_EPOCH_NAIVE + timedelta(days=day)).strftime("%Y-%m-%d ")
                          for day in range(self.first_day, ctx.now_ts // DAY + 60)]
        self.sec_texts = _second_texts(self.suffix)

    # formatting: the stored text of an instant, from precomputed day and time-of-day parts ----
    def ts_text(self, ts: int) -> str:
        day = ts // DAY
        index = day - self.first_day
        if 0 <= index < len(self.day_texts):
            return self.day_texts[index] + self.sec_texts[ts - day * DAY]
        return (_EPOCH_NAIVE + timedelta(seconds=ts)).isoformat(" ", "microseconds") + self.suffix

    def dt_text(self, instant: datetime | None) -> str | None:
        if instant is None:
            return None
        if instant.microsecond:
            return (instant.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
                    + self.suffix)
        return self.ts_text(int(instant.timestamp()))

    # the chunk ---------------------------------------------------------------------------------
    def run(self, first_id: int, days: list[tuple[int, int]]) -> ChunkRows:
        ctx, rng = self.ctx, self.rng
        ticket_id = first_id
        for day_index, count in days:
            segment = ctx.segments[ctx.day_segment[day_index]]
            if not count or not segment.client_ids:
                continue
            day_start = ctx.day_starts[day_index]
            limit = min(DAY, self.now_ts - day_start)
            offsets = []
            random = rng.random
            for _ in range(count):
                if random() < 0.8:  # mostly in office hours, some in the evening
                    offset = OPEN_S + 600 + int(random() * (CLOSE_S - OPEN_S - 660))
                else:
                    offset = 7 * 3600 + int(random() * 16 * 3600)
                if offset >= limit:
                    offset = int(random() * limit)
                offsets.append(offset)
            offsets.sort()
            for offset in offsets:
                self.ticket(ticket_id, day_start + offset, segment)
                ticket_id += 1
        return self.rows

    def pick(self, choices: tuple | list):  # noqa: ANN201 - rng.choice, a little faster
        return choices[int(self.random() * len(choices))]

    def ticket(self, ticket_id: int, created: int, segment: Segment) -> None:
        ctx, rng, random = self.ctx, self.rng, self.random
        k = bisect_right(segment.cumulative, random() * segment.total)
        k = min(k, len(segment.client_ids) - 1)
        client_id = segment.client_ids[k]
        contract_id = segment.contract_ids[k]
        tier = segment.tiers[k]
        titles, cumulative = ctx.title_table(tier)
        category, priority, template, _ = titles[bisect_right(cumulative,
                                                              random() * cumulative[-1])]
        channel = self.channel(priority, tier)
        title = text.fill(template, rng)
        contacts = ctx.contacts[client_id]
        contact = contacts[int(random() * len(contacts))]
        description = f"{contact} reported it {CHANNEL_WORDS[channel]}."
        dedicated = ctx.dedicated.get(client_id)
        staff_ids = self.staff_ids
        assignee = (dedicated if dedicated is not None and random() < 0.7
                    else staff_ids[int(random() * len(staff_ids))])

        events, entries, final_priority = self.history(created, priority, tier, category,
                                                       assignee)
        # what has happened by now
        now_ts = self.now_ts
        if events and events[-1][0] > now_ts:
            events = [e for e in events if e[0] <= now_ts]
            entries = [e for e in entries if e[0] <= now_ts]
            final_priority = priority
            for e in events:
                if e[1] == "priority":
                    final_priority = e[4]
        status = "new"
        closed_at = None
        assigned = None
        for e in events:
            if e[1] == "status":
                status = e[3]
                closed_at = e[0] if status == "closed" else None
            elif e[1] == "assignment":
                assigned = assignee
        if assigned is None and (events and any(e[2] == assignee for e in events)):
            assigned = assignee

        verdict_key = (tier, category, channel)
        verdict = self.verdicts.get(verdict_key)
        if verdict is None:
            verdict = self.verdicts[verdict_key] = coverage_verdict(tier, category, channel)
        override, override_reason = None, ""
        if not verdict.in_scope and events and random() < 0.08:
            override, override_reason = True, rng.choice(text.OVERRIDE_REASONS)
            at = events[0][0]
            events.insert(1, (at, "override", ctx.staff[0][0], None, None, False,
                              override_reason, _OVERRIDE_JSON))

        sla = ctx.sla
        created_dt = _EPOCH + timedelta(seconds=created)
        result = evaluate(
            created_dt, priority, tier,
            [SlaEvent(_EPOCH + timedelta(seconds=e[0]), e[1], e[3], e[4], e[5]) for e in events],
            sla.policies, sla.calendar, self.now, sla.at_risk_percent)

        ts_text, dt_text = self.ts_text, self.dt_text
        rows = self.rows
        # events lie between the first day of the history and now: inside the day table
        day_texts, sec_texts, first_day = self.day_texts, self.sec_texts, self.first_day
        texts = {}
        append_event = rows.events.append
        for at, etype, author, ev_status, ev_priority, public, body, data in events:
            day = at // DAY
            at_text = texts[at] = day_texts[day - first_day] + sec_texts[at - day * DAY]
            append_event((ticket_id, at_text, etype, author, ev_status, ev_priority, public,
                          body, data))
        rows.tickets.append((
            ticket_id, ticket_id, client_id, contract_id, title, description, final_priority,
            status, category, channel, assigned, ts_text(created),
            texts[events[-1][0]] if events else ts_text(created),
            dt_text(result.first_response_at), dt_text(result.resolved_at),
            texts[closed_at] if closed_at is not None else None,
            result.clock, dt_text(result.response.due_at),
            dt_text(result.resolution.due_at), dt_text(result.sla_due_at),
            result.resolution_paused, int(result.resolution.used_minutes),
            result.response.state == "breached", result.resolution.state == "breached",
            verdict.in_scope, verdict.reason, override, override_reason, 1))
        for at, minutes, note, author, work_date in entries:
            rows.time_entries.append((ticket_id, work_date, minutes, category, note, author,
                                      texts[at], 1))
        if result.resolved_at is not None:
            self.follow_up(ticket_id, result.resolved_at, assignee)

    def channel(self, priority: str, tier: str | None) -> str:
        r = self.random()
        if priority == "critical":
            if tier == "premium":
                return "emergency" if r < 0.6 else "phone" if r < 0.85 else "email"
            if tier == "standard":
                return "phone" if r < 0.6 else "email"
            return "phone" if r < 0.15 else "email"
        phone = 0.2 if tier in ("standard", "premium") else 0.03
        return "phone" if r < phone else "portal" if r < phone + 0.25 else "email"

    def history(self, t0: int, priority: str, tier: str | None, category: str,
                assignee: int) -> tuple[list[tuple], list[tuple], str]:
        """(events, time entries, final priority) of a ticket's whole life, some of it perhaps
        after ``now``. Event tuple: (ts, type, author, status, priority, public, body, data);
        time entry: (ts, minutes, note, author)."""
        rng, ctx, random, pick = self.rng, self.ctx, self.random, self.pick
        manager = self.staff_ids[0]
        targets = ctx.sla.policies.targets(tier, priority)
        always = targets.clock == "24x7"

        def later(ts: int, minutes: float) -> int:
            return ts + int(minutes * 60) if always else work_add(ts, minutes)

        events: list[tuple] = []
        add = events.append
        # the response: mostly well within target, some close to it, a few late
        r = random()
        f = (0.05 + 0.65 * random() if r < 0.86 else 0.75 + 0.24 * random() if r < 0.94
             else 1.05 + 1.45 * random())
        t_resp = later(t0, targets.response_minutes * f)
        if t_resp <= t0:
            t_resp = t0 + 60
        if random() < 0.5:
            t_assign = min(t0 + 60 + int(random() * 1140), (t0 + t_resp) // 2)
            add((t_assign, "assignment", manager, None, None, False,
                 self.staff_names[assignee], self.assign_json[assignee]))
        state = ["new"]

        def status(at: int, author: int, new: str, public: bool = False, body: str = "") -> None:
            add((at, "status", author, new, None, public, body, _STATUS_FROM_JSON[state[0]]))
            state[0] = new

        if random() < 0.45:
            add((t_resp, "reply", assignee, None, None, True, pick(text.FIRST_REPLIES), None))
            t = t_resp + 300 + int(random() * 3300)
            status(t, assignee, "in_progress")
        else:
            status(t_resp, assignee, "acknowledged")
            t = t_resp
            if random() < 0.6:
                t = later(t, 5 + 85 * random())
                status(t, assignee, "in_progress")

        current = priority
        if random() < 0.08:  # a priority change re-measures the ticket
            order = ("critical", "high", "medium", "low")
            i = order.index(priority)
            new = order[i + 1] if i == 0 or (i < 3 and random() < 0.5) else order[i - 1]
            t = t + 120 + int(random() * 3480)
            add((t, "priority", assignee, None, new, False, "", _FROM_JSON[priority]))
            current = new
            targets = ctx.sla.policies.targets(tier, current)

        # the resolution, measured on the business clock (the wait is added on top)
        r = random()
        g = (0.15 + 0.55 * random() if r < 0.84 else 0.75 + 0.24 * random() if r < 0.93
             else 1.05 + 1.95 * random())
        t_res = later(t0, targets.resolution_minutes * g)
        if t_res <= t + 300:
            t_res = t + 600 + int(random() * 4800)
        if random() < 0.22:  # waiting on the client for details or content
            t_wait = t + (t_res - t) // 3
            back = t_wait + 2 * 3600 + int(random() * (4 * DAY - 2 * 3600))
            status(t_wait, assignee, "waiting_on_client", True, pick(text.WAITING_ASKS))
            status(back, assignee, "in_progress", False, pick(text.CLIENT_BACK))
            t_res = max(t_res + (back - t_wait), back + 1800)
            t = back
        if random() < 0.3:
            add((t + (t_res - t) // 2, "note", assignee, None, None, False, pick(text.NOTES),
                 None))

        entries: list[tuple] = []
        r = random()
        n_entries = 0 if r < 0.25 else 1 if r < 0.8 else 2 if r < 0.97 else 3
        notes = text.TIME_NOTES.get(category, text.TIME_NOTES["_"])
        for j in range(n_entries):
            at = t + (t_res - t) * (j + 1) // (n_entries + 1)
            minutes = pick(CONTENT_MINUTES if category == "content_update" else WORK_MINUTES)
            note = pick(notes)
            work_date = self.ts_text(at + IST_OFFSET)[:10]  # the agency's (IST) date
            entries.append((at, minutes, note, assignee, work_date))
            # json.dumps(sort_keys=True) of {"category", "date", "minutes"}: plain ASCII values
            add((at, "time_entry", assignee, None, None, False, note,
                 f'{{"category": "{category}", "date": "{work_date}", "minutes": {minutes}}}'))

        status(t_res, assignee, "resolved", True, pick(text.RESOLUTIONS))
        t_end = t_res
        if random() < 0.05:  # reopened: the fix did not hold
            t_reopen = t_res + 4 * 3600 + int(random() * (3 * DAY - 4 * 3600))
            status(t_reopen, assignee, "in_progress", True, pick(text.REOPENS))
            t_end = later(t_reopen, max(15.0, targets.resolution_minutes
                                        * (0.05 + 0.25 * random())))
            status(t_end, assignee, "resolved", True, pick(text.RESOLUTIONS))
        if random() < 0.6:
            status(t_end + 3 * DAY + int(random() * 4 * DAY), manager, "closed")
        events.sort(key=_event_time)
        return events, entries, current

    def follow_up(self, ticket_id: int, resolved_at: datetime, assignee: int) -> None:
        random, ctx = self.random, self.ctx
        calendar = ctx.sla.calendar
        # follow_up_due(resolved_at, calendar, 3) on the calendar's microsecond interface
        resolved_us = int(resolved_at.timestamp()) * 1_000_000
        due_us = calendar.inv_us(calendar.cum_us(resolved_us) + self.follow_up_us)
        due_ts = due_us // 1_000_000
        done_at = rating = done_by = None
        comment = ""
        if due_ts < self.now_ts and random() < 0.85:
            done_ts = min(due_ts + int(random() * 2 * DAY), self.now_ts)
            done_at = self.ts_text(done_ts)
            rating = RATING_TABLE[int(random() * len(RATING_TABLE))]
            comment = self.pick(text.FOLLOW_UP_COMMENTS[rating])
            done_by = assignee
        self.rows.follow_ups.append((ticket_id, self.ts_text(due_ts), done_at, rating, comment,
                                     done_by, 1))


_SECOND_TEXTS: dict[str, list[str]] = {}


def _second_texts(suffix: str) -> list[str]:
    """"HH:MM:SS.000000" + suffix for every second of a day (built once per process)."""
    texts = _SECOND_TEXTS.get(suffix)
    if texts is None:
        texts = _SECOND_TEXTS[suffix] = [
            f"{h:02d}:{m:02d}:{sec:02d}.000000{suffix}"
            for h in range(24) for m in range(60) for sec in range(60)]
    return texts


def _event_time(event: tuple) -> int:
    return event[0]
