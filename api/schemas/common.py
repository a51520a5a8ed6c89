"""Shared response pieces."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

T = TypeVar("T")


class Strict(BaseModel):
    """Request bodies refuse unknown fields (no mass assignment of system fields) and text that is
    not valid Unicode (an unpaired surrogate such as "\\ud800" cannot be stored as UTF-8)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="after")
    def _valid_unicode(self) -> Strict:
        if not _encodable(self.__dict__):
            raise ValueError("text must be valid Unicode (no unpaired surrogates)")
        return self


def _encodable(value: Any, depth: int = 0) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if depth > 64:
        return True  # depth is refused elsewhere; do not recurse without bound
    if isinstance(value, dict):
        return all(_encodable(k, depth + 1) and _encodable(v, depth + 1) for k, v in value.items())
    if isinstance(value, list | tuple):
        return all(_encodable(v, depth + 1) for v in value)
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
