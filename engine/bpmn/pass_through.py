"""Task specs for `bpmn:task` and `bpmn:manualTask`, which Camunda 7 passes through.

SpiffWorkflow makes both wait for a person (`manual`), so a plain task drawn in Camunda
Modeler became a user task. Camunda executes them as pass-through activities: the token moves
on at once. These specs do the same.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.defaults import ManualTask, NoneTask


class PassThroughTask(NoneTask):  # type: ignore[misc]
    def __init__(self, wf_spec: Any, bpmn_id: str, **kwargs: Any) -> None:
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.manual = False


class PassThroughManualTask(ManualTask):  # type: ignore[misc]
    def __init__(self, wf_spec: Any, bpmn_id: str, **kwargs: Any) -> None:
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.manual = False
