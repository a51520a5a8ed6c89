"""Liveness and version; the only unauthenticated routes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import public

router = APIRouter(tags=["health"])


@router.get("/health", dependencies=[public()])
def health() -> dict[str, Any]:
    return {"status": "ok"}
