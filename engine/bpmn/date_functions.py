"""The legal-calendar functions a process owner may call in `${…}` expressions.

The same code as the engine's own deadlines (`engine/calendar.py`, `engine/deadlines.py`), so a
municipality's own reminders and deadlines written in a diagram count days exactly as the legal
ones do. Each takes a date ("2026-12-02") or an instant with its offset
("2026-12-02T10:00:00+01:00") and reads it as its Copenhagen day; each answers None when given
None or "" (a fact not recorded yet), so a default or a condition never fails for a missing fact.

Days are written as "YYYY-MM-DD" and mean the whole day: a deadline timer (purpose `breach`)
whose value is a day fires when that day has ended, any other timer when it begins.
`end_of_day` gives the instant itself, for a timer that should wait until a day has ended
whatever its purpose.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from engine.calendar import (
    DEFAULT_POLICY,
    months_after,
    working_days_after,
)
from engine.calendar import (
    end_of_day as calendar_end_of_day,
)
from engine.calendar import (
    working_day_on_or_before as calendar_working_day_on_or_before,
)
from engine.deadlines import format_instant, parse_day, parse_due


def _day(value: Any) -> date | None:
    return None if value in (None, "") else parse_day(value)


def _count(n: Any) -> int:
    """A whole number of days or months (a DMN result may arrive as 14, 14.0 or "14")."""
    try:
        count = int(n) if not isinstance(n, bool) else None
    except (TypeError, ValueError):
        count = None
    if count is None or (isinstance(n, float) and n != count):
        raise ValueError(f"expected a whole number, got {n!r}")
    return count


def add_days(value: Any, days: Any) -> str | None:
    """The day `days` calendar days after the day of `value` (negative: before)."""
    day = _day(value)
    return None if day is None or days is None else (day + timedelta(days=_count(days))).isoformat()


def add_months(value: Any, months: Any) -> str | None:
    """The same day of the month `months` months after the day of `value`, clamped to the month
    end (31 Oct + 4 months = 28 Feb): how "within 4 months" counts its last day."""
    day = _day(value)
    return None if day is None or months is None else months_after(day, _count(months)).isoformat()


def add_working_days(value: Any, days: Any) -> str | None:
    """The `days`-th working day (hverdag) after the day of `value`, which itself never counts:
    how "within 6 working days" counts its last day. `days` must be at least 1."""
    day = _day(value)
    if day is None or days is None:
        return None
    return working_days_after(day, _count(days), DEFAULT_POLICY).isoformat()


def working_day_on_or_before(value: Any) -> str | None:
    """The day of `value` if it is a working day, else the last working day before it: a
    proposed date moved back onto a working day, still within the deadline it was proposed for."""
    day = _day(value)
    return None if day is None else calendar_working_day_on_or_before(day, DEFAULT_POLICY).isoformat()


def end_of_day(value: Any) -> str | None:
    """The instant (UTC) the day of `value` has ended in Copenhagen: 00:00 of the next day."""
    day = _day(value)
    return None if day is None else format_instant(calendar_end_of_day(day))


def earliest(*values: Any) -> Any:
    """The earliest of the given deadlines, ignoring missing ones (None if all are missing). Days
    and instants may be mixed: a day counts until it has ended. Returns the value as given."""
    present = [v for v in values if v not in (None, "")]
    if not present:
        return None
    return min(present, key=lambda v: parse_due(v).due_at)


DATE_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "add_days": add_days,
    "add_months": add_months,
    "add_working_days": add_working_days,
    "working_day_on_or_before": working_day_on_or_before,
    "end_of_day": end_of_day,
    "earliest": earliest,
}
