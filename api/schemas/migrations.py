"""Request and response bodies of the native migration routes (/migrations/…)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from pydantic import BaseModel, Field

from api.schemas.common import Strict
from engine.errors import InstructionFailure
from engine.model import (
    InstanceMigration,
    MigrationInstruction,
    MigrationPlan,
    MigrationReport,
    MigrationSelection,
)

MAX_INSTRUCTIONS = 2_000
MAX_SELECTED = 100_000
ID = Field(min_length=1, max_length=300)


class PlanRequestIn(Strict):
    source_definition_id: str = ID
    target_definition_id: str = ID
    update_event_triggers: bool = Field(
        default=False,
        description="let the generated instructions between timers compute their due dates again",
    )


class InstructionIn(Strict):
    source: str = Field(min_length=1, max_length=200, description="activity id in the source version")
    target: str = Field(min_length=1, max_length=200, description="activity id in the target version")
    update_event_trigger: bool = Field(
        default=False,
        description="a timer's due date is computed again (else a pending due date never moves)",
    )

    def to_instruction(self) -> MigrationInstruction:
        return MigrationInstruction(self.source, self.target, self.update_event_trigger)

    @classmethod
    def of(cls, instruction: MigrationInstruction) -> InstructionIn:
        return cls(
            source=instruction.source,
            target=instruction.target,
            update_event_trigger=instruction.update_event_trigger,
        )


class PlanIn(Strict):
    source_definition_id: str = ID
    target_definition_id: str = ID
    instructions: list[InstructionIn] = Field(max_length=MAX_INSTRUCTIONS)
    variables: dict[str, Any] = Field(
        default_factory=dict, description="set in each migrated process instance"
    )
    children: list[ChildPlanIn] = Field(
        default_factory=list, max_length=20, description="plans for the processes call activities started"
    )

    def to_plan(self) -> MigrationPlan:
        return MigrationPlan(
            self.source_definition_id,
            self.target_definition_id,
            tuple(i.to_instruction() for i in self.instructions),
            dict(self.variables),
            tuple(c.to_plan() for c in self.children),
        )

    @classmethod
    def of(cls, plan: MigrationPlan) -> PlanIn:
        return cls(
            source_definition_id=plan.source_definition_id,
            target_definition_id=plan.target_definition_id,
            instructions=[InstructionIn.of(i) for i in plan.instructions],
            variables=dict(plan.variables),
            children=[ChildPlanIn.of(c) for c in plan.children],
        )


class ChildPlanIn(Strict):
    """A plan for called processes (one level: a child plan has no children of its own)."""

    source_definition_id: str = ID
    target_definition_id: str = ID
    instructions: list[InstructionIn] = Field(max_length=MAX_INSTRUCTIONS)
    variables: dict[str, Any] = Field(default_factory=dict)

    def to_plan(self) -> MigrationPlan:
        return MigrationPlan(
            self.source_definition_id,
            self.target_definition_id,
            tuple(i.to_instruction() for i in self.instructions),
            dict(self.variables),
        )

    @classmethod
    def of(cls, plan: MigrationPlan) -> ChildPlanIn:
        return cls(
            source_definition_id=plan.source_definition_id,
            target_definition_id=plan.target_definition_id,
            instructions=[InstructionIn.of(i) for i in plan.instructions],
            variables=dict(plan.variables),
        )


class SelectionIn(Strict):
    """By id (cases or called processes), or every running one of the source version (optionally
    with this business key, or standing at this activity)."""

    process_instance_ids: list[str] | None = Field(default=None, max_length=MAX_SELECTED)
    business_key: str | None = Field(default=None, max_length=200)
    activity_id: str | None = Field(default=None, max_length=200)

    def to_selection(self) -> MigrationSelection:
        ids = tuple(self.process_instance_ids) if self.process_instance_ids is not None else None
        return MigrationSelection(ids, self.business_key, self.activity_id)


class MigrationIn(Strict):
    plan: PlanIn
    selection: SelectionIn = Field(default_factory=SelectionIn)


class InstructionFailureOut(BaseModel):
    index: int = Field(description="the instruction's position in its plan")
    plan: str = Field(description="the source definition of the plan it belongs to")
    source: str
    target: str
    failures: list[str]

    @classmethod
    def of(cls, f: InstructionFailure) -> InstructionFailureOut:
        return cls(index=f.index, plan=f.plan, source=f.source, target=f.target, failures=list(f.failures))


class MigrationProblemOut(BaseModel):
    element_id: str | None
    task_id: str | None
    message: str
    message_da: str = Field(description="the same in Danish, for the pages")


class InstanceOut(BaseModel):
    process_instance_id: str
    case_id: str
    outcome: str = Field(
        description="migratable, migrated, refused, already migrated, not on the source version"
    )
    problems: list[MigrationProblemOut]

    @classmethod
    def of(cls, i: InstanceMigration) -> InstanceOut:
        return cls(
            process_instance_id=i.process_instance_id,
            case_id=i.case_id,
            outcome=i.outcome,
            problems=[
                MigrationProblemOut(
                    element_id=p.element_id, task_id=p.task_id, message=p.message, message_da=p.message_da
                )
                for p in i.problems
            ],
        )


class ReportOut(BaseModel):
    plan_failures: list[InstructionFailureOut] = Field(description="what in the plan can never apply")
    instances: list[InstanceOut]
    counts: dict[str, int] = Field(description="process instances per outcome")
    cases: int
    seconds: float
    cases_per_second: float

    @classmethod
    def of(cls, report: MigrationReport, failures: list[InstructionFailure] | None = None) -> ReportOut:
        cases = len({i.case_id for i in report.instances})
        return cls(
            plan_failures=[InstructionFailureOut.of(f) for f in failures or []],
            instances=[InstanceOut.of(i) for i in report.instances],
            counts=dict(Counter(i.outcome for i in report.instances)),
            cases=cases,
            seconds=round(report.seconds, 3),
            cases_per_second=round(cases / report.seconds, 1) if report.seconds else 0.0,
        )


PlanIn.model_rebuild()
