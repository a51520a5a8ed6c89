"""Delivering a message to the case waiting for it."""

from __future__ import annotations

from api.deps import CaseActor, EngineDep
from api.routing import Router
from api.schemas.cases import CaseOut, MessageIn

router = Router(tags=["messages"])


@router.post("/messages", response_model=list[CaseOut])
def correlate(engine: EngineDep, actor: CaseActor, body: MessageIn) -> list[CaseOut]:
    """Correlate by business key (or case id); no match, or several without `all`, is refused (409)."""
    cases = engine.correlate(
        body.name,
        actor=actor,
        business_key=body.business_key,
        instance_id=body.case_id,
        variables=body.variables,
        all_matches=body.all,
    )
    return [CaseOut.of(c) for c in cases]
