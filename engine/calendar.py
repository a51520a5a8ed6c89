"""The Danish legal calendar: working days, holidays and date arithmetic in Europe/Copenhagen.

This module owns every piece of calendar arithmetic behind Sagsflow's legal deadlines:

* which days are working days (*hverdage*): Monday to Friday, except Danish public holidays
  and the days the municipality's offices are closed (`CalendarPolicy`);
* elapsed time: "24 hours" is 24 real hours, also across a daylight-saving switch;
* civil time: "4 months" or "14 days" is counted on the local calendar of Copenhagen,
  clamped to the end of the month, keeping the local wall time;
* ISO 8601 durations and repeating cycles, as used by timer definitions.

It is pure: no I/O and no wall clock. Every input instant is a timezone-aware `datetime`
(naive ones raise `ValueError`); every output is an aware `datetime` in UTC. No result
depends on the process time zone (`TZ`).

Local times that do not exist, or exist twice
---------------------------------------------
Civil arithmetic can land on a local wall time that the switch to summer time skips (last
Sunday of March, 02:00-03:00) or that the switch back repeats (last Sunday of October,
02:00-03:00). Both are resolved the way Python reads `fold=0` (PEP 495):

* a skipped time moves forward by the length of the gap: 02:30 becomes 03:30 CEST;
* a repeated time is its first occurrence: 02:30 CEST, not 02:30 CET.
"""

from __future__ import annotations

import re
from calendar import monthrange  # the standard library's calendar module, not this one
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

COPENHAGEN = ZoneInfo("Europe/Copenhagen")

_SATURDAY = 5


# --- Working days -------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarPolicy:
    """Which days, besides weekends and public holidays, are not working days.

    Danish public holidays (helligdage) are fixed by law and come from the `holidays`
    package, public category only. Store Bededag is a holiday up to 2023 and a working day
    from 2024 (it was abolished by law; the package knows this).

    Christmas Eve (24 Dec), New Year's Eve (31 Dec) and Constitution Day (5 June) are not
    public holidays, but municipal offices usually close on them, all day or (5 June) from
    noon, by collective agreement or local practice. By default each of them is therefore
    NOT a working day. A municipality that keeps its offices open
    sets the flag to False. Note the trade-off: a closed day moves a working-day deadline
    one day later.

    The `holidays` package lists these three days (and 1 May) in its "optional" category,
    and older versions handled 5 June differently; this module never reads that category,
    so the result depends only on these flags. 1 May and other local closures (for example
    the Friday after Ascension Day, if the offices close) go in `extra_closed_days`, one
    date per year.
    """

    christmas_eve_closed: bool = True
    new_years_eve_closed: bool = True
    constitution_day_closed: bool = True
    extra_closed_days: frozenset[date] = frozenset()

    def is_closed(self, day: date) -> bool:
        """True if the offices are closed on `day` although it is not a public holiday."""
        month_day = (day.month, day.day)
        return (
            (self.christmas_eve_closed and month_day == (12, 24))
            or (self.new_years_eve_closed and month_day == (12, 31))
            or (self.constitution_day_closed and month_day == (6, 5))
            or day in self.extra_closed_days
        )


DEFAULT_POLICY = CalendarPolicy()


def is_public_holiday(day: date) -> bool:
    """True if `day` is a Danish public holiday (helligdag), Sundays like Easter Sunday included."""
    return _require_date(day) in _public_holidays(day.year)


def is_working_day(day: date, policy: CalendarPolicy = DEFAULT_POLICY) -> bool:
    """True if `day` is a hverdag: Monday to Friday, not a public holiday, offices open."""
    _require_date(day)
    return day.weekday() < _SATURDAY and not is_public_holiday(day) and not policy.is_closed(day)


@lru_cache(maxsize=512)
def _public_holidays(year: int) -> frozenset[date]:
    danish = holidays.country_holidays("DK", years=year, categories=(holidays.PUBLIC,))
    return frozenset(danish.keys())


def _require_date(day: date) -> date:
    # A datetime is a date too, but its calendar day depends on its zone: ask for local_date().
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError(f"expected a date, got {type(day).__name__}; use local_date(instant)")
    return day


# --- Instants and local time --------------------------------------------------------------


def to_utc(instant: datetime) -> datetime:
    """Return `instant` in UTC. Raise ValueError if it is naive (has no UTC offset)."""
    if not isinstance(instant, datetime):
        raise TypeError(f"expected a datetime, got {type(instant).__name__}")
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{instant.isoformat()} is naive; instants must carry a UTC offset")
    return instant.astimezone(UTC)


