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
        fields = {k: v for k, v in self.__dict__.items() if k not in ENGINE_VALIDATED}
        if not _storable(fields):
            raise ValueError("text must be valid Unicode without NUL characters")
        return self


ENGINE_VALIDATED = frozenset({"variables"})


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
