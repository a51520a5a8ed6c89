"""Decision definitions as Camunda 7's REST API serves them: list (with count), one by id or by
key (the newest version), its DMN XML, and evaluation on its own with typed variables.

Evaluation answers a list with one map per matching rule (one for a literal expression or an
aggregation), each output as a typed value; a decision that fails answers 500 `RestException`
"Cannot evaluate decision <id>: …", as Camunda does.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends

from api.camunda.deps import DecisionEvaluator, FirstResult, MaxResults, Version
from api.camunda.query import CamundaRouter
from api.camunda.schemas import CountOut, DecisionDefinitionOut, DecisionXmlOut, EvaluateDecisionIn
from api.camunda.variables import format_date, from_camunda, parse_date, typed
from api.deps import DefinitionReader, EngineDep
from engine.model import Actor, DecisionValue, DefinitionFilter

router = CamundaRouter(tags=["camunda: decision definitions"])
TypedResult = list[dict[str, dict[str, Any]]]


def _filter(
    key: str | None = None,
    keyLike: str | None = None,
    name: str | None = None,
    decisionDefinitionId: str | None = None,
    deploymentId: str | None = None,
    version: Version | None = None,
    versionTag: str | None = None,
    resourceName: str | None = None,
    latestVersion: bool = False,
    tenantIdIn: str | None = None,
    withoutTenantId: bool = False,
    includeDecisionDefinitionsWithoutTenantId: bool = False,
) -> DefinitionFilter:
    return DefinitionFilter(
        key=key,
        key_like=keyLike,
        name=name,
        definition_id=decisionDefinitionId,
        deployment_id=deploymentId,
        version=version,
        version_tag=versionTag,
        resource_name=resourceName,
        latest_only=latestVersion,
        tenant_ids=tuple(t for t in tenantIdIn.split(",") if t) if tenantIdIn is not None else None,
        include_without_tenant=includeDecisionDefinitionsWithoutTenantId,
        without_tenant=withoutTenantId,
    )


Filter = Annotated[DefinitionFilter, Depends(_filter)]


@router.get("/decision-definition", response_model=list[DecisionDefinitionOut])
def list_decision_definitions(
    engine: EngineDep,
    actor: DefinitionReader,
    f: Filter,
    firstResult: FirstResult = 0,
    maxResults: MaxResults = 100,
) -> list[DecisionDefinitionOut]:
    page = engine.list_decisions(f, actor=actor, offset=firstResult, limit=maxResults)
    return [DecisionDefinitionOut.of(d) for d in page.items]


@router.get("/decision-definition/count", response_model=CountOut)
def count_decision_definitions(engine: EngineDep, actor: DefinitionReader, f: Filter) -> CountOut:
    return CountOut(count=engine.list_decisions(f, actor=actor, limit=0).total)


@router.get("/decision-definition/key/{key}", response_model=DecisionDefinitionOut)
def decision_by_key(engine: EngineDep, actor: DefinitionReader, key: str) -> DecisionDefinitionOut:
    return DecisionDefinitionOut.of(engine.get_decision(actor=actor, key=key))


@router.get("/decision-definition/key/{key}/xml", response_model=DecisionXmlOut)
def decision_xml_by_key(engine: EngineDep, actor: DefinitionReader, key: str) -> DecisionXmlOut:
    return _xml(engine, actor, engine.get_decision(actor=actor, key=key).id)


@router.post("/decision-definition/key/{key}/evaluate", response_model=TypedResult)
def evaluate_by_key(
    engine: EngineDep,
    actor: DecisionEvaluator,
    key: str,
    body: EvaluateDecisionIn | None = None,
) -> TypedResult:
    variables = from_camunda(body.variables if body else None)
    return _typed(engine.evaluate_decision(variables, actor=actor, key=key))


@router.get("/decision-definition/{definition_id}", response_model=DecisionDefinitionOut)
def decision_by_id(engine: EngineDep, actor: DefinitionReader, definition_id: str) -> DecisionDefinitionOut:
    return DecisionDefinitionOut.of(engine.get_decision(actor=actor, definition_id=definition_id))


@router.get("/decision-definition/{definition_id}/xml", response_model=DecisionXmlOut)
def decision_xml_by_id(engine: EngineDep, actor: DefinitionReader, definition_id: str) -> DecisionXmlOut:
    return _xml(engine, actor, definition_id)


@router.post("/decision-definition/{definition_id}/evaluate", response_model=TypedResult)
def evaluate_by_id(
    engine: EngineDep,
    actor: DecisionEvaluator,
    definition_id: str,
    body: EvaluateDecisionIn | None = None,
) -> TypedResult:
    variables = from_camunda(body.variables if body else None)
    return _typed(engine.evaluate_decision(variables, actor=actor, definition_id=definition_id))


def _xml(engine: Any, actor: Actor, definition_id: str) -> DecisionXmlOut:
    content: bytes = engine.decision_xml(definition_id, actor=actor)
    return DecisionXmlOut(id=definition_id, dmnXml=content.decode("utf-8"))


def _typed(result: list[dict[str, DecisionValue]]) -> TypedResult:
    return [{name: _typed_value(entry) for name, entry in rule.items()} for rule in result]


def _typed_value(entry: DecisionValue) -> dict[str, Any]:
    if entry.type == "Date" and isinstance(entry.value, str):
        return {"type": "Date", "value": format_date(parse_date(entry.value)), "valueInfo": {}}
    shown = typed(entry.value)
    if entry.type in ("Integer", "Long", "Double", "String", "Boolean", "Null"):
        shown["type"] = entry.type
    return shown
