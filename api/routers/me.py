"""Who is calling and what time the service keeps: what the pages need to choose the caller's start
page (a caseworker's inbox, a leader's overview) and to draw "now" by the server's clock."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from api.deps import EngineDep, allow
from api.routing import Router
from engine.model import Actor, Role

router = Router(tags=["me"])

AnyRole = Annotated[Actor, allow(*Role)]


class MeOut(BaseModel):
    user_id: str = Field(examples=["anna.rg"])
    municipality: str = Field(examples=["0101"])
    roles: list[Role] = Field(description="caseworker, leader, process_owner, integrator, admin")
    teams: list[str] = Field(examples=[["team-a"]])


class ClockNowOut(BaseModel):
    now: datetime = Field(description="the service's clock (in dev mode it may have been moved forward)")


@router.get("/me", response_model=MeOut)
def me(actor: AnyRole) -> MeOut:
    """The caller as the service sees them: user id, municipality, roles and teams."""
    return MeOut(
        user_id=actor.user_id,
        municipality=actor.municipality,
        roles=sorted(actor.roles),
        teams=sorted(actor.teams),
    )


@router.get("/clock", response_model=ClockNowOut)
def clock(engine: EngineDep, actor: AnyRole) -> ClockNowOut:
    """The instant the service's deadlines are measured against (what "now" is on the pages)."""
    return ClockNowOut(now=engine.clock.now())
