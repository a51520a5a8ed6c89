"""Business rule tasks: a DMN decision evaluated when the task is reached, as Camunda 7 does it.

`camunda:decisionRef` names the decision; `camunda:decisionRefBinding` says which version:
`latest` (the default), `deployment` (the one deployed with the process), `version` (with
`camunda:decisionRefVersion`) or `versionTag` (with `camunda:decisionRefVersionTag`). The
decision is looked up only when a token reaches the task, by the case's workflow
(`CaseWorkflow.decision`, engine/bpmn/workflow.py), so deploying a changed DMN file alone reaches
every case that gets to the task afterwards. The result is stored only when the task names a
`camunda:resultVariable`, shaped by `camunda:mapDecisionResult` (`resultList` by default).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.parser.TaskParser import TaskParser
from SpiffWorkflow.bpmn.specs.mixins.bpmn_spec_mixin import BpmnSpecMixin
from SpiffWorkflow.camunda.parser.task_spec import CAMUNDA_MODEL_NS

from engine.bpmn.dmn.evaluate import (
    DecisionEvaluationError,
    MappingError,
    evaluate,
    map_result,
    merged_result,
)
from engine.bpmn.scripting import as_stored

BINDINGS = ("latest", "deployment", "version", "versionTag")


@dataclass(frozen=True)
class DecisionRef:
    """What a business rule task asks for: a decision key and how to pick its version."""

    key: str
    binding: str = "latest"
    version: int | None = None
    version_tag: str | None = None


class DecisionNotFoundError(LookupError):
    """No deployed decision fits the reference."""


class BusinessRuleTask(BpmnSpecMixin):  # type: ignore[misc]
    def __init__(
        self,
        wf_spec: Any,
        bpmn_id: str,
        decision: DecisionRef,
        result_variable: str | None = None,
        mapping: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.decision = decision
        self.result_variable = result_variable
        self.mapping = mapping
        self.merge_result = False  # set for definitions deployed before (engine/definitions.py)

    def _run_hook(self, my_task: Any) -> bool:
        bind = getattr(my_task.workflow.top_workflow, "decision", None)
        if bind is None:
            raise WorkflowTaskException("decisions cannot be evaluated here", task=my_task)
        try:
            model = bind(my_task, self.decision)
            result = evaluate(model, self.decision.key, my_task.data)
            if self.result_variable:
                my_task.data[self.result_variable] = as_stored(map_result(result, self.mapping))
            elif self.merge_result:
                my_task.data.update(as_stored(merged_result(result)))
        except (DecisionNotFoundError, DecisionEvaluationError, MappingError) as err:
            raise WorkflowTaskException(str(err), task=my_task) from None
        return bool(super()._run_hook(my_task))


def decision_ref_of(node: etree._Element) -> DecisionRef:
    """The task's reference as written; `reference_problems` says whether it is usable."""
    version = _attribute(node, "decisionRefVersion")
    return DecisionRef(
        key=_attribute(node, "decisionRef") or "",
        binding=_attribute(node, "decisionRefBinding") or "latest",
        version=int(version) if version and version.isdigit() else None,
        version_tag=_attribute(node, "decisionRefVersionTag"),
    )


def reference_problems(node: etree._Element) -> list[str]:
    """What is wrong with a business rule task's reference (empty when it can run); the values of
    decisionRefBinding and mapDecisionResult are checked by the support registry."""
    ref = decision_ref_of(node)
    problems = []
    if not ref.key:
        problems.append(
            "a business rule task needs camunda:decisionRef (other implementations are not supported)"
        )
    elif "${" in ref.key or "#{" in ref.key:
        problems.append("camunda:decisionRef must name a decision; expressions are not supported")
    if ref.binding == "version" and ref.version is None:
        problems.append("camunda:decisionRefBinding 'version' needs camunda:decisionRefVersion as a number")
    if ref.binding == "versionTag" and not ref.version_tag:
        problems.append("camunda:decisionRefBinding 'versionTag' needs camunda:decisionRefVersionTag")
    return problems


def _attribute(node: etree._Element, name: str) -> str | None:
    value = node.get(f"{{{CAMUNDA_MODEL_NS}}}{name}")
    return value.strip() if value is not None else None


class BusinessRuleTaskParser(TaskParser):  # type: ignore[misc]
    """Builds `BusinessRuleTask` from the Camunda attributes; the DMN is not needed to parse."""

    def create_task(self) -> BusinessRuleTask:
        return BusinessRuleTask(
            self.spec,
            self.bpmn_id,
            decision=decision_ref_of(self.node),
            result_variable=_attribute(self.node, "resultVariable"),
            mapping=_attribute(self.node, "mapDecisionResult"),
            **self.bpmn_attributes,
        )

    @staticmethod
    def get_decision_ref(node: etree._Element) -> str:
        return decision_ref_of(node).key
