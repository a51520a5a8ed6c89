"""`sagsflow simulate`: run a case through the diagrams on a fake clock and print its timeline.

The process owner's way to try a change before deploying: a scenario file (YAML or JSON) lists
the steps — complete a task with answers, wait (the clock jumps and due timers fire), deliver a
message, check what is open — and the real engine runs them on a throwaway SQLite database.
Dates in answers may be relative to the simulated clock: `@today`, `@today+14`, `@today-1`, `@now`.
A `refused` step tries answers the case must refuse and names the rules (`because`) that refuse them.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from engine.bootstrap import build_engine
from engine.calendar import COPENHAGEN, add_iso_duration
from engine.clock import FakeClock
from engine.config import EngineSettings
from engine.deadlines import parse_instant
from engine.errors import InvalidVariablesError
from engine.instances import ReportOfConcern
from engine.model import Actor, EventInfo, InstanceInfo, Role
from engine.service import Engine

SIMULATOR = Actor("simulator", "0000", frozenset(Role), frozenset({"simulation"}))
_RELATIVE = re.compile(r"^@(today|now)(?:([+-])(\d+))?$")


class ScenarioError(ValueError):
    """The scenario file is wrong, or the case did not behave as the scenario expects."""


@dataclass
class Simulation:
    engine: Engine
    clock: FakeClock
    case_id: str = ""
    seen_events: int = 0

    def case(self) -> InstanceInfo:
        return self.engine.get_case(self.case_id, actor=SIMULATOR, purpose="simulation")

    def open_tasks(self) -> dict[str, str]:
        return {t.element_id: t.id for t in self.case().tasks if t.state == "open"}

    def new_events(self) -> list[EventInfo]:
        history = self.case().history
        fresh = list(history[self.seen_events :])
        self.seen_events = len(history)
        return fresh


def run(scenario_file: Path, workflows: Path, out: Callable[[str], None] = print) -> int:
    """Run the scenario; print the timeline through `out`; return the number of failed checks."""
    scenario = _load(scenario_file)
    start = parse_instant(scenario.get("start", "2026-01-05T09:00:00+01:00"))
    with tempfile.TemporaryDirectory(prefix="sagsflow-simulate-") as folder:
        clock = FakeClock(start)
        settings = EngineSettings(
            database_url=f"sqlite:///{folder}/simulation.db",
            run_scheduler=False,
            deploy_workflows_on_start=False,
        )
        engine = build_engine(settings, clock)
        try:
            return _run(Simulation(engine, clock), scenario, workflows, out)
        finally:
            engine.store.dispose()


def _load(path: Path) -> dict[str, Any]:
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise ScenarioError(f"cannot read {path}: {err}") from None
    if not isinstance(loaded, dict) or not isinstance(loaded.get("steps", []), list):
        raise ScenarioError("a scenario is a mapping with 'report' and a list of 'steps'")
    return loaded


def _run(sim: Simulation, scenario: dict[str, Any], workflows: Path, out: Callable[[str], None]) -> int:
    deployment = sim.engine.deploy_directory(workflows, actor=SIMULATOR)
    names = ", ".join(f"{d.key} v{d.version}" for d in deployment.definitions) if deployment else "nothing"
    out(f"deployed {names}")
    report = dict(scenario.get("report", {}))
    received = _when(report.pop("received", "@now"), sim.clock)
    case = sim.engine.open_case(
        ReportOfConcern(
            received_at=received,
            reporter_type=str(report.get("reporter_type", "private")),
            child_ref=str(report.get("child_ref", "SIM-1")),
            text=str(report.get("text", "")),
            team="simulation",
        ),
        actor=SIMULATOR,
    )
    sim.case_id = case.id
    _print_events(sim, out, f"case {case.business_key} opened")
    failures = 0
    for number, step in enumerate(scenario.get("steps", []), start=1):
        failures += _step(sim, number, step, out)
    final = sim.case()
    out(
        f"{_stamp(sim.clock.now())}  end of scenario: status {final.status}, phase {final.phase}, "
        f"open {sorted(t.element_id for t in final.tasks if t.state == 'open')}"
    )
    return failures


def _step(sim: Simulation, number: int, step: dict[str, Any], out: Callable[[str], None]) -> int:
    if "complete" in step:
        element = str(step["complete"])
        task_id = sim.open_tasks().get(element)
        if task_id is None:
            raise ScenarioError(f"step {number}: '{element}' is not open; open: {sorted(sim.open_tasks())}")
        sim.engine.complete_task(task_id, _answers(step.get("with", {}), sim.clock), actor=SIMULATOR)
        _print_events(sim, out, f"completed {element}")
    elif "wait" in step:
        target = add_iso_duration(sim.clock.now(), str(step["wait"]))
        sim.clock.move_to(target)
        fired = sim.engine.fire_due_timers().fired
        _print_events(sim, out, f"waited {step['wait']} ({fired} timer(s) fired)")
    elif "message" in step:
        sim.engine.correlate(
            str(step["message"]),
            actor=SIMULATOR,
            instance_id=sim.case_id,
            variables=_answers(step.get("with", {}), sim.clock),
        )
        _print_events(sim, out, f"message {step['message']} delivered")
    elif "expect_open" in step:
        return _expect(sim, number, set(step["expect_open"]), out)
    elif "refused" in step:
        return _refused(sim, number, step, out)
    else:
        raise ScenarioError(f"step {number}: expected one of complete, wait, message, expect_open, refused")
    return 0


def _refused(sim: Simulation, number: int, step: dict[str, Any], out: Callable[[str], None]) -> int:
    """Try to complete a task with answers the case must refuse, by the rules named in `because`."""
    element = str(step["refused"])
    task_id = sim.open_tasks().get(element)
    if task_id is None:
        raise ScenarioError(f"step {number}: '{element}' is not open; open: {sorted(sim.open_tasks())}")
    expected = {str(rule) for rule in step.get("because", [])}
    try:
        sim.engine.complete_task(task_id, _answers(step.get("with", {}), sim.clock), actor=SIMULATOR)
    except InvalidVariablesError as refusal:
        rules = {p.rule or p.name for p in refusal.problems}
        out(f"{_stamp(sim.clock.now())}  {element} refused:")
        for problem in refusal.problems:
            out(f"{'':18}{problem.rule or problem.name}: {problem.message_da or problem.message}")
        if expected <= rules:
            return 0
        out(f"{'':18}CHECK {number} FAILED: expected refusals {sorted(expected)}, got {sorted(rules)}")
        return 1
    _print_events(sim, out, f"CHECK {number} FAILED: {element} was completed, expected a refusal")
    return 1


def _expect(sim: Simulation, number: int, expected: set[str], out: Callable[[str], None]) -> int:
    actual = set(sim.open_tasks())
    if expected <= actual:
        out(f"{_stamp(sim.clock.now())}  check {number}: open as expected {sorted(expected)}")
        return 0
    failed = f"CHECK {number} FAILED: expected open {sorted(expected)}, open {sorted(actual)}"
    out(f"{_stamp(sim.clock.now())}  {failed}")
    return 1


def _print_events(sim: Simulation, out: Callable[[str], None], headline: str) -> None:
    out(f"{_stamp(sim.clock.now())}  {headline}")
    for line in _describe(sim.new_events()):
        out(f"{'':18}{line}")


def _describe(events: list[EventInfo]) -> Iterator[str]:
    for event in events:
        data = event.data
        if event.kind == "task_created":
            due = f", due {_due(data)}" if data.get("due_at") else ""
            yield f"task open: {event.element_id}{due}"
        elif event.kind == "timer_scheduled":
            purpose = f" [{data['purpose']}: {data['deadline']}]" if data.get("purpose") else ""
            yield f"timer: {event.element_id} {_timer_due(data)}{purpose}"
        elif event.kind in (
            "timer_fired",
            "deadline_breached",
            "deadline_reminder",
            "phase_changed",
            "instance_completed",
            "task_cancelled",
        ):
            yield _short(event)


def _short(event: EventInfo) -> str:
    if event.kind == "phase_changed":
        return f"phase: {event.data.get('from')} -> {event.data.get('to')}"
    if event.kind in ("deadline_breached", "deadline_reminder"):
        return f"{event.kind.upper()}: {event.data.get('deadline')} ({event.element_id})"
    return f"{event.kind.replace('_', ' ')}: {event.element_id or ''}".rstrip(": ")


def _answers(values: Any, clock: FakeClock) -> dict[str, Any]:
    if not isinstance(values, dict):
        raise ScenarioError("'with' must be a mapping of field names to values")
    return {name: _value(value, clock) for name, value in values.items()}


def _value(value: Any, clock: FakeClock) -> Any:
    if isinstance(value, str):
        match = _RELATIVE.match(value.strip())
        if match:
            kind, sign, amount = match.groups()
            offset = timedelta(days=int(amount or 0)) * (-1 if sign == "-" else 1)
            if kind == "now":
                return (clock.now() + offset).isoformat()
            return (clock.now().astimezone(COPENHAGEN).date() + offset).isoformat()
    return value


def _when(value: Any, clock: FakeClock) -> datetime:
    resolved = _value(value, clock)
    return parse_instant(resolved) if isinstance(resolved, str) else clock.now()


def _due(data: dict[str, Any]) -> str:
    """A due date as a caseworker reads it: a calendar deadline by its last day, else the instant."""
    if data.get("due_kind") == "calendar" and data.get("due_date"):
        return f"by the end of {data['due_date']}"
    return _stamp(parse_instant(data["due_at"]))


def _timer_due(data: dict[str, Any]) -> str:
    if data.get("due_kind") == "calendar" and data.get("due_date"):
        when = "ends" if data.get("purpose") == "breach" else "begins"
        return f"when {data['due_date']} {when}"
    return f"at {_stamp(parse_instant(data['due_at']))}"


def _stamp(instant: datetime) -> str:
    return instant.astimezone(COPENHAGEN).strftime("%Y-%m-%d %H:%M")
