"""Process instance migration as Camunda 7's REST API shapes it: POST /migration/generate,
/migration/validate and /migration/execute, over the same engine as the native /migrations
routes (engine/migration.py).

As in Camunda, /execute migrates either every selected instance or none: each one is checked
first, and one that cannot be migrated answers 400 `MigratingProcessInstanceValidationException`
with its report (a plan that can never apply: `MigrationPlanValidationException`). Each case is
then migrated in its own transaction (Camunda: one transaction for all).
"""

from __future__ import annotations

from typing import Any

from fastapi import Response
from pydantic import BaseModel, Field

from api.camunda.query import CamundaRouter
from api.camunda.schemas import CamundaIn
from api.camunda.variables import from_camunda, to_camunda
from api.deps import EngineDep, Migrator
from api.problems import camunda_instruction_reports
from engine.errors import InvalidVariablesError, MigrationRefusedError, VariableProblem
from engine.model import (
    REFUSED,
    MigrationInstruction,
    MigrationPlan,
    MigrationSelection,
)

router = CamundaRouter(tags=["camunda: migration"])
MAX_SELECTED = 100_000


class InstructionDto(CamundaIn):
    sourceActivityIds: list[str] = Field(min_length=1, max_length=50)
    targetActivityIds: list[str] = Field(min_length=1, max_length=50)
    updateEventTrigger: bool | None = None


class PlanDto(CamundaIn):
    sourceProcessDefinitionId: str = Field(min_length=1, max_length=300)
    targetProcessDefinitionId: str = Field(min_length=1, max_length=300)
    instructions: list[InstructionDto] | None = Field(default=None, max_length=2_000)
    variables: dict[str, Any] | None = None

    def to_plan(self) -> MigrationPlan:
        instructions = []
        for dto in self.instructions or []:
            if len(dto.sourceActivityIds) != len(dto.targetActivityIds):
                problem = VariableProblem(
                    "instructions", "sourceActivityIds and targetActivityIds differ in length"
                )
                raise InvalidVariablesError([problem])
            trigger = bool(dto.updateEventTrigger)
            instructions += [
                MigrationInstruction(s, t, trigger)
                for s, t in zip(dto.sourceActivityIds, dto.targetActivityIds, strict=True)
            ]
        return MigrationPlan(
            self.sourceProcessDefinitionId,
            self.targetProcessDefinitionId,
            tuple(instructions),
            from_camunda(self.variables),
        )


class GenerateDto(CamundaIn):
    sourceProcessDefinitionId: str = Field(min_length=1, max_length=300)
    targetProcessDefinitionId: str = Field(min_length=1, max_length=300)
    updateEventTriggers: bool | None = None
    variables: dict[str, Any] | None = None


class ProcessInstanceQueryDto(CamundaIn):
    """The filters of POST /process-instance a migration selection applies; any other is refused."""

    processInstanceIds: list[str] | None = Field(default=None, max_length=MAX_SELECTED)
    businessKey: str | None = Field(default=None, max_length=200)
    processDefinitionId: str | None = Field(default=None, max_length=300)
    activityIdIn: list[str] | None = Field(default=None, max_length=1)


class ExecutionDto(CamundaIn):
    migrationPlan: PlanDto
    processInstanceIds: list[str] | None = Field(default=None, max_length=MAX_SELECTED)
    processInstanceQuery: dict[str, Any] | None = None
    skipCustomListeners: bool | None = None
    skipIoMappings: bool | None = None


class InstructionOut(BaseModel):
    sourceActivityIds: list[str]
    targetActivityIds: list[str]
    updateEventTrigger: bool


class PlanOut(BaseModel):
    sourceProcessDefinitionId: str
    targetProcessDefinitionId: str
    instructions: list[InstructionOut]
    variables: dict[str, dict[str, Any]] | None

    @classmethod
    def of(cls, plan: MigrationPlan) -> PlanOut:
        return cls(
            sourceProcessDefinitionId=plan.source_definition_id,
            targetProcessDefinitionId=plan.target_definition_id,
            instructions=[
                InstructionOut(
                    sourceActivityIds=[i.source],
                    targetActivityIds=[i.target],
                    updateEventTrigger=i.update_event_trigger,
                )
                for i in plan.instructions
            ],
            variables=to_camunda(plan.variables) if plan.variables else None,
        )


class InstructionReportOut(BaseModel):
    instruction: InstructionOut
    failures: list[str]


class PlanReportOut(BaseModel):
    instructionReports: list[InstructionReportOut]
    variableReports: dict[str, Any]


@router.post("/migration/generate", response_model=PlanOut)
def generate(body: GenerateDto, engine: EngineDep, actor: Migrator) -> PlanOut:
    plan = engine.generate_migration(
        body.sourceProcessDefinitionId,
        body.targetProcessDefinitionId,
        actor=actor,
        update_event_triggers=bool(body.updateEventTriggers),
    )
    variables = from_camunda(body.variables)
    return PlanOut.of(
        MigrationPlan(plan.source_definition_id, plan.target_definition_id, plan.instructions, variables)
    )


@router.post("/migration/validate", response_model=PlanReportOut)
def validate(body: PlanDto, engine: EngineDep, actor: Migrator) -> PlanReportOut:
    """Validates the plan statically (whatever state an instance is in), as Camunda."""
    failures = engine.check_migration_plan(body.to_plan(), actor=actor)
    reports = camunda_instruction_reports(failures)
    return PlanReportOut(
        instructionReports=[InstructionReportOut.model_validate(r) for r in reports], variableReports={}
    )


@router.post("/migration/execute", status_code=204, response_class=Response)
def execute(body: ExecutionDto, engine: EngineDep, actor: Migrator) -> Response:
    plan = body.migrationPlan.to_plan()
    selection = _selection(body, plan)
    checked = engine.migrate(plan, selection, actor=actor, dry_run=True)
    refused = next((i for i in checked.instances if i.outcome == REFUSED and i.problems), None)
    if refused is not None:
        raise MigrationRefusedError(
            refused.process_instance_id, [(p.element_id, p.task_id, p.message) for p in refused.problems]
        )
    engine.migrate(plan, selection, actor=actor)
    return Response(status_code=204)


def _selection(body: ExecutionDto, plan: MigrationPlan) -> MigrationSelection:
    if body.processInstanceQuery is None:
        if body.processInstanceIds is None:
            raise InvalidVariablesError(
                [VariableProblem("processInstanceIds", "give processInstanceIds or a processInstanceQuery")]
            )
        return MigrationSelection(tuple(body.processInstanceIds))
    query = _query(body.processInstanceQuery)
    if query.processDefinitionId not in (None, plan.source_definition_id):
        raise InvalidVariablesError(
            [
                VariableProblem(
                    "processInstanceQuery.processDefinitionId", "must be the plan's source definition"
                )
            ]
        )
    ids = set(query.processInstanceIds or []) | set(body.processInstanceIds or [])
    if ids:
        return MigrationSelection(tuple(sorted(ids)))
    activity = query.activityIdIn[0] if query.activityIdIn else None
    return MigrationSelection(None, business_key=query.businessKey, activity_id=activity)


def _query(raw: dict[str, Any]) -> ProcessInstanceQueryDto:
    unknown = sorted(set(raw) - set(ProcessInstanceQueryDto.model_fields))
    if unknown:
        raise InvalidVariablesError(
            [
                VariableProblem(f"processInstanceQuery.{name}", "this filter is not supported")
                for name in unknown
            ]
        )
    return ProcessInstanceQueryDto.model_validate(raw)
