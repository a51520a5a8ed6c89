"""Domain errors. They carry the identifiers a caller needs and know nothing of HTTP.

`api/problems.py` holds the one table that maps each class to a status code.
"""

from __future__ import annotations

from dataclasses import dataclass


class EngineError(Exception):
    """Base class of every error the engine raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(EngineError):
    """The object does not exist, or the caller may not know that it exists."""

    def __init__(self, kind: str, identifier: str) -> None:
        super().__init__(f"{kind} '{identifier}' does not exist")
        self.kind = kind
        self.identifier = identifier


class WrongStateError(EngineError):
    """The object exists but is not in a state where the command applies."""


class CaseNumberInUseError(WrongStateError):
    """An open case already has this case number (business key); `existing_id` is that case."""

    def __init__(self, case_number: str, existing_id: str) -> None:
        super().__init__(f"case number {case_number!r} is already open as case {existing_id}")
        self.case_number = case_number
        self.existing_id = existing_id


class IdempotencyKeyReusedError(EngineError):
    """An Idempotency-Key came again with a different request; the first one's answer stands."""

    def __init__(self, key: str) -> None:
        super().__init__(
            f"the Idempotency-Key {key!r} was used for a different request; use a new key for a new request"
        )
        self.key = key


class ConcurrentUpdateError(EngineError):
    """Another command changed the same object first; nothing was changed."""

    def __init__(self, identifier: str, kind: str = "case") -> None:
        super().__init__(f"{kind} {identifier} was changed by another request; reload and retry")
        self.identifier = identifier


class ForbiddenError(EngineError):
    """The caller is known but its role does not allow the command."""


class LockedByOtherWorkerError(EngineError):
    """An external task is locked by another worker."""


class TooLargeError(EngineError):
    """An upload or a value is larger than the configured limit."""


@dataclass(frozen=True)
class DefinitionProblem:
    """One reason a deployment was refused, pointing at the BPMN element when known."""

    message: str
    resource: str | None = None
    element_id: str | None = None
    line: int | None = None
    item: str | None = None  # the diagram-contract item it concerns (engine/contract.py), if any

    def describe(self) -> str:
        where = [w for w in (self.resource, self.element_id and f"element '{self.element_id}'") if w]
        if self.line:
            where.append(f"line {self.line}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class InvalidDefinitionError(EngineError):
    """A BPMN or DMN upload was refused; nothing was deployed."""

    def __init__(
        self, problems: list[DefinitionProblem], warnings: list[DefinitionProblem] | None = None
    ) -> None:
        super().__init__("; ".join(p.describe() for p in problems))
        self.problems = problems
        self.warnings = warnings or []


@dataclass(frozen=True)
class VariableProblem:
    """One invalid variable: its name (or path) and what is wrong with it.

    For a task's form, `name` is the form field the problem concerns (a guard declares its field),
    so a page can show `message_da` beside it. `message` is English, for integrators;
    `message_da` says the same in Danish for the caseworker, dates as local Danish dates.
    `rule` names the completion guard that refused, if one did.
    """

    name: str
    message: str
    message_da: str | None = None
    rule: str | None = None


class InvalidVariablesError(EngineError):
    """Submitted variables were refused; nothing was changed."""

    def __init__(self, problems: list[VariableProblem]) -> None:
        super().__init__("; ".join(f"{p.name}: {p.message}" for p in problems))
        self.problems = problems


class ProcessError(EngineError):
    """The diagram itself failed while running (a script, condition or timer expression).

    The command is rolled back; the instance stays at its last wait state.
    """

    def __init__(self, message: str, *, element_id: str | None = None) -> None:
        where = f"element '{element_id}': " if element_id else ""
        super().__init__(f"{where}{message}")
        self.element_id = element_id


class DecisionError(EngineError):
    """A decision could not be evaluated (a cell failed, a hit policy was violated)."""

    def __init__(self, message: str, *, decision_id: str, element_id: str | None = None) -> None:
        super().__init__(message)
        self.decision_id = decision_id
        self.element_id = element_id


class NotCorrelatedError(EngineError):
    """A message matched no waiting case, or more than one."""


class SignInRefusedError(EngineError):
    """A sign-in answer was refused (replayed assertion, no matching attempt, …); `reason` is
    short and holds no personal data, it goes into the access log."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"sign-in refused: {reason}")
        self.reason = reason


class StepFailedError(EngineError):
    """A command that advances a case failed for an internal reason (not the caller's, not the
    diagram's): nothing was changed. `reference` names the log line; `incident_id` the incident
    opened on the case (None if none could be: no case was locked yet, or the database failed)."""

    def __init__(self, command: str, reference: str, incident_id: str | None) -> None:
        opened = f"; incident {incident_id} is open for an administrator" if incident_id else ""
        super().__init__(
            f"{command} failed for an internal reason (reference {reference}); nothing was changed{opened}"
        )
        self.reference = reference
        self.incident_id = incident_id


@dataclass(frozen=True)
class InstructionFailure:
    """Why one instruction of a migration plan can never be applied (`index`: its position in
    the plan's instructions; `plan`: the source definition of the plan it belongs to)."""

    index: int
    source: str
    target: str
    failures: tuple[str, ...]
    plan: str = ""
    update_event_trigger: bool = False


class MigrationPlanError(EngineError):
    """A migration plan that cannot be applied to any case: every failure of every instruction."""

    def __init__(self, message: str, failures: list[InstructionFailure]) -> None:
        super().__init__(message)
        self.failures = failures


class MigrationRefusedError(EngineError):
    """A process instance the plan cannot migrate as it stands (Camunda executes nothing then)."""

    def __init__(self, process_instance_id: str, problems: list[tuple[str | None, str | None, str]]) -> None:
        first = problems[0][2] if problems else "it cannot be migrated"
        super().__init__(f"process instance '{process_instance_id}' cannot be migrated: {first}")
        self.process_instance_id = process_instance_id
        self.problems = problems  # (element id, task id, message)