def local_date(instant: datetime) -> date:
    """The calendar day in Copenhagen on which `instant` falls."""
    return to_utc(instant).astimezone(COPENHAGEN).date()


def at_local_time(day: date, wall: time) -> datetime:
    """The instant (UTC) when Copenhagen's clocks show `wall` on `day`.

    A wall time skipped by the spring switch moves forward by the gap; a wall time repeated
    in the autumn is its first occurrence (see the module docstring).
    """
    naive_wall = wall.replace(tzinfo=None, fold=0)
    return datetime.combine(day, naive_wall, tzinfo=COPENHAGEN).astimezone(UTC)


# --- Elapsed and civil arithmetic ---------------------------------------------------------


def add_elapsed(start: datetime, delta: timedelta) -> datetime:
    """`start` plus `delta` of real (elapsed) time: 24 hours is always 86,400 seconds."""
    return to_utc(start) + delta


def add_months(start: datetime, months: int) -> datetime:
    """Add calendar months in Copenhagen, clamped to the month end, keeping the wall time.

    31 Oct 2025 10:00 + 4 months = 28 Feb 2026 10:00; 1 Mar 2026 00:30 CET + 4 months =
    1 Jul 2026 00:30 CEST.
    """
    return _shift_civil(start, months=months, days=0)


def add_days(start: datetime, days: int) -> datetime:
    """Add calendar days in Copenhagen, keeping the local wall time (not 24-hour blocks)."""
    return _shift_civil(start, months=0, days=days)


def add_working_days(start: datetime, n: int, policy: CalendarPolicy = DEFAULT_POLICY) -> datetime:
    """The end of the n-th working day after the local date of `start` (see `working_days_after`):
    the instant of local midnight that ends that day (the start of the following day), in UTC."""
    return end_of_day(working_days_after(local_date(start), n, policy))


# --- Days ---------------------------------------------------------------------------------


def working_days_after(day: date, n: int, policy: CalendarPolicy = DEFAULT_POLICY) -> date:
    """The n-th working day after `day`.

    `day` itself never counts, whatever kind of day it is: a report received on a Saturday,
    a holiday or a working day at 08:00 all count from the next working day.
    """
    _require_date(day)
    if n < 1:
        raise ValueError(f"the number of working days must be at least 1, got {n}")
    remaining = n
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day, policy):
            remaining -= 1
    return day


def working_day_on_or_before(day: date, policy: CalendarPolicy = DEFAULT_POLICY) -> date:
    """`day` if it is a working day, else the last working day before it (a proposed date
    moved back, so that it stays within the deadline it was proposed for)."""
    _require_date(day)
    while not is_working_day(day, policy):
        day -= timedelta(days=1)
    return day


def months_after(day: date, months: int) -> date:
    """The same day of the month `months` later (or earlier), clamped to the month end:
    31 Oct 2025 + 4 months = 28 Feb 2026."""
    return _add_months_to_date(_require_date(day), months)


def start_of_day(day: date) -> datetime:
    """The instant (UTC) when `day` begins in Copenhagen (00:00 local)."""
    return at_local_time(_require_date(day), time(0))


def end_of_day(day: date) -> datetime:
    """The instant (UTC) when `day` has ended in Copenhagen: 00:00 local of the following day.

    A deadline whose last day is `day` is met by anything done before this instant and
    breached at it, so this is the due instant of a calendar deadline. The day is 23 or 25
    hours long on the days of the DST switches; this follows the local calendar, not 24 hours.
    """
    return at_local_time(_require_date(day) + timedelta(days=1), time(0))


def _shift_civil(start: datetime, months: int, days: int) -> datetime:
    """Move the local date by months (clamped) and then days, keeping the local wall time."""
    start_utc = to_utc(start)
    if months == 0 and days == 0:
        return start_utc  # keep the instant, even in the repeated autumn hour
    local = start_utc.astimezone(COPENHAGEN)
    day = _add_months_to_date(local.date(), months) + timedelta(days=days)
    return at_local_time(day, local.time())


def _add_months_to_date(day: date, months: int) -> date:
    month_index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(month_index, 12)
    month += 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


# --- ISO 8601 durations and cycles --------------------------------------------------------

