"""Plain, frozen types the engine returns and accepts. No table models, no HTTP schemas."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from engine.errors import DefinitionProblem

T = TypeVar("T")


class Role(StrEnum):
    INTEGRATOR = "integrator"
    CASEWORKER = "caseworker"
    LEADER = "leader"
    PROCESS_OWNER = "process_owner"
    ADMIN = "admin"


@dataclass(frozen=True)
class Actor:
    """Who is asking: a person or a system account, always inside one municipality.

    `route` and `request_id` say through which request; they go into the access log.
    """

    user_id: str
    municipality: str
    roles: frozenset[Role]
    teams: frozenset[str] = frozenset()
    route: str | None = None
    request_id: str | None = None

    def has(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))


SYSTEM_USER = "system"


def system_actor(municipality: str) -> Actor:
    """The engine acting on its own (timers, catch-up) inside one municipality."""
    return Actor(SYSTEM_USER, municipality, frozenset({Role.ADMIN}))


@dataclass(frozen=True)
class DefinitionInfo:
    id: str
    key: str
    version: int
    name: str | None
    resource_name: str
    deployment_id: str
    deployed_at: datetime
    content_hash: str
    version_tag: str | None = None
    kind: str = "process"
    municipality: str | None = None  # None: shared by every municipality


@dataclass(frozen=True)
class DeploymentInfo:
    id: str
    name: str
    source: str | None
    tenant_id: str | None
    deployed_at: datetime
    definitions: tuple[DefinitionInfo, ...]
    new_definitions: tuple[DefinitionInfo, ...]
    resources: tuple[str, ...]
    duplicate: bool = False
    warnings: tuple[DefinitionProblem, ...] = ()  # deployed anyway: waived items, durations from task start
    municipality: str | None = None  # None: shared by every municipality


@dataclass(frozen=True)
class FormFieldInfo:
    id: str
    label: str | None
    type: str
    required: bool = False
    options: tuple[tuple[str, str | None], ...] = ()
    default: Any = None  # as written in the diagram, or computed and typed when the form is opened
    constraints: tuple[tuple[str, str | None], ...] = ()


@dataclass(frozen=True)
class TaskInfo:
    id: str
    instance_id: str
    element_id: str
    name: str
    kind: str
    state: str
    municipality: str
    business_key: str | None
    process_key: str
    definition_id: str
    created_at: datetime
    candidate_groups: tuple[str, ...] = ()
    candidate_users: tuple[str, ...] = ()
    assignee: str | None = None
    due_at: datetime | None = None  # the instant the due date passes
    due_date: date | None = None  # its last day (engine/deadlines.py)
    due_kind: str | None = None  # "elapsed" or "calendar"
    completed_at: datetime | None = None
    completed_by: str | None = None
    phase: str | None = None
    topic: str | None = None
    form: tuple[FormFieldInfo, ...] = ()
    retries: int | None = None
    lock_owner: str | None = None
    lock_expires_at: datetime | None = None
    error_message: str | None = None
    variables: dict[str, Any] | None = None
    process_instance_id: str = ""  # the process instance it runs in: the case's id or a called process's
    cause: dict[str, Any] | None = None  # what made it: a deadline timer (kind, deadline, due_at, …)
    deadline: str | None = None  # the legal rule its due date keeps (its breach timer's)
    case_phase: str | None = None  # where its case stands now
    form_key: str | None = None  # camunda:formKey
    form_ref: dict[str, Any] | None = None  # camunda:formRef: {"key", "binding", "version"}


@dataclass(frozen=True)
class FormInfo:
    """The form a task or a process's start event names (Camunda's FormDto)."""

    key: str | None
    ref: dict[str, Any] | None = None  # {"key", "binding", "version"}


@dataclass(frozen=True)
class FormContent:
    """A deployed form file."""

    name: str
    content: bytes
    media_type: str


@dataclass(frozen=True)
class TimerInfo:
    id: str
    instance_id: str
    element_id: str
    name: str | None
    kind: str
    due_at: datetime  # when it fires; for a deadline, the instant it passes
    status: str
    fired_at: datetime | None = None
    attempts: int = 0
    purpose: str | None = None  # "breach", "reminder" (camunda:property purpose) or none
    deadline: str | None = None  # the legal rule it guards (camunda:property deadline)
    due_date: date | None = None  # the last day of a calendar deadline, else the day of due_at
    due_kind: str | None = None  # "elapsed" or "calendar"
    outcome: str | None = None  # a deadline that ended: "met", "breached" or "cancelled"


@dataclass(frozen=True)
class EventInfo:
    id: int
    instance_id: str
    at: datetime
    kind: str
    actor: str
    element_id: str | None = None
    task_id: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class InstanceInfo:
    id: str
    definition_id: str
    process_key: str
    business_key: str | None
    municipality: str
    status: str
    phase: str | None
    started_at: datetime
    updated_at: datetime
    ended_at: datetime | None
    version: int
    team: str | None = None
    caseworker: str | None = None
    next_due_at: datetime | None = None
    next_due_date: date | None = None  # the day of the next timer (a calendar deadline's last day)
    next_due_kind: str | None = None
    current_activities: tuple[str, ...] = ()
    tasks: tuple[TaskInfo, ...] = ()
    timers: tuple[TimerInfo, ...] = ()
    history: tuple[EventInfo, ...] = ()
    variables: dict[str, Any] | None = None
    process_name: str | None = None  # the process's label in its diagram
    activity_names: dict[str, str] = field(default_factory=dict)  # current activity id -> label
    started_by_message: bool = False  # in a correlation's answer: a message start event started it


@dataclass(frozen=True)
class ProcessInstanceInfo:
    """A process instance as Camunda counts them: a case (`id` == `case_id`, no super instance) or a
    process a call activity started in it."""

    id: str
    case_id: str
    super_id: str | None
    super_element_id: str | None
    definition_id: str
    definition_name: str | None
    process_key: str
    business_key: str | None
    municipality: str
    state: str  # active, completed, terminated
    started_at: datetime
    ended_at: datetime | None
    variables: dict[str, Any] | None = None

    @property
    def version(self) -> int | None:
        parts = self.definition_id.split(":")
        return int(parts[1]) if len(parts) >= 3 and parts[1].isdigit() else None


@dataclass(frozen=True)
class ProcessInstanceFilter:
    municipality: str
    state: str | None = None  # active, completed, terminated; "ended" = completed or terminated
    ids: Sequence[str] | None = None
    business_key: str | None = None
    business_key_like: str | None = None
    process_key: str | None = None
    definition_id: str | None = None
    super_id: str | None = None
    sub_id: str | None = None
    case_id: str | None = None
    activity_id: str | None = None
    started_after: datetime | None = None
    started_before: datetime | None = None
    visible_to_user: str | None = None
    visible_to_teams: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    total: int
    offset: int
    limit: int


@dataclass(frozen=True)
class InstanceFilter:
    municipality: str
    status: str | None = None
    process_key: str | None = None
    definition_id: str | None = None
    business_key: str | None = None
    business_key_like: str | None = None
    phase: str | None = None
    team: str | None = None
    caseworker: str | None = None
    activity_id: str | None = None
    started_after: datetime | None = None
    started_before: datetime | None = None
    ids: Sequence[str] | None = None
    visible_to_user: str | None = None
    visible_to_teams: tuple[str, ...] | None = None


@dataclass(frozen=True)
class DefinitionFilter:
    """Which definition versions a list asks for (every field optional; `key_like` uses % and _)."""

    key: str | None = None
    key_like: str | None = None
    name: str | None = None
    definition_id: str | None = None
    deployment_id: str | None = None
    version: int | None = None
    version_tag: str | None = None
    resource_name: str | None = None
    latest_only: bool = False
    tenant_ids: tuple[str, ...] | None = None  # only these municipalities' own definitions …
    include_without_tenant: bool = False  # … and the shared ones too
    without_tenant: bool = False  # only the shared definitions


@dataclass(frozen=True)
class DecisionValue:
    """One entry of a decision result: the value as a case keeps it (JSON; dates as ISO strings)
    and its Camunda variable type (String, Integer, Long, Double, Boolean, Date, Json, Null)."""

    value: Any
    type: str


@dataclass(frozen=True)
class TaskFilter:
    """`instance_id` and `business_key` are the case's; `process_instance_id`,
    `process_business_key`, `process_key` and `definition_id` those of the process instance the
    task runs in (the case's own or a called process's), as Camunda filters."""

    municipality: str
    state: str | None = "open"
    kind: str | None = None
    instance_id: str | None = None
    business_key: str | None = None
    process_key: str | None = None
    element_id: str | None = None
    process_instance_id: str | None = None
    process_business_key: str | None = None
    definition_id: str | None = None
    candidate_group: str | None = None
    candidate_groups_any: tuple[str, ...] | None = None
    candidate_user: str | None = None
    assignee: str | None = None
    unassigned: bool = False
    assigned: bool = False
    topic: str | None = None
    team: str | None = None
    due_before: datetime | None = None
    due_after: datetime | None = None
    visible_to_user: str | None = None
    visible_to_teams: tuple[str, ...] | None = None


# --- external tasks, incidents, jobs, activity instances (Camunda 7 compatible reads) -------


@dataclass(frozen=True)
class TopicSubscription:
    """One topic of a worker's fetch-and-lock request, with Camunda's optional filters."""

    name: str
    lock_ms: int
    variables: tuple[str, ...] | None = None
    business_key: str | None = None
    definition_ids: tuple[str, ...] | None = None
    definition_keys: tuple[str, ...] | None = None
    process_variables: tuple[tuple[str, Any], ...] = ()
    extension_properties: bool = False


@dataclass(frozen=True)
class FetchRequest:
    worker_id: str
    topics: tuple[TopicSubscription, ...]
    max_tasks: int = 1
    use_priority: bool = False


@dataclass(frozen=True)
class ExternalTaskInfo:
    """An external task as a worker sees it; `variables` only when it was fetched."""

    task: TaskInfo
    priority: int
    version_tag: str | None = None
    error_details: str | None = None
    variables: dict[str, Any] | None = None
    extension_properties: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class IncidentInfo:
    id: str
    instance_id: str
    definition_id: str
    process_key: str
    type: str
    message: str
    created_at: datetime
    task_id: str | None = None
    element_id: str | None = None
    resolved_at: datetime | None = None


@dataclass(frozen=True)
class JobInfo:
    """A timer row seen as a Camunda job: pending (or failed) with its due instant. A timer start
    event of a deployed definition has no process instance (`instance_id` None)."""

    id: str
    instance_id: str | None
    definition_id: str
    process_key: str
    element_id: str
    due_at: datetime
    created_at: datetime
    status: str
    retries: int
    exception_message: str | None = None
    due_date: date | None = None
    due_kind: str | None = None


@dataclass(frozen=True)
class ActivityInstanceInfo:
    """Where a token stands: a tree from the process down to waiting activities."""

    id: str
    activity_id: str
    activity_type: str
    name: str | None
    children: tuple[ActivityInstanceInfo, ...] = ()
    incident_ids: tuple[str, ...] = ()
    definition_id: str | None = None


@dataclass(frozen=True)
class DiagramInfo:
    """One BPMN file of a case (its process and the subprocesses drawn in it) with the ids of the
    elements completed at least once and of those active now."""

    process_id: str
    name: str | None
    xml: str
    completed: tuple[str, ...]
    active: tuple[str, ...]


@dataclass(frozen=True)
class WebSessionInfo:
    """A person's signed-in session in the pages: who (as an `Actor`), through which identity
    provider (`subject` as the provider names the person; `provider_session` what single logout
    needs), and until when."""

    actor: Actor
    provider: str
    subject: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    provider_session: str | None = None


@dataclass(frozen=True)
class SignInAttemptInfo:
    """What the identity provider's answer to one sign-in must match."""

    provider: str
    state: str
    secrets: dict[str, str]
    next_page: str | None = None


