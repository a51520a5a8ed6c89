"""User tasks in Camunda's shapes: query (GET or POST body), count, read, claim, complete."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Response

from api.camunda.deps import FirstResult, MaxResults, TaskAssigner, TaskWorker
from api.camunda.query import CamundaRouter
from api.camunda.schemas import (
    CountOut,
    FormOut,
    TaskBpmnErrorIn,
    TaskCompleteIn,
    TaskEscalationIn,
    TaskOut,
    TaskQueryIn,
    UserIdIn,
    optional_date,
)
from api.camunda.variables import from_camunda, to_camunda, typed
from api.deps import EngineDep
from engine.errors import NotFoundError
from engine.model import Actor, TaskFilter
from engine.service import Engine

router = CamundaRouter(tags=["camunda: user tasks"])


def _filter(actor: Actor, q: TaskQueryIn) -> TaskFilter:
    return TaskFilter(
        municipality=actor.municipality,
        state="open",
        kind="user",
        process_instance_id=q.processInstanceId,
        process_business_key=q.processInstanceBusinessKey,
        process_key=q.processDefinitionKey,
        definition_id=q.processDefinitionId,
        element_id=q.taskDefinitionKey,
        assignee=q.assignee,
        assigned=bool(q.assigned),
        unassigned=bool(q.unassigned),
        candidate_group=q.candidateGroup,
        candidate_user=q.candidateUser,
        due_before=optional_date(q.dueBefore, "dueBefore"),
        due_after=optional_date(q.dueAfter, "dueAfter"),
    )


QueryParams = Annotated[TaskQueryIn, Depends()]


@router.get("/task", response_model=list[TaskOut])
def list_tasks(
    engine: EngineDep,
    actor: TaskWorker,
    q: QueryParams,
    firstResult: FirstResult = 0,
    maxResults: MaxResults = 100,
) -> list[TaskOut]:
    page = engine.list_tasks(_filter(actor, q), actor=actor, offset=firstResult, limit=maxResults)
    return [TaskOut.of(t) for t in page.items]


@router.post("/task", response_model=list[TaskOut])
def query_tasks(
    engine: EngineDep,
    actor: TaskWorker,
    body: TaskQueryIn | None = None,
    firstResult: FirstResult = 0,
    maxResults: MaxResults = 100,
) -> list[TaskOut]:
    page = engine.list_tasks(
        _filter(actor, body or TaskQueryIn()), actor=actor, offset=firstResult, limit=maxResults
    )
    return [TaskOut.of(t) for t in page.items]


@router.get("/task/count", response_model=CountOut)
def count_get(engine: EngineDep, actor: TaskWorker, q: QueryParams) -> CountOut:
    return CountOut(count=engine.list_tasks(_filter(actor, q), actor=actor, limit=1).total)


@router.post("/task/count", response_model=CountOut)
def count_post(engine: EngineDep, actor: TaskWorker, body: TaskQueryIn | None = None) -> CountOut:
    return CountOut(
        count=engine.list_tasks(_filter(actor, body or TaskQueryIn()), actor=actor, limit=1).total
    )


@router.get("/task/{task_id}", response_model=TaskOut)
def get_task(engine: EngineDep, actor: TaskWorker, task_id: str) -> TaskOut:
    return TaskOut.of(engine.get_task(task_id, actor=actor))


@router.get("/task/{task_id}/form", response_model=FormOut)
def task_form(engine: EngineDep, actor: TaskWorker, task_id: str) -> FormOut:
    """The task's `formKey`, or its Camunda Form reference (`camundaFormRef`)."""
    return FormOut.of(engine.task_form(task_id, actor=actor))


@router.get("/task/{task_id}/deployed-form", response_class=Response)
def deployed_form(engine: EngineDep, actor: TaskWorker, task_id: str) -> Response:
    """The deployed form file: a Camunda Form's JSON (formRef or camunda-forms:deployment:…); 204
    when the task names no deployed form."""
    form = engine.task_form_file(task_id, actor=actor)
    if form is None:
        return Response(status_code=204)
    return Response(content=form.content, media_type=form.media_type)


