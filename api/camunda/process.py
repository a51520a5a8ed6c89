"""Process instances: start, read, messages and history (Camunda 7 shapes)."""

from __future__ import annotations

import base64
from typing import Annotated, Any

from fastapi import Depends, Request, Response

from api.camunda.deps import CaseReader, CaseWriter, FirstResult, MaxResults, Starter, base_url
from api.camunda.query import CamundaRouter
from api.camunda.schemas import (
    ActivityInstanceOut,
    CountOut,
    HistoricProcessInstanceOut,
    HistoryQueryIn,
    MessageIn,
    MessageResultOut,
    ProcessInstanceOut,
    StartIn,
    VariableModificationsIn,
    optional_date,
)
from api.camunda.variables import FILE, from_camunda, is_file, plain_values, to_camunda, typed
from api.deps import EngineDep
from engine.errors import InvalidVariablesError, NotFoundError, VariableProblem
from engine.model import Actor, InstanceInfo, ProcessInstanceFilter
from engine.service import Engine

router = CamundaRouter(tags=["camunda: process instances"])


# --- start -------------------------------------------------------------------------------------


@router.post("/process-definition/key/{key}/start", response_model=ProcessInstanceOut)
def start_by_key(
    request: Request, engine: EngineDep, actor: Starter, key: str, body: StartIn
) -> ProcessInstanceOut:
    return _start(request, engine, actor, body, key=key)


@router.post("/process-definition/key/{key}/tenant-id/{tenant_id}/start", response_model=ProcessInstanceOut)
def start_by_key_and_tenant(
    request: Request, engine: EngineDep, actor: Starter, key: str, tenant_id: str, body: StartIn
) -> ProcessInstanceOut:
    """Tenants are municipalities: only the caller's own is known."""
    if tenant_id != actor.municipality:
        raise NotFoundError("process definition", f"{key} (tenant-id {tenant_id})")
    return _start(request, engine, actor, body, key=key)


@router.post("/process-definition/{definition_id}/start", response_model=ProcessInstanceOut)
def start_by_id(
    request: Request, engine: EngineDep, actor: Starter, definition_id: str, body: StartIn
) -> ProcessInstanceOut:
    """The Modeler's Start instance: the id is `key:version:uuid`, unencoded in the path."""
    return _start(request, engine, actor, body, definition_id=definition_id)


def _start(
    request: Request,
    engine: Engine,
    actor: Actor,
    body: StartIn,
    *,
    key: str | None = None,
    definition_id: str | None = None,
    by_form: bool = False,
) -> ProcessInstanceOut:
    case = engine.start_instance(
        actor=actor,
        key=key,
        definition_id=definition_id,
        business_key=body.businessKey,
        variables=from_camunda(body.variables),
        by_form=by_form,
    )
    return ProcessInstanceOut.of(case, base_url(request))


@router.post("/process-definition/key/{key}/submit-form", response_model=ProcessInstanceOut)
def submit_start_form_by_key(
    request: Request, engine: EngineDep, actor: Starter, key: str, body: StartIn
) -> ProcessInstanceOut:
    """Start with the start form's variables; a Camunda Form checks them first."""
    return _start(request, engine, actor, body, key=key, by_form=True)


@router.post("/process-definition/{definition_id}/submit-form", response_model=ProcessInstanceOut)
def submit_start_form(
    request: Request, engine: EngineDep, actor: Starter, definition_id: str, body: StartIn
) -> ProcessInstanceOut:
    return _start(request, engine, actor, body, definition_id=definition_id, by_form=True)


# --- runtime instances -------------------------------------------------------------------------


def _runtime_filter(
    actor: Actor,
    business_key: str | None,
    business_key_like: str | None,
    process_key: str | None,
    definition_id: str | None,
    ids: str | None,
    activity_ids: str | None,
    variables: str | None = None,
    super_id: str | None = None,
    sub_id: str | None = None,
) -> ProcessInstanceFilter:
    if variables:
        raise InvalidVariablesError([VariableProblem("variables", "filtering on variables is not supported")])
    activity = activity_ids.split(",") if activity_ids else []
    if len(activity) > 1:
        raise InvalidVariablesError([VariableProblem("activityIdIn", "only one activity id is supported")])
    return ProcessInstanceFilter(
        municipality=actor.municipality,
        state="active",
        business_key=business_key,
        business_key_like=business_key_like,
        process_key=process_key,
        definition_id=definition_id,
        ids=ids.split(",") if ids else None,
        activity_id=activity[0] if activity else None,
        super_id=super_id,
        sub_id=sub_id,
    )


