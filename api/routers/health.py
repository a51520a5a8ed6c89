"""Liveness: the only unauthenticated API route (the /ui pages are public shells without data)."""

from __future__ import annotations

from typing import Any

from api.deps import public
from api.routing import Router

router = Router(tags=["health"])


@router.get("/health", dependencies=[public()])
def health() -> dict[str, Any]:
    return {"status": "ok"}
