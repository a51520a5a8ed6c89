"""One barnets lov case driven through a long life in-process, on a fake clock: the long-case
test (tests/engine/test_long_cases.py) and benchmark (benchmarks/long_case.py) share it.

It works on whatever the diagrams in workflows/ are: the answers that steer the case (outcomes,
the measure, dates) are given here, and every other required form field is filled from its
type, so a new required field in a form does not break the drive.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from engine.clock import FakeClock
from engine.instances import ReportOfConcern
from engine.model import Actor, FormFieldInfo, InstanceInfo, Role, TaskFilter, TaskInfo
from engine.service import Engine
from engine.store.tables import Instance

from support.lifecycle import WORKFLOWS

CPH = ZoneInfo("Europe/Copenhagen")
OWNER = Actor("long-case", "0101", frozenset({Role.ADMIN, Role.PROCESS_OWNER}), frozenset({"team-a"}))


@dataclass
class LongCase:
    engine: Engine
    clock: FakeClock
    actor: Actor = OWNER
    case_id: str = ""
    business_key: str = ""
    open_tasks: dict[str, TaskInfo] = field(default_factory=dict)
    _forms: dict[tuple[str, str], tuple[FormFieldInfo, ...]] = field(default_factory=dict)

    # --- the stages of a case ------------------------------------------------------------------

    def deploy(self) -> None:
        self.engine.deploy_directory(WORKFLOWS, actor=self.actor)

    def open(self, *, placement: bool = True) -> None:
        """A new case, through the underretning, screening and (for a placement) the investigation
        to the decision, plan and kick-off: afterwards follow-ups (and for a placement, tilsyn) loop."""
        self.report()
        self.to_the_loops(placement=placement)

    def report(self) -> None:
        """A new case: an underretning received an hour ago."""
        case = self.engine.open_case(
            ReportOfConcern(
                received_at=self.clock.now() - timedelta(hours=1),
                reporter_type="anonymous",  # no receipt to send (every identifiable reporter gets one)
                child_ref="B-LONG",
                text="Skolen er bekymret",
                team="team-a",
            ),
            actor=self.actor,
        )
        self.case_id, self.business_key = case.id, case.business_key or ""
        self._seen(case)

    def to_the_loops(self, *, placement: bool) -> None:
        self.complete("assess_report", {"child_in_danger": False, "acute_measures": False})
        self.complete("first_talks", {"child_talk_held_at": self.today()})
        if placement:
            self.complete(
                "screening",
                {"screening_outcome": "investigation", "investigation_started_at": self.today()},
            )
            self.complete("investigation", {"investigation_completed_at": self.today()})
        else:
            self.complete("screening", {"screening_outcome": "early_support"})
        self.complete("decision", self.decision_answers(placement=placement))
        if "child_plan" in self.open_tasks:
            self.complete("child_plan", {"child_plan_made_at": self.today()})
        self.complete(
            "kickoff_meeting",
            {"intervention_started_at": self.today(), "next_follow_up_date": self.today(30)},
        )

    def follow_up(self, outcome: str = "continue", **extra: Any) -> InstanceInfo:
        return self.complete(
            "follow_up",
            {
                "follow_up_outcome": outcome,
                "follow_up_held_at": self.today(),
                "next_follow_up_date": self.today(30),
                "child_talk_alone": True,
                **extra,
            },
        )

    def visit(self) -> InstanceInfo:
        return self.complete(
            "supervision_visit", {"supervision_visit_held_at": self.today(), "staff_present": False}
        )

    def new_report(self) -> InstanceInfo:
        """A new underretning correlated into the case by its business key, then assessed."""
        (case,) = self.engine.correlate(
            "ny_underretning",
            actor=self.actor,
            business_key=self.business_key,
            variables={"report_received_at": self.clock.now().isoformat(), "reporter_type": "private"},
        )
        self._seen(case)
        return self.complete("assess_new_report", {"child_in_danger": False, "acute_measures": False})

    def advance(self, delta: timedelta) -> int:
        """Move the clock and fire what fell due; the open tasks are read again if anything fired."""
        self.clock.advance(delta)
        fired = self.engine.fire_due_timers().fired
        if fired:
            self.refresh()
        return fired

    # --- plumbing ----------------------------------------------------------------------------

    def today(self, days: int = 0) -> str:
        return (self.clock.now().astimezone(CPH) + timedelta(days=days)).date().isoformat()

    def complete(self, element_id: str, answers: dict[str, Any]) -> InstanceInfo:
        task = self.open_tasks.get(element_id)
        assert task is not None, f"{element_id} is not open; open: {sorted(self.open_tasks)}"
        fields = {f.id for f in self._form(task)}  # the diagrams the case runs (an old case: old ones)
        variables = {**self._filled(task), **{k: v for k, v in answers.items() if k in fields or not fields}}
        case = self.engine.complete_task(task.id, variables, actor=self.actor)
        self._seen(case)
        return case

    def refresh(self) -> None:
        page = self.engine.list_tasks(
            TaskFilter(municipality=self.actor.municipality, instance_id=self.case_id),
            actor=self.actor,
            limit=200,
        )
        self.open_tasks = {t.element_id: t for t in page.items}

    def stored_state(self) -> str:
        with self.engine.store.read() as session:
            row = session.get(Instance, self.case_id)
            assert row is not None
            return row.state

    def stored_tasks(self) -> int:
        """Tasks in the stored state, in the case's workflow and all its subprocesses."""
        state = json.loads(self.stored_state())
        return len(state["tasks"]) + sum(len(s["tasks"]) for s in state["subprocesses"].values())

    def _seen(self, case: InstanceInfo) -> None:
        self.open_tasks = {t.element_id: t for t in case.tasks if t.state == "open"}

    def decision_answers(self, *, placement: bool) -> dict[str, Any]:
        answers: dict[str, Any] = {
            "decision_date": self.today(),
            "measure_type": "placement_s46" if placement else "support_s32",
            "concern_level": "medium",
            "child_plan_decided": True,
            "child_perspective_obtained": True,
        }
        if placement:
            answers["placement_started_at"] = self.today()
        return answers

    def _filled(self, task: TaskInfo) -> dict[str, Any]:
        """A value for every required field of the task's form, by its type."""
        return {f.id: self._value(f) for f in self._form(task) if f.required}

    def _form(self, task: TaskInfo) -> tuple[FormFieldInfo, ...]:
        key = (task.definition_id, task.element_id)
        if key not in self._forms:
            self._forms[key] = self.engine.get_task(task.id, actor=self.actor).form
        return self._forms[key]

    def _value(self, form_field: FormFieldInfo) -> Any:
        if form_field.type == "date":
            return self.today()
        if form_field.type == "boolean":
            return True
        if form_field.type in ("long", "integer", "number"):
            return 1
        if form_field.type == "enum" and form_field.options:
            return form_field.options[0][0]
        return f"{form_field.label or form_field.id}: udfyldt"