def _runtime_query(
    actor: CaseReader,
    businessKey: str | None = None,
    businessKeyLike: str | None = None,
    processDefinitionKey: str | None = None,
    processDefinitionId: str | None = None,
    processInstanceIds: str | None = None,
    activityIdIn: str | None = None,
    variables: str | None = None,
    superProcessInstance: str | None = None,
    subProcessInstance: str | None = None,
) -> ProcessInstanceFilter:
    """The runtime filters as query parameters; a case and every process its call activities
    started are process instances (`superProcessInstance`/`subProcessInstance` link them)."""
    return _runtime_filter(
        actor,
        businessKey,
        businessKeyLike,
        processDefinitionKey,
        processDefinitionId,
        processInstanceIds,
        activityIdIn,
        variables,
        superProcessInstance,
        subProcessInstance,
    )


RuntimeQuery = Annotated[ProcessInstanceFilter, Depends(_runtime_query)]


@router.get("/process-instance", response_model=list[ProcessInstanceOut])
def list_instances(
    engine: EngineDep,
    actor: CaseReader,
    f: RuntimeQuery,
    firstResult: FirstResult = 0,
    maxResults: MaxResults = 100,
) -> list[ProcessInstanceOut]:
    """Running instances (newest first). Filters on variables are not supported (400)."""
    page = engine.list_process_instances(
        f, actor=actor, offset=firstResult, limit=maxResults, purpose="process-instance list"
    )
    return [ProcessInstanceOut.of(p) for p in page.items]


@router.get("/process-instance/count", response_model=CountOut)
def count_instances(engine: EngineDep, actor: CaseReader, f: RuntimeQuery) -> CountOut:
    page = engine.list_process_instances(f, actor=actor, limit=1, purpose="process-instance count")
    return CountOut(count=page.total)


@router.get("/process-instance/{instance_id}", response_model=ProcessInstanceOut)
def get_instance(engine: EngineDep, actor: CaseReader, instance_id: str) -> ProcessInstanceOut:
    """A running instance; an ended one lives in history (404 here, as in Camunda)."""
    process = engine.get_process_instance(instance_id, actor=actor, purpose="process-instance view")
    if process.state != "active":
        raise NotFoundError("Process instance", instance_id)
    return ProcessInstanceOut.of(process)


def _variables(engine: Engine, actor: Actor, instance_id: str) -> dict[str, Any]:
    process = engine.get_process_instance(
        instance_id, actor=actor, purpose="process-instance variables", with_variables=True
    )
    return process.variables or {}


@router.get("/process-instance/{instance_id}/variables", response_model=dict[str, dict[str, Any]])
def instance_variables(engine: EngineDep, actor: CaseReader, instance_id: str) -> dict[str, dict[str, Any]]:
    """The variables of that process instance (a called process has its own)."""
    return to_camunda(_variables(engine, actor, instance_id))


@router.get("/process-instance/{instance_id}/variables/{name}", response_model=dict[str, Any])
def instance_variable(engine: EngineDep, actor: CaseReader, instance_id: str, name: str) -> dict[str, Any]:
    variables = _variables(engine, actor, instance_id)
    if name not in variables:
        raise NotFoundError("variable", f"{name} in process instance {instance_id}")
    return typed(variables[name])


@router.get("/process-instance/{instance_id}/variables/{name}/data", response_class=Response)
def instance_variable_data(engine: EngineDep, actor: CaseReader, instance_id: str, name: str) -> Response:
    """The content of a File variable (Camunda's binary variable data)."""
    variables = _variables(engine, actor, instance_id)
    if not is_file(variables.get(name)):
        raise NotFoundError("file variable", f"{name} in process instance {instance_id}")
    stored = variables[name][FILE]
    return Response(
        base64.b64decode(stored["data"]),
        media_type=stored.get("mimeType") or "application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{_safe_name(stored["filename"])}"'},
    )


