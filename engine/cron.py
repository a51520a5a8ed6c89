"""Quartz cron expressions as Camunda 7 reads them in a timer cycle ('0 0/5 * * * ?').

Six or seven fields: seconds, minutes, hours, day of month, month, day of week (1 = Sunday, or
SUN-SAT), optional year. `?` means "no value" (as `*`). `L`, `W` and `#` are refused with a
clear message. The fields are translated to APScheduler's CronTrigger, which computes the slots
on the Europe/Copenhagen wall clock (Camunda uses the server's time zone; Sagsflow's is Danish).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

from engine.calendar import to_utc

ZONE = "Europe/Copenhagen"
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # Quartz 1..7
_FIELD = re.compile(r"^[0-9A-Za-z*?/,\-]+$")
_DAY_TOKEN = re.compile(r"\d+")


class CronError(ValueError):
    """The text is not a Quartz cron expression Sagsflow runs."""


def is_cron(text: str) -> bool:
    """Six or seven whitespace-separated fields of cron characters (not an ISO cycle)."""
    fields = text.split()
    return len(fields) in (6, 7) and all(_FIELD.match(f) for f in fields)


_NAMES = re.compile(r"(?i)\b(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC|SUN|MON|TUE|WED|THU|FRI|SAT)\b")


def unsupported_marks(text: str) -> list[str]:
    """Which of Quartz's L, W and # the expression uses (month and day names left out)."""
    rest = _NAMES.sub("", text).upper()
    return [mark for mark in ("L", "W", "#") if mark in rest]


def trigger(text: str) -> CronTrigger:
    """The trigger of a Quartz expression; `CronError` says what is not supported or wrong."""
    fields = text.split()
    if len(fields) not in (6, 7):
        raise CronError(f"a Quartz cron expression has 6 or 7 fields, not {len(fields)}: {text!r}")
    unsupported = unsupported_marks(text)
    if unsupported:
        raise CronError(
            f"Quartz cron {text!r}: {', '.join(unsupported)} (last/weekday/nth day) are not supported"
        )
    second, minute, hour, day, month, week_day, *year = fields
    try:
        return CronTrigger(
            second=second,
            minute=minute,
            hour=hour,
            day=_any(day),
            month=month.lower(),
            day_of_week=_week_day(week_day),
            year=year[0] if year and year[0] not in ("*", "?") else None,
            timezone=ZONE,
        )
    except ValueError as err:
        raise CronError(f"Quartz cron {text!r}: {err}") from None


def next_after(text: str, after: datetime) -> datetime | None:
    """The first slot strictly after `after` (UTC), or None when there is none (a past year)."""
    found = trigger(text).get_next_fire_time(None, after + timedelta(microseconds=1))
    return None if found is None else to_utc(found)


def _any(value: str) -> str:
    return "*" if value == "?" else value


def _week_day(value: str) -> str:
    """Quartz numbers days 1 (Sunday) to 7; APScheduler takes names. A step needs '*' or a range."""
    value = _any(value).lower()
    if "/" in value and not value.startswith("*"):
        raise CronError(f"a day-of-week step must start from '*' (not {value!r})")

    def name(match: re.Match[str]) -> str:
        number = int(match.group())
        if not 1 <= number <= 7:
            raise CronError(f"day of week {number} is outside 1-7 (1 = Sunday)")
        return _DAYS[number - 1]

    head, _, step = value.partition("/")
    return _DAY_TOKEN.sub(name, head) + (f"/{step}" if step else "")
