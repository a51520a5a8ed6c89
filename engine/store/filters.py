"""Query conditions the store's list functions share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import col


def equal_where_given(values: Mapping[Any, object]) -> list[ColumnElement[bool]]:
    """`column == value` for every column whose filter value is given (not None)."""
    return [col(column) == value for column, value in values.items() if value is not None]