def _safe_name(filename: str) -> str:
    return "".join(c for c in filename if c.isalnum() or c in "._- ")[:200] or "file"


@router.post("/process-instance/{instance_id}/variables", status_code=204, response_class=Response)
def change_variables(
    engine: EngineDep, actor: CaseWriter, instance_id: str, body: VariableModificationsIn
) -> Response:
    """Set (`modifications`, typed) and delete (`deletions`) variables of a running instance."""
    engine.change_variables(
        instance_id,
        modifications=from_camunda(body.modifications, "modifications"),
        deletions=list(body.deletions or []),
        actor=actor,
    )
    return Response(status_code=204)


@router.put("/process-instance/{instance_id}/variables/{name}", status_code=204, response_class=Response)
def put_variable(
    engine: EngineDep, actor: CaseWriter, instance_id: str, name: str, body: dict[str, Any]
) -> Response:
    engine.change_variables(instance_id, modifications=from_camunda({name: body}), deletions=[], actor=actor)
    return Response(status_code=204)


@router.delete("/process-instance/{instance_id}/variables/{name}", status_code=204, response_class=Response)
def delete_variable(engine: EngineDep, actor: CaseWriter, instance_id: str, name: str) -> Response:
    engine.change_variables(instance_id, modifications={}, deletions=[name], actor=actor)
    return Response(status_code=204)


@router.get("/process-instance/{instance_id}/activity-instances", response_model=ActivityInstanceOut)
def activity_instances(engine: EngineDep, actor: CaseReader, instance_id: str) -> ActivityInstanceOut:
    """Where the process instance stands: the process with its waiting activities as children (a
    call activity is a leaf: the called process instance has its own tree)."""
    tree = engine.activity_instances(instance_id, actor=actor)
    return ActivityInstanceOut.of(tree, instance_id=instance_id, definition_id=tree.definition_id or "")


# --- messages ----------------------------------------------------------------------------------


@router.post("/message", response_model=list[MessageResultOut], status_code=200)
def correlate(request: Request, engine: EngineDep, actor: Starter, body: MessageIn) -> Any:
    """Correlate by business key, instance id and/or correlation keys, or start the process whose
    message start event it is; 204 unless `resultEnabled`."""
    _check_message(body, actor)
    cases = engine.correlate(
        body.messageName,
        actor=actor,
        business_key=body.businessKey,
        instance_id=body.processInstanceId,
        variables=from_camunda(body.processVariables, "processVariables"),
        all_matches=bool(body.all),
        correlation_keys=plain_values(body.correlationKeys) or None,
    )
    if not body.resultEnabled:
        return Response(status_code=204)
    return [_message_result(c, base_url(request)) for c in cases]


def _message_result(case: InstanceInfo, base: str) -> MessageResultOut:
    """A started instance is a "ProcessDefinition" result, a waiting one an "Execution" result."""
    if case.started_by_message:
        return MessageResultOut(
            resultType="ProcessDefinition", execution=None, processInstance=ProcessInstanceOut.of(case, base)
        )
    execution = {
        "id": case.id,
        "processInstanceId": case.id,
        "ended": case.status != "active",
        "tenantId": None,
    }
    return MessageResultOut(resultType="Execution", execution=execution, processInstance=None)


TENANT_CONFLICT = "Parameter 'tenantId' cannot be used together with parameter 'withoutTenantId'."
RESULT_NEEDED = "Parameter 'variablesInResultEnabled' cannot be used without 'resultEnabled' set to true."


def _check_message(body: MessageIn, actor: Actor) -> None:
    if body.tenantId is not None and body.withoutTenantId:
        raise InvalidVariablesError([VariableProblem("tenantId", TENANT_CONFLICT)])
    if body.variablesInResultEnabled and not body.resultEnabled:
        raise InvalidVariablesError([VariableProblem("variablesInResultEnabled", RESULT_NEEDED)])
    if body.tenantId is not None and body.tenantId != actor.municipality:
        raise NotFoundError("tenant", body.tenantId)


# --- history -----------------------------------------------------------------------------------


