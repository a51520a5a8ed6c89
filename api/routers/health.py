"""Liveness: the only unauthenticated API route (the /ui pages are public shells without data)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import public

router = APIRouter(tags=["health"])


@router.get("/health", dependencies=[public()])
def health() -> dict[str, Any]:
    return {"status": "ok"}
