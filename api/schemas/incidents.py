"""Incidents in the native API: what needs a human on a case."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from engine.model import IncidentInfo


class IncidentOut(BaseModel):
    id: str
    case_id: str
    process_key: str
    type: str  # failedStep, failedTimer, failedExternalTask
    message: str
    element_id: str | None
    task_id: str | None
    created_at: datetime
    resolved_at: datetime | None

    @classmethod
    def of(cls, i: IncidentInfo) -> IncidentOut:
        return cls(
            id=i.id,
            case_id=i.instance_id,
            process_key=i.process_key,
            type=i.type,
            message=i.message,
            element_id=i.element_id,
            task_id=i.task_id,
            created_at=i.created_at,
            resolved_at=i.resolved_at,
        )
