"""Workflows this process saved last, kept in memory so the next step on the same case skips
deserializing its state.

An entry is the exact object whose state was committed, keyed by case and valid for one
(definition, version) pair: the instance row's version, read under the instance lock, says whether
anyone (a step on another worker, a claim) has written the case since. `take` hands the
object out and forgets it, so only one command at a time can hold it; a command that fails never
gives it back, and the next load deserializes the committed state instead.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from engine.bpmn.workflow import CaseWorkflow

_Key = tuple[str, int]  # (definition id, version)


class ResidentWorkflows:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[str, tuple[_Key, CaseWorkflow]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, instance_id: str, definition_id: str, version: int) -> CaseWorkflow | None:
        with self._lock:
            entry = self._entries.pop(instance_id, None)
        if entry is None or entry[0] != (definition_id, version):
            return None
        return entry[1]

    def keep(self, instance_id: str, definition_id: str, version: int, workflow: CaseWorkflow) -> None:
        """Call only after the transaction that saved `workflow` as `version` has committed."""
        if self.capacity <= 0:
            return
        with self._lock:
            self._entries[instance_id] = ((definition_id, version), workflow)
            self._entries.move_to_end(instance_id)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