@router.get("/task/{task_id}/form-variables", response_model=dict[str, dict[str, Any]])
def form_variables(
    engine: EngineDep, actor: TaskWorker, task_id: str, variableNames: str | None = None
) -> dict[str, dict[str, Any]]:
    """The variables the task's form shows (all the task sees, or those in `variableNames`)."""
    return _task_variables(engine, actor, task_id, variableNames)


@router.get("/task/{task_id}/variables", response_model=dict[str, dict[str, Any]])
def task_variables(
    engine: EngineDep, actor: TaskWorker, task_id: str, variableNames: str | None = None
) -> dict[str, dict[str, Any]]:
    return _task_variables(engine, actor, task_id, variableNames)


@router.get("/task/{task_id}/variables/{name}", response_model=dict[str, Any])
def task_variable(engine: EngineDep, actor: TaskWorker, task_id: str, name: str) -> dict[str, Any]:
    variables = engine.get_task(task_id, actor=actor).variables or {}
    if name not in variables:
        raise NotFoundError("task variable", f"{name} of task {task_id}")
    return typed(variables[name])


def _task_variables(
    engine: Engine, actor: Actor, task_id: str, names: str | None
) -> dict[str, dict[str, Any]]:
    variables = engine.get_task(task_id, actor=actor).variables or {}
    wanted = set(names.split(",")) if names else None
    return to_camunda({k: v for k, v in variables.items() if wanted is None or k in wanted})


@router.post("/task/{task_id}/claim", status_code=204, response_class=Response)
def claim(engine: EngineDep, actor: TaskAssigner, task_id: str, body: UserIdIn | None = None) -> Response:
    engine.claim_task(task_id, actor=actor, user_id=(body.userId if body else None) or None)
    return Response(status_code=204)


@router.post("/task/{task_id}/unclaim", status_code=204, response_class=Response)
def unclaim(engine: EngineDep, actor: TaskAssigner, task_id: str) -> Response:
    engine.unclaim_task(task_id, actor=actor)
    return Response(status_code=204)


@router.post("/task/{task_id}/assignee", status_code=204, response_class=Response)
def set_assignee(engine: EngineDep, actor: TaskAssigner, task_id: str, body: UserIdIn) -> Response:
    if body.userId:
        engine.claim_task(task_id, actor=actor, user_id=body.userId)
    else:
        engine.unclaim_task(task_id, actor=actor)
    return Response(status_code=204)


@router.post("/task/{task_id}/complete", response_model=dict[str, dict[str, Any]])
def complete(engine: EngineDep, actor: TaskWorker, task_id: str, body: TaskCompleteIn | None = None) -> Any:
    """204; with `withVariablesInReturn` 200 and the case's variables after the completion."""
    wanted = bool(body and body.withVariablesInReturn)
    case = engine.complete_task(
        task_id, from_camunda(body.variables if body else None), actor=actor, with_variables=wanted
    )
    return to_camunda(case.variables) if wanted else Response(status_code=204)


@router.post("/task/{task_id}/submit-form", status_code=204, response_class=Response)
def submit_form(
    engine: EngineDep, actor: TaskWorker, task_id: str, body: TaskCompleteIn | None = None
) -> Response:
    engine.complete_task(task_id, from_camunda(body.variables if body else None), actor=actor)
    return Response(status_code=204)


@router.post("/task/{task_id}/bpmnError", status_code=204, response_class=Response)
def bpmn_error(engine: EngineDep, actor: TaskWorker, task_id: str, body: TaskBpmnErrorIn) -> Response:
    """An error boundary event on the task (or an enclosing subprocess) catches it; else the branch ends."""
    engine.throw_from_task(
        task_id,
        kind="error",
        code=body.errorCode or "",
        message=body.errorMessage,
        variables=from_camunda(body.variables),
        actor=actor,
    )
    return Response(status_code=204)


@router.post("/task/{task_id}/bpmnEscalation", status_code=204, response_class=Response)
def bpmn_escalation(engine: EngineDep, actor: TaskWorker, task_id: str, body: TaskEscalationIn) -> Response:
    """An escalation boundary event catches it (interrupting or not); without one it is refused (409)."""
    engine.throw_from_task(
        task_id,
        kind="escalation",
        code=body.escalationCode or "",
        variables=from_camunda(body.variables),
        actor=actor,
    )
    return Response(status_code=204)
