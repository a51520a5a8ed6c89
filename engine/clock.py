"""The only place that reads the wall clock.

Everything time-dependent in Sagsflow takes a `Clock`, so tests can run a four-month
deadline in milliseconds with a `FakeClock`, and a dev-mode server can jump ahead.
All instants are timezone-aware and in UTC.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """A source of the current instant (aware, UTC)."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when told to. Thread-safe."""

    def __init__(self, start: datetime | None = None) -> None:
        start = start or datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
        self._now = _require_aware(start).astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def move_to(self, instant: datetime) -> None:
        """Jump to `instant`, also backwards (tests model wall-clock jumps with it)."""
        instant = _require_aware(instant).astimezone(UTC)
        with self._lock:
            self._now = instant

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            if delta < timedelta(0):
                raise ValueError("a FakeClock never moves backwards")
            self._now += delta
            return self._now


class OffsetClock:
    """The wall clock shifted forward by a settable offset (dev mode: "jump 4 months")."""

    def __init__(self, base: Clock | None = None) -> None:
        self._base = base or SystemClock()
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._base.now() + self._offset

    @property
    def offset(self) -> timedelta:
        return self._offset

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("the clock only moves forwards")
        with self._lock:
            self._offset += delta
        return self.now()


def _require_aware(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("instants must be timezone-aware")
    return instant
