"""User tasks: the caseworkers' inbox, claiming and completing."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Response

from api.deps import Assigner, CaseActor, EngineDep, TaskActor
from api.routing import Router
from api.schemas.cases import CaseOut, ClaimIn, CompletionIn, TaskOut
from api.schemas.common import MAX_OFFSET, PageOut
from engine.model import TaskFilter

router = Router(tags=["tasks"])


@router.get("/tasks", response_model=PageOut[TaskOut])
def list_tasks(
    engine: EngineDep,
    actor: TaskActor,
    candidate_group: str | None = None,
    assignee: str | None = None,
    case_id: str | None = None,
    business_key: str | None = None,
    unassigned: bool = False,
    state: str = "open",
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> PageOut[TaskOut]:
    f = TaskFilter(
        municipality=actor.municipality,
        state=state,
        kind="user",
        instance_id=case_id,
        business_key=business_key,
        candidate_group=candidate_group,
        assignee=assignee,
        unassigned=unassigned,
    )
    page = engine.list_tasks(f, actor=actor, offset=offset, limit=limit)
    return PageOut(items=[TaskOut.of(t) for t in page.items], total=page.total, offset=offset, limit=limit)


@router.get("/tasks/{task_id}", response_model=TaskOut)
def get_task(engine: EngineDep, actor: TaskActor, task_id: str) -> TaskOut:
    """One task with its form fields and the case variables it sees."""
    return TaskOut.of(engine.get_task(task_id, actor=actor))


@router.get("/tasks/{task_id}/camunda-form", response_class=Response)
def camunda_form(engine: EngineDep, actor: TaskActor, task_id: str) -> Response:
    """The task's Camunda Form (form-js JSON schema); 204 when it names none."""
    form = engine.task_form_file(task_id, actor=actor)
    if form is None or form.media_type != "application/json":
        return Response(status_code=204)
    return Response(content=form.content, media_type=form.media_type)


@router.post("/tasks/{task_id}/claim", response_model=TaskOut)
def claim(engine: EngineDep, actor: Assigner, task_id: str, body: ClaimIn | None = None) -> TaskOut:
    return TaskOut.of(engine.claim_task(task_id, actor=actor, user_id=body.user_id if body else None))


@router.post("/tasks/{task_id}/unclaim", response_model=TaskOut)
def unclaim(engine: EngineDep, actor: Assigner, task_id: str) -> TaskOut:
    return TaskOut.of(engine.unclaim_task(task_id, actor=actor))


@router.post("/tasks/{task_id}/complete", response_model=CaseOut)
def complete(engine: EngineDep, actor: CaseActor, task_id: str, body: CompletionIn) -> CaseOut:
    """Complete a user task; the variables are checked against its form. A second completion gets 409."""
    return CaseOut.of(engine.complete_task(task_id, body.variables, actor=actor))
