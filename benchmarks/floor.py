"""The floor: what a SpiffWorkflow step costs with no service around it.

One step = load the instance from its JSON, complete the ready user task, run the engine to the
next wait state, save it to JSON again, all in memory. Two variants of the same diagram:

- `stock`: SpiffWorkflow's own serializer (CAMUNDA_CONFIG), which writes the spec into every
  saved instance, as an application using the library as documented would;
- `state`: Sagsflow's saved form without the spec (engine/bpmn/state.py), the least any durable
  SpiffWorkflow step can do. Ratios in the report are to this, the stricter floor.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.util.task import TaskState

from benchmarks.diagrams import PROCESS_KEY, TASKS, VARIABLES, linear_process
from engine.bpmn.calls import CallTarget
from engine.bpmn.decision_task import DecisionNotFoundError, DecisionRef
from engine.bpmn.dmn.model import DecisionModel
from engine.bpmn.parser import CompiledProcess, Resource, compile_resources
from engine.bpmn.scripting import create_script_engine
from engine.bpmn.state import dump_state, load_state, new_workflow
from engine.bpmn.workflow import UnboundCallError


def _complete_ready(workflow: BpmnWorkflow) -> bool:
    task = workflow.get_next_task(state=TaskState.READY, manual=True)
    if task is None:
        return False
    task.set_data(**VARIABLES)
    task.run()
    workflow.do_engine_steps()
    return True


def _steps(
    instances: int,
    new: Callable[[], BpmnWorkflow],
    load: Callable[[str], BpmnWorkflow],
    save: Callable[[Any], str],
) -> list[float]:
    samples: list[float] = []
    for _ in range(instances):
        workflow = new()
        workflow.do_engine_steps()
        text = save(workflow)
        for _ in range(TASKS):
            started = time.perf_counter()
            workflow = load(text)
            _complete_ready(workflow)
            text = save(workflow)
            samples.append(time.perf_counter() - started)
    return samples


def stock(instances: int) -> list[float]:
    parser = CamundaParser()
    parser.add_bpmn_str(linear_process())
    spec = parser.get_spec(PROCESS_KEY)
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(CAMUNDA_CONFIG))
    return _steps(
        instances, lambda: BpmnWorkflow(spec), serializer.deserialize_json, serializer.serialize_json
    )


class _OneProcess:
    """The specs of the benchmark's one process (it calls nothing)."""

    def __init__(self, process: CompiledProcess) -> None:
        self.process = process

    def definition(self, definition_id: str) -> CompiledProcess:
        return self.process

    def bind(self, target: CallTarget, caller_definition_id: str) -> CompiledProcess:
        raise UnboundCallError(target.label)

    def decision(self, ref: DecisionRef, caller_definition_id: str) -> DecisionModel:
        raise DecisionNotFoundError(ref.key)


def state(instances: int) -> list[float]:
    process = compile_resources([Resource("bench.bpmn", linear_process())]).processes[PROCESS_KEY]
    engine = create_script_engine(2.0)
    specs = _OneProcess(process)
    return _steps(
        instances,
        lambda: new_workflow(process, specs, engine),
        lambda text: load_state(text, process, specs, engine),
        dump_state,
    )