@dataclass(frozen=True)
class AssertionUse:
    """A SAML assertion being used to sign in: it may be used once, until it expires."""

    id: str
    issuer: str
    expires_at: datetime


@dataclass(frozen=True)
class MigrationInstruction:
    """Instances of the source activity `source` become instances of the target activity `target`;
    `update_event_trigger`: a timer's due date is computed again (otherwise it never moves)."""

    source: str
    target: str
    update_event_trigger: bool = False


@dataclass(frozen=True)
class MigrationPlan:
    """From one definition version to another of the same key. `variables` are set in each
    migrated process instance; `children`: plans for the processes call activities started
    (a child on a child plan's source version moves with its case)."""

    source_definition_id: str
    target_definition_id: str
    instructions: tuple[MigrationInstruction, ...]
    variables: dict[str, Any] = field(default_factory=dict)
    children: tuple[MigrationPlan, ...] = ()


@dataclass(frozen=True)
class MigrationSelection:
    """Which process instances to migrate: by id (cases or called processes), or every running
    one of the plan's source version that `query` matches (its municipality is the caller's)."""

    process_instance_ids: tuple[str, ...] | None = None
    business_key: str | None = None
    activity_id: str | None = None


@dataclass(frozen=True)
class MigrationProblemInfo:
    element_id: str | None
    task_id: str | None
    message: str
    message_da: str = ""


MIGRATABLE, MIGRATED, REFUSED, ALREADY, NOT_ON_SOURCE = (
    "migratable",
    "migrated",
    "refused",
    "already migrated",
    "not on the source version",
)


@dataclass(frozen=True)
class InstanceMigration:
    """One process instance's result: `outcome` is one of MIGRATABLE (validated), MIGRATED,
    REFUSED (with `problems`; the case is left as it was), ALREADY (on the target: nothing to do)
    or NOT_ON_SOURCE."""

    process_instance_id: str
    case_id: str
    outcome: str
    problems: tuple[MigrationProblemInfo, ...] = ()


@dataclass(frozen=True)
class MigrationReport:
    instances: tuple[InstanceMigration, ...]
    seconds: float = 0.0

    def count(self, outcome: str) -> int:
        return sum(1 for i in self.instances if i.outcome == outcome)