def _history_filter(actor: Actor, q: HistoryQueryIn) -> ProcessInstanceFilter:
    ids = list(q.processInstanceIds or []) + ([q.processInstanceId] if q.processInstanceId else [])
    state = "ended" if q.finished else ("active" if q.unfinished else None)
    return ProcessInstanceFilter(
        municipality=actor.municipality,
        state=state,
        super_id=q.superProcessInstanceId,
        sub_id=q.subProcessInstanceId,
        business_key=q.processInstanceBusinessKey,
        business_key_like=q.processInstanceBusinessKeyLike,
        process_key=q.processDefinitionKey,
        definition_id=q.processDefinitionId,
        ids=ids or None,
        started_after=optional_date(q.startedAfter, "startedAfter"),
        started_before=optional_date(q.startedBefore, "startedBefore"),
    )


def _history(
    engine: Engine, actor: Actor, q: HistoryQueryIn, offset: int, limit: int
) -> list[HistoricProcessInstanceOut]:
    page = engine.list_process_instances(
        _history_filter(actor, q), actor=actor, offset=offset, limit=limit, purpose="history list"
    )
    return [HistoricProcessInstanceOut.of(p) for p in page.items]


def _history_query(
    processInstanceId: str | None = None,
    processInstanceIds: str | None = None,
    superProcessInstanceId: str | None = None,
    subProcessInstanceId: str | None = None,
    processInstanceBusinessKey: str | None = None,
    processInstanceBusinessKeyLike: str | None = None,
    processDefinitionKey: str | None = None,
    processDefinitionId: str | None = None,
    finished: bool | None = None,
    unfinished: bool | None = None,
    startedBefore: str | None = None,
    startedAfter: str | None = None,
) -> HistoryQueryIn:
    """The history filters as query parameters (`processInstanceIds` comma-separated, as Camunda)."""
    return HistoryQueryIn(
        processInstanceId=processInstanceId,
        processInstanceIds=processInstanceIds.split(",") if processInstanceIds else None,
        superProcessInstanceId=superProcessInstanceId,
        subProcessInstanceId=subProcessInstanceId,
        processInstanceBusinessKey=processInstanceBusinessKey,
        processInstanceBusinessKeyLike=processInstanceBusinessKeyLike,
        processDefinitionKey=processDefinitionKey,
        processDefinitionId=processDefinitionId,
        finished=finished,
        unfinished=unfinished,
        startedBefore=startedBefore,
        startedAfter=startedAfter,
    )


HistoryQuery = Annotated[HistoryQueryIn, Depends(_history_query)]


@router.get("/history/process-instance", response_model=list[HistoricProcessInstanceOut])
def history_get(
    engine: EngineDep,
    actor: CaseReader,
    q: HistoryQuery,
    firstResult: FirstResult = 0,
    maxResults: MaxResults = 100,
) -> list[HistoricProcessInstanceOut]:
    return _history(engine, actor, q, firstResult, maxResults)


@router.get("/history/process-instance/count", response_model=CountOut)
def history_count_get(engine: EngineDep, actor: CaseReader, q: HistoryQuery) -> CountOut:
    return _history_count(engine, actor, q)


@router.post("/history/process-instance", response_model=list[HistoricProcessInstanceOut])
def history_post(
    engine: EngineDep,
    actor: CaseReader,
    body: HistoryQueryIn | None = None,
    firstResult: FirstResult = 0,
    maxResults: MaxResults = 100,
) -> list[HistoricProcessInstanceOut]:
    """The same query in a JSON body (camunda-client sends every filter key, most of them null)."""
    return _history(engine, actor, body or HistoryQueryIn(), firstResult, maxResults)


@router.post("/history/process-instance/count", response_model=CountOut)
def history_count(engine: EngineDep, actor: CaseReader, body: HistoryQueryIn | None = None) -> CountOut:
    return _history_count(engine, actor, body or HistoryQueryIn())


def _history_count(engine: Engine, actor: Actor, q: HistoryQueryIn) -> CountOut:
    f = _history_filter(actor, q)
    return CountOut(
        count=engine.list_process_instances(f, actor=actor, limit=1, purpose="history count").total
    )


@router.get("/history/process-instance/{instance_id}", response_model=HistoricProcessInstanceOut)
def history_one(engine: EngineDep, actor: CaseReader, instance_id: str) -> HistoricProcessInstanceOut:
    return HistoricProcessInstanceOut.of(
        engine.get_process_instance(instance_id, actor=actor, purpose="history view")
    )
