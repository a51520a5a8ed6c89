"""Shared response pieces."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

T = TypeVar("T")
MAX_OFFSET = 1_000_000_000  # keeps offsets inside a 64-bit database integer


class Strict(BaseModel):
    """Request bodies refuse unknown fields (no mass assignment of system fields), and text with
    NUL characters or unpaired surrogates (PostgreSQL cannot store them, SQLite can: the same
    request must get the same answer on both). `variables` are left to `engine/variables.py`,
    which names the offending variable."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="after")
    def _storable_text(self) -> Strict:
        storable_fields(self)
        return self


ENGINE_VALIDATED = frozenset({"variables"})


def storable_fields(model: BaseModel, engine_validated: frozenset[str] = ENGINE_VALIDATED) -> None:
    """Refuse text with NUL characters or unpaired surrogates in a request body's fields (see
    `Strict`); fields the engine validates itself (variables) are left to it."""
    fields = {k: v for k, v in model.__dict__.items() if k not in engine_validated}
    if not _storable(fields):
        raise ValueError("text must be valid Unicode without NUL characters")


def _storable(value: Any, depth: int = 0) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return "\x00" not in value
    if depth > 64:
        return True  # depth is refused elsewhere; do not recurse without bound
    if isinstance(value, dict):
        return all(_storable(k, depth + 1) and _storable(v, depth + 1) for k, v in value.items())
    if isinstance(value, list | tuple):
        return all(_storable(v, depth + 1) for v in value)
    return True


class PageOut(BaseModel, Generic[T]):
    items: list[T]
    total: int
    offset: int
    limit: int


Variables = dict[str, Any]


class ProblemOut(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    errors: list[dict[str, Any]] | None = Field(default=None)