_ISO_DURATION = re.compile(
    r"P(?:(?P<years>[0-9]+)Y)?(?:(?P<months>[0-9]+)M)?(?:(?P<weeks>[0-9]+)W)?(?:(?P<days>[0-9]+)D)?"
    r"(?:T(?P<time>(?:(?P<hours>[0-9]+)H)?(?:(?P<minutes>[0-9]+)M)?(?:(?P<seconds>[0-9]+)S)?))?"
)


@dataclass(frozen=True)
class IsoDuration:
    """An ISO 8601 duration PnYnMnWnDTnHnMnS with whole, non-negative numbers.

    Years, months, weeks and days are civil time (the local calendar of Copenhagen, month
    ends clamped); hours, minutes and seconds are elapsed time, added after the date part.
    """

    years: int = 0
    months: int = 0
    weeks: int = 0
    days: int = 0
    hours: int = 0
    minutes: int = 0
    seconds: int = 0

    @property
    def calendar_months(self) -> int:
        return self.years * 12 + self.months

    @property
    def calendar_days(self) -> int:
        return self.weeks * 7 + self.days

    @property
    def elapsed(self) -> timedelta:
        return timedelta(hours=self.hours, minutes=self.minutes, seconds=self.seconds)

    @property
    def is_zero(self) -> bool:
        return not (self.calendar_months or self.calendar_days or self.elapsed)

    def times(self, k: int) -> IsoDuration:
        """This duration with every component multiplied by `k`."""
        return IsoDuration(**{f.name: getattr(self, f.name) * k for f in fields(self)})


def parse_iso_duration(iso: str) -> IsoDuration:
    """Parse an ISO 8601 duration such as "P4M", "P14D", "PT24H" or "P1Y2M3W4DT5H6M7S".

    Raise ValueError for anything else: fractions ("P1.5M"), signs ("-P1D"), an empty "P"
    or "PT", lower case, spaces, or components out of order. Use it to validate timer
    expressions when a diagram is deployed.
    """
    if not isinstance(iso, str):
        raise ValueError(f"an ISO 8601 duration must be a string, got {type(iso).__name__}")
    match = _ISO_DURATION.fullmatch(iso)
    if match is None:
        raise ValueError(
            f"{iso!r} is not a supported ISO 8601 duration: expected PnYnMnWnDTnHnMnS with "
            "whole, non-negative numbers in that order, e.g. 'P4M', 'P14D' or 'PT24H'"
        )
    if match["time"] == "":
        raise ValueError(f"{iso!r} has a 'T' but no hours, minutes or seconds after it")
    parts = {
        name: int(value) for name, value in match.groupdict().items() if name != "time" and value is not None
    }
    if not parts:
        raise ValueError(f"{iso!r} has no components; write e.g. 'P4M' or 'PT24H'")
    return IsoDuration(**parts)


def add_duration(start: datetime, duration: IsoDuration) -> datetime:
    """`start` plus `duration`: civil months and days first, then elapsed hours/minutes/seconds."""
    try:
        civil = _shift_civil(start, duration.calendar_months, duration.calendar_days)
        return civil + duration.elapsed
    except OverflowError as error:
        raise ValueError(f"{duration} from {start.isoformat()} is out of range") from error


def add_iso_duration(start: datetime, iso: str) -> datetime:
    """`start` plus the ISO 8601 duration `iso` (see `parse_iso_duration` and `add_duration`)."""
    return add_duration(start, parse_iso_duration(iso))


def next_cycle_slot(anchor: datetime, iso_period: str, after: datetime) -> datetime:
    """The first slot anchor + k * period (k >= 1) strictly after `after`.

    Every slot is computed from the anchor, never by adding the period to the previous slot,
    so month-end clamping does not drift: from 31 Jan, P1M gives 28 Feb, 31 Mar, 30 Apr.
    For catch-up after downtime, pass the current instant as `after`: the caller fires the
    missed occurrence once and continues from the returned future slot.
    """
    period = parse_iso_duration(iso_period)
    if period.is_zero:
        raise ValueError(f"the cycle period {iso_period!r} is zero")
    after_utc = to_utc(after)
    # Slots grow with k, so double k until a slot lies after `after`, then bisect.
    low, high = 0, 1
    while add_duration(anchor, period.times(high)) <= after_utc:
        low, high = high, high * 2
    while high - low > 1:
        middle = (low + high) // 2
        if add_duration(anchor, period.times(middle)) <= after_utc:
            low = middle
        else:
            high = middle
    return add_duration(anchor, period.times(high))
