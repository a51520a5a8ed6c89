"""Danish wording for what the engine tells a caseworker: local dates and numbers as the pages
write them ("19.11.2027", "2,5"). The English texts stay beside them for integrators."""

from __future__ import annotations

from datetime import date, datetime

from engine.calendar import local_date


def day(value: date | datetime) -> str:
    """A date as Danes write it, "19.11.2027"; an instant as its Copenhagen calendar day."""
    found = local_date(value) if isinstance(value, datetime) else value
    return f"{found.day:02d}.{found.month:02d}.{found.year:04d}"


def number(value: float | int | str) -> str:
    """A number with a decimal comma ("2,5"), integers without decimals ("14")."""
    try:
        parsed = float(value)
    except (TypeError, ValueError):
        return str(value)
    if parsed.is_integer():
        return str(int(parsed))
    return f"{parsed:g}".replace(".", ",")
