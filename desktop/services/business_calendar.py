"""The two clocks of the SLA (DESIGN §2 "SLA clock"): business hours and 24/7.

Business hours are Monday–Friday 09:00–18:00 in Asia/Kolkata minus the active holidays by
default; the days, hours and time zone come from the agency's settings and the Holiday table.

The clock works on intervals, never minute by minute. Each business day is one interval
``[start, end)`` of instants; the calendar keeps, for a range of days that grows on demand, the
intervals' starts and ends and the business time elapsed before each one (a prefix sum). The
business time between two instants is then a difference of two look-ups (``bisect``), and a due
instant is the inverse look-up: O(log days) per question once the days are built, O(days) to
build them once per calendar.

Internally instants are whole microseconds since the Unix epoch (exact integer arithmetic);
the public methods take and return timezone-aware datetimes.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

UTC = timezone.utc
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US_PER_MINUTE = 60_000_000
_ONE_US = timedelta(microseconds=1)
_BUILD_MARGIN_DAYS = 400  # days built beyond the asked-for instant when the range grows
_MIN_ORDINAL = date(1, 1, 3).toordinal()  # days whose local hours are valid datetimes anywhere
_MAX_ORDINAL = date(9999, 12, 29).toordinal()


def to_us(instant: datetime) -> int:
    """A timezone-aware instant as whole microseconds since the epoch (exact)."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"naive datetime {instant!r} given where an instant is required")
    return round(instant.timestamp() * 1_000_000)


def from_us(us: int) -> datetime:
    """The UTC instant ``us`` microseconds after the epoch."""
    return EPOCH + timedelta(microseconds=us)


class AlwaysClock:
    """The 24/7 clock: every minute counts. Same interface as :class:`BusinessCalendar`."""

    name = "24x7"

    def add(self, start: datetime, minutes: float) -> datetime:
        """The instant ``minutes`` of clock time after ``start``."""
        return start + timedelta(minutes=minutes) if minutes > 0 else start

    def minutes_between(self, a: datetime, b: datetime) -> float:
        """Clock minutes from ``a`` to ``b`` (0 when ``b`` is not after ``a``)."""
        return max(0.0, (b - a).total_seconds() / 60)

    def is_business_day(self, d: date) -> bool:
        return True

    def previous_business_day(self, d: date) -> date:
        return d - timedelta(days=1)

    def next_business_day(self, d: date) -> date:
        return d + timedelta(days=1)

    # the microsecond interface used by services.sla's hot path
    def cum_us(self, us: int) -> int:
        return us

    def inv_us(self, amount: int) -> int:
        return amount


ALWAYS = AlwaysClock()


