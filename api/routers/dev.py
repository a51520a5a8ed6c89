"""Dev mode only: move the clock forward, so a demo can jump four months."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import HTTPException, Request
from pydantic import Field

from api.deps import AdminActor, EngineDep
from api.routing import Router
from api.schemas.common import Strict
from engine.clock import OffsetClock
from engine.service import Engine

router = Router(tags=["dev"])


class AdvanceIn(Strict):
    days: int = Field(default=0, ge=0, le=3660)
    hours: int = Field(default=0, ge=0, le=100_000)
    minutes: int = Field(default=0, ge=0, le=1_000_000)


class DevClockOut(Strict):
    now: datetime = Field(description="the engine's clock")
    offset_seconds: float = Field(description="how far it has been moved ahead of the wall clock")


class ClockOut(DevClockOut):
    fired: int = Field(description="timers that fell due and fired")


def _dev_clock(request: Request, engine: Engine) -> OffsetClock:
    clock = engine.clock
    if not request.app.state.settings.dev_clock or not isinstance(clock, OffsetClock):
        raise HTTPException(404, "the dev clock is not enabled")
    return clock


@router.get("/dev/clock", response_model=DevClockOut)
def read(request: Request, engine: EngineDep, actor: AdminActor) -> DevClockOut:
    """Where the dev clock stands (404 unless SAGSFLOW_DEV_CLOCK=1 in dev mode)."""
    clock = _dev_clock(request, engine)
    return DevClockOut(now=clock.now(), offset_seconds=clock.offset.total_seconds())


@router.post("/dev/clock/advance", response_model=ClockOut)
def advance(request: Request, engine: EngineDep, actor: AdminActor, body: AdvanceIn) -> ClockOut:
    """Move the engine's clock forward and fire every timer that became due (404 unless enabled)."""
    clock = _dev_clock(request, engine)
    now = clock.advance(timedelta(days=body.days, hours=body.hours, minutes=body.minutes))
    fired = engine.fire_due_timers().fired
    return ClockOut(now=now, offset_seconds=clock.offset.total_seconds(), fired=fired)
