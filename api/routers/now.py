"""What time the service keeps: the pages draw "now" (the deadline timeline, how late an escalation
is) by the server's clock, never the browser's (in dev mode the clock may have been moved ahead)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from api.deps import AnyActor, EngineDep
from api.routing import Router

router = Router(tags=["clock"])


class ClockNowOut(BaseModel):
    now: datetime = Field(description="the service's clock (in dev mode it may have been moved forward)")


@router.get("/clock", response_model=ClockNowOut)
def clock(engine: EngineDep, actor: AnyActor) -> ClockNowOut:
    """The instant the service's deadlines are measured against (what "now" is on the pages)."""
    return ClockNowOut(now=engine.clock.now())
