"""Incidents: steps that failed for an internal reason, timers that keep failing, external tasks out
of retries. Each names its case and element; the case stayed as it was (see engine/incidents.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from api.deps import EngineDep, Operator
from api.routing import Router
from api.schemas.common import MAX_OFFSET
from api.schemas.incidents import IncidentOut
from engine.monitoring import IncidentFilter

router = Router(tags=["incidents"])


@router.get("/incidents", response_model=list[IncidentOut])
def list_incidents(
    engine: EngineDep,
    actor: Operator,
    case_id: Annotated[str | None, Query(max_length=36)] = None,
    type: Annotated[str | None, Query(max_length=50)] = None,
    include_resolved: bool = False,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[IncidentOut]:
    """Open incidents of the caller's municipality, oldest first (with `include_resolved`, also
    those resolved: by a retry that succeeded, new retries or the case moving on)."""
    f = IncidentFilter(instance_id=case_id, incident_type=type, include_resolved=include_resolved)
    return [IncidentOut.of(i) for i in engine.list_incidents(f, actor=actor, offset=offset, limit=limit)]
