"""Delivering a message to the case waiting for it."""

from __future__ import annotations

import json
from typing import Any

from fastapi.responses import Response

from api.deps import CaseActor, EngineDep
from api.idempotency import KeyHeader, request_for, respond
from api.routing import Router
from api.schemas.cases import CaseOut, MessageIn

router = Router(tags=["messages"])


@router.post("/messages", response_model=list[CaseOut])
def correlate(
    engine: EngineDep, actor: CaseActor, body: MessageIn, idempotency_key: KeyHeader = None
) -> list[CaseOut] | Response:
    """Correlate by business key (or case id); no match, or several without `all`, is refused (409).
    Send an `Idempotency-Key` to make a retry after a time-out safe."""
    arguments: dict[str, Any] = {
        "actor": actor,
        "business_key": body.business_key,
        "instance_id": body.case_id,
        "variables": body.variables,
        "all_matches": body.all,
    }
    if idempotency_key is None:
        return [CaseOut.of(c) for c in engine.correlate(body.name, **arguments)]
    answer = engine.correlate_once(
        body.name,
        request=request_for("correlate", idempotency_key, body),
        render=lambda cases: json.dumps([CaseOut.of(c).model_dump(mode="json") for c in cases]),
        **arguments,
    )
    return respond(answer, 200)