class BusinessCalendar:
    """Business hours in one time zone, on some weekdays, minus holidays.

    ``add(start, minutes)`` is the due instant: the first instant by which ``minutes`` of business
    time have passed since ``start``. A due instant that uses up a day's last minute is that day's
    closing time (18:00), not the next morning. ``minutes_between(a, b)`` is the business time
    from ``a`` to ``b``.
    """

    name = "business"

    def __init__(self, zone: str | ZoneInfo = "Asia/Kolkata", start: time = time(9),
                 end: time = time(18), weekdays: Iterable[int] = (0, 1, 2, 3, 4),
                 holidays: Iterable[date] = ()) -> None:
        self.zone = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
        self.start = start
        self.end = end
        if end <= start:
            raise ValueError("business hours must end after they start")
        self.weekdays = frozenset(weekdays)
        self.holidays = frozenset(holidays)
        self.day_minutes = (datetime.combine(date(2000, 1, 3), end)
                            - datetime.combine(date(2000, 1, 3), start)).total_seconds() / 60
        # the built days: (first ordinal, last ordinal exclusive, interval starts, ends, business
        # µs before each interval, business µs up to each interval's end)
        self._days: tuple[int, int, list[int], list[int], list[int], list[int]] = (
            0, 0, [], [], [], [])

    @classmethod
    def from_settings(cls, settings, holidays: Iterable[date] = ()) -> BusinessCalendar:  # noqa: ANN001
        return cls(settings.time_zone, settings.start_time, settings.end_time,
                   settings.business_days, holidays)

    @classmethod
    def from_session(cls, session) -> BusinessCalendar:  # noqa: ANN001
        """The agency's calendar: hours and zone from the settings, the active holidays."""
        from sqlalchemy import select

        from desktop.models import Holiday

        from .settings import load_settings

        days = session.scalars(select(Holiday.day).where(Holiday.active.is_(True))).all()
        return cls.from_settings(load_settings(session), days)

    # --- days ---------------------------------------------------------------------------
    def is_business_day(self, d: date) -> bool:
        return d.weekday() in self.weekdays and d not in self.holidays

    def previous_business_day(self, d: date) -> date:
        """The last business day strictly before ``d``."""
        return self._step(d, -1)

    def next_business_day(self, d: date) -> date:
        """The first business day strictly after ``d``."""
        return self._step(d, 1)

    def on_or_before(self, d: date) -> date:
        """``d`` if it is a business day, else the business day before it (DESIGN §2: a due date
        on a weekend or holiday moves to the business day before)."""
        return d if self.is_business_day(d) else self.previous_business_day(d)

    def _step(self, d: date, direction: int) -> date:
        if not self.weekdays:
            raise ValueError("the calendar has no business days")
        for _ in range(3700):  # ten years of holidays would be absurd; stop rather than loop
            d += timedelta(days=direction)
            if self.is_business_day(d):
                return d
        raise ValueError("no business day within ten years")

    # --- the clock ----------------------------------------------------------------------
    def add(self, start: datetime, minutes: float) -> datetime:
        """The due instant ``minutes`` business minutes after ``start`` (``start`` itself for 0)."""
        if minutes <= 0:
            return start
        s = to_us(start)
        return from_us(self.inv_us(self.cum_us(s) + round(minutes * US_PER_MINUTE)))

    def minutes_between(self, a: datetime, b: datetime) -> float:
        """Business minutes from ``a`` to ``b`` (0 when ``b`` is not after ``a``)."""
        ua, ub = to_us(a), to_us(b)
        if ub <= ua:
            return 0.0
        return (self.cum_us(ub) - self.cum_us(ua)) / US_PER_MINUTE

    def business_intervals(self, d: date) -> list[tuple[datetime, datetime]]:
        """The business interval(s) of the local day ``d`` as UTC instants (empty if closed)."""
        if not self.is_business_day(d):
            return []
        return [(datetime.combine(d, self.start, self.zone).astimezone(UTC),
                 datetime.combine(d, self.end, self.zone).astimezone(UTC))]

    # The microsecond interface (the hot path of services.sla): cum_us(t) is the business time
    # from a fixed origin to t; inv_us(x) is the earliest instant t with cum_us(t) == x, so a due
    # instant that ends a day is that day's close, not the next day's opening. The built days
    # are one immutable tuple swapped whole, so a calendar shared between threads never mixes
    # two builds.
    def cum_us(self, us: int) -> int:
        _first, _last, starts, ends, cum_start, _cum_end = self._days
        if not starts or us < starts[0] or us >= ends[-1]:
            self._cover(us)
            _first, _last, starts, ends, cum_start, _cum_end = self._days
            if not starts:
                return 0
        k = bisect_right(starts, us) - 1
        if k < 0:
            return cum_start[0]
        end = ends[k]
        return cum_start[k] + ((us if us < end else end) - starts[k])

    def inv_us(self, amount: int) -> int:
        _first, _last, starts, _ends, cum_start, cum_end = self._days
        while not cum_end or amount > cum_end[-1]:
            self._extend_forward()
            _first, _last, starts, _ends, cum_start, cum_end = self._days
        k = bisect_left(cum_end, amount)
        return starts[k] + (amount - cum_start[k])

    def _cover(self, us: int) -> None:
        """Grow the built range so that instant ``us`` lies well inside it."""
        day = (EPOCH + timedelta(microseconds=us)).astimezone(self.zone).date().toordinal()
        first, last, starts = self._days[:3]
        if first == last:  # nothing built yet
            first, last = day - _BUILD_MARGIN_DAYS, day + _BUILD_MARGIN_DAYS
        else:
            if day - 2 < first:
                first = day - _BUILD_MARGIN_DAYS
            if day + 2 >= last:
                last = day + _BUILD_MARGIN_DAYS
        first, last = max(first, _MIN_ORDINAL), min(last, _MAX_ORDINAL)
        if (first, last) == self._days[:2]:
            if starts or last - first > 20_000:
                return  # inside the range, in a gap before the first or after the last day
            first = max(first - _BUILD_MARGIN_DAYS, _MIN_ORDINAL)  # no business day yet: widen
            last = min(last + _BUILD_MARGIN_DAYS, _MAX_ORDINAL)
        self._build(first, last)

    def _extend_forward(self) -> None:
        first, last = self._days[:2]
        grown = min(last + _BUILD_MARGIN_DAYS, _MAX_ORDINAL)
        if grown == last or last - first > 200_000:
            raise ValueError("the business calendar has no business hours that late")
        self._build(first, grown)

    def _build(self, first: int, last: int) -> None:
        """(Re)build the intervals of days [first, last) and their prefix sums. Cum values keep
        their origin when the range grows (backwards too), so values from earlier calls stay
        comparable with later ones."""
        if not self.weekdays:
            raise ValueError("the calendar has no business days")
        starts, ends, cum_start, cum_end = [], [], [], []
        total = 0
        zone, open_, close = self.zone, self.start, self.end
        weekdays, holidays = self.weekdays, self.holidays
        combine, fromordinal = datetime.combine, date.fromordinal
        for ordinal in range(first, last):
            d = fromordinal(ordinal)
            if d.weekday() not in weekdays or d in holidays:
                continue
            s = to_us(combine(d, open_, zone))
            e = to_us(combine(d, close, zone))
            if e <= s:
                continue
            starts.append(s)
            ends.append(e)
            cum_start.append(total)
            total += e - s
            cum_end.append(total)
        old_starts, old_cum_start = self._days[2], self._days[4]
        if old_starts and starts:
            # keep cum values stable across rebuilds: the old first interval keeps its value
            k = bisect_left(starts, old_starts[0])
            if k < len(starts) and starts[k] == old_starts[0]:
                shift = old_cum_start[0] - cum_start[k]
                if shift:
                    cum_start = [c + shift for c in cum_start]
                    cum_end = [c + shift for c in cum_end]
        self._days = (first, last, starts, ends, cum_start, cum_end)


def clock_for(name: str, calendar: BusinessCalendar) -> BusinessCalendar | AlwaysClock:
    """The clock named ``"business"`` or ``"24x7"``."""
    return ALWAYS if name == "24x7" else calendar
