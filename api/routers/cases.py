"""Cases: open one from an underretning, start any process, read and list."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Query
from fastapi.responses import Response

from api.deps import CaseActor, EngineDep
from api.idempotency import KeyHeader, request_for, respond
from api.routing import Router
from api.schemas.cases import CaseOut, DiagramOut, ReportIn, StartIn
from api.schemas.common import MAX_OFFSET, PageOut
from engine.instances import ReportOfConcern
from engine.model import InstanceFilter

router = Router(tags=["cases"])


@router.post("/cases", status_code=201, response_model=CaseOut)
def open_case(
    engine: EngineDep, actor: CaseActor, report: ReportIn, idempotency_key: KeyHeader = None
) -> CaseOut | Response:
    """Open a case from an underretning; its 24-hour and receipt deadlines start now.

    A `case_number` that an open case already has is refused with 409 naming that case
    (`existing_case_id`). Send an `Idempotency-Key` to make a retry after a time-out safe.
    """
    concern = ReportOfConcern(
        received_at=report.received_at,
        reporter_type=report.reporter_type,
        child_ref=report.child_ref,
        text=report.text,
        team=report.team,
        business_key=report.case_number,
    )
    if idempotency_key is None:
        return CaseOut.of(engine.open_case(concern, actor=actor))
    answer = engine.open_case_once(
        concern,
        actor=actor,
        request=request_for("open case", idempotency_key, report),
        render=lambda case: CaseOut.of(case).model_dump_json(),
    )
    return respond(answer, 201)


@router.post("/processes/{key}/start", status_code=201, response_model=CaseOut)
def start_process(engine: EngineDep, actor: CaseActor, key: str, body: StartIn) -> CaseOut:
    """Start the newest version of process `key` with the given variables."""
    case = engine.start_instance(
        actor=actor, key=key, business_key=body.business_key, variables=body.variables
    )
    return CaseOut.of(case)


@router.get("/cases", response_model=PageOut[CaseOut])
def list_cases(
    engine: EngineDep,
    actor: CaseActor,
    status: str | None = None,
    phase: str | None = None,
    team: str | None = None,
    caseworker: str | None = None,
    business_key: str | None = None,
    process_key: str | None = None,
    activity: str | None = None,
    started_after: datetime | None = None,
    started_before: datetime | None = None,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> PageOut[CaseOut]:
    """Cases of the caller's municipality (caseworkers: their teams' and their own cases)."""
    f = InstanceFilter(
        municipality=actor.municipality,
        status=status,
        phase=phase,
        team=team,
        caseworker=caseworker,
        business_key=business_key,
        process_key=process_key,
        activity_id=activity,
        started_after=started_after,
        started_before=started_before,
    )
    page = engine.list_cases(f, actor=actor, offset=offset, limit=limit)
    return PageOut(items=[CaseOut.of(c) for c in page.items], total=page.total, offset=offset, limit=limit)


@router.get("/cases/{case_id}", response_model=CaseOut)
def get_case(engine: EngineDep, actor: CaseActor, case_id: str) -> CaseOut:
    """Phase, open tasks, deadlines, history and current variables of one case (access is logged)."""
    return CaseOut.of(engine.get_case(case_id, actor=actor), detail=True)


@router.get("/cases/{case_id}/diagram", response_model=list[DiagramOut])
def case_diagram(engine: EngineDep, actor: CaseActor, case_id: str) -> list[DiagramOut]:
    """The case's processes as BPMN with the completed and current element ids (access is logged)."""
    return [DiagramOut.of(d) for d in engine.case_diagrams(case_id, actor=actor)]
