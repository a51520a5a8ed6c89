"""The `Idempotency-Key` request header (IETF draft-ietf-httpapi-idempotency-key-header) on the
routes that create something: a retry of the same request gets the first answer (engine/idempotency.py).

The key is 1-200 visible ASCII characters, unique per request the caller means (a UUID is fine).
The same key with the same body answers with the first answer (status and body as then, with
`Idempotent-Replayed: true`); with another body it is refused with 409.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Annotated, Any

from fastapi import Header
from fastapi.responses import Response
from pydantic import BaseModel

from engine.errors import InvalidVariablesError, VariableProblem
from engine.idempotency import Answer, IdempotentRequest

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
DESCRIPTION = (
    "Makes a retry safe: the same key with the same body answers with the first answer (a replay, "
    "marked `Idempotent-Replayed: true`) instead of doing it twice; the same key with another body "
    "is refused with 409. 1-200 visible ASCII characters, e.g. a UUID; kept for 7 days."
)

KeyHeader = Annotated[
    str | None,
    Header(alias=HEADER, description=DESCRIPTION, examples=["3f0c8a52-6d1e-4c5e-9a51-7b1f0e8d2c44"]),
]


def request_for(operation: str, key: str, body: BaseModel) -> IdempotentRequest:
    """The engine's view of a keyed request: the key, checked, and a digest of the parsed body
    (so the same JSON written with other spacing or key order is the same request)."""
    if not KEY.match(key):
        problem = VariableProblem(HEADER, "must be 1-200 visible ASCII characters", "Ugyldig nøgle.")
        raise InvalidVariablesError([problem])
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return IdempotentRequest(operation, key, hashlib.sha256(canonical.encode()).hexdigest())


def respond(answer: Answer, status: int) -> Response:
    headers: dict[str, Any] = {REPLAYED: "true"} if answer.replayed else {}
    return Response(answer.text, status_code=status, media_type="application/json", headers=headers)
