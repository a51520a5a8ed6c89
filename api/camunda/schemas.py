"""Request and response bodies of the Camunda 7 compatible routes, with Camunda's field names.

Requests ignore unknown fields, treat `null` as "not given" (the clients send both) and take a
number sent for a text field as its text.
Responses always carry every key a client may look up, with `null` where Sagsflow has nothing.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.camunda.variables import format_date, parse_date, to_camunda
from api.schemas.common import storable_fields
from engine.errors import InvalidVariablesError, VariableProblem
from engine.model import (
    ActivityInstanceInfo,
    DefinitionInfo,
    DeploymentInfo,
    ExternalTaskInfo,
    FormInfo,
    IncidentInfo,
    InstanceInfo,
    JobInfo,
    ProcessInstanceInfo,
    TaskInfo,
)

Variables = dict[str, Any] | None
TypedVariables = dict[str, dict[str, Any]]


INT32 = 2_147_483_647


class CamundaIn(BaseModel):
    """Unknown fields are ignored; numbers sent for text fields (an integer `workerId`, as the
    Python client's own examples send) are taken as their text, as Camunda's Jackson binding does.
    Text with NUL characters is refused (400) on both databases alike, as on the native routes."""

    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True)

    @model_validator(mode="after")
    def _storable_text(self) -> CamundaIn:
        storable_fields(self, CAMUNDA_VARIABLES)
        return self


CAMUNDA_VARIABLES = frozenset({"variables", "localVariables"})  # checked where they are converted


# --- requests --------------------------------------------------------------------------------


class StartIn(CamundaIn):
    businessKey: str | None = Field(default=None, max_length=200)
    variables: Variables = None
    withVariablesInReturn: bool | None = None


class EvaluateDecisionIn(CamundaIn):
    variables: Variables = None


class TopicIn(CamundaIn):
    topicName: str = Field(min_length=1, max_length=200)
    lockDuration: int | None = Field(default=None, le=INT32)
    variables: list[str] | None = None
    businessKey: str | None = None
    processDefinitionId: str | None = None
    processDefinitionIdIn: list[str] | None = None
    processDefinitionKey: str | None = None
    processDefinitionKeyIn: list[str] | None = None
    processVariables: dict[str, Any] | None = None
    includeExtensionProperties: bool | None = None


class FetchIn(CamundaIn):
    workerId: str = Field(min_length=1, max_length=200)
    maxTasks: int | None = Field(default=None, le=INT32)
    usePriority: bool | None = None
    asyncResponseTimeout: int | None = Field(default=None, le=INT32)
    topics: list[TopicIn] | None = None


class CompleteIn(CamundaIn):
    workerId: str | None = None
    variables: Variables = None
    localVariables: Variables = None


class FailureIn(CamundaIn):
    workerId: str | None = None
    errorMessage: str | None = None
    errorDetails: str | None = None
    retries: int | None = Field(default=None, le=INT32)
    retryTimeout: int | None = Field(default=None, le=INT32)


class BpmnErrorIn(CamundaIn):
    workerId: str | None = None
    errorCode: str = Field(min_length=1)
    errorMessage: str | None = None
    variables: Variables = None


class ExtendLockIn(CamundaIn):
    workerId: str | None = None
    newDuration: int = Field(gt=0, le=2_147_483_647)


class LockIn(CamundaIn):
    workerId: str = Field(min_length=1, max_length=200)
    lockDuration: int = Field(gt=0, le=2_147_483_647)


class RetriesIn(CamundaIn):
    retries: int = Field(le=INT32)  # a database integer: larger is refused (400), not a server error


class VariableModificationsIn(CamundaIn):
    modifications: Variables = None
    deletions: list[str] | None = None


class JobDueDateIn(CamundaIn):
    duedate: str = Field(min_length=1)
    cascade: bool | None = None


class MessageIn(CamundaIn):
    messageName: str = Field(min_length=1, max_length=300)
    businessKey: str | None = None
    processInstanceId: str | None = None
    tenantId: str | None = None
    withoutTenantId: bool | None = None
    correlationKeys: Variables = None
    processVariables: Variables = None
    all: bool | None = None
    resultEnabled: bool | None = None
    variablesInResultEnabled: bool | None = None


class TaskQueryIn(CamundaIn):
    processInstanceId: str | None = None
    processInstanceBusinessKey: str | None = None
    processDefinitionKey: str | None = None
    processDefinitionId: str | None = None
    taskDefinitionKey: str | None = None
    assignee: str | None = None
    assigned: bool | None = None
    unassigned: bool | None = None
    candidateGroup: str | None = None
    candidateUser: str | None = None
    dueBefore: str | None = None
    dueAfter: str | None = None


class TaskCompleteIn(CamundaIn):
    variables: Variables = None
    withVariablesInReturn: bool | None = None


class TaskBpmnErrorIn(CamundaIn):
    errorCode: str | None = None
    errorMessage: str | None = None
    variables: Variables = None


class TaskEscalationIn(CamundaIn):
    escalationCode: str | None = None
    variables: Variables = None


class UserIdIn(CamundaIn):
    userId: str | None = None


class HistoryQueryIn(CamundaIn):
    processInstanceId: str | None = None
    processInstanceIds: list[str] | None = None
    superProcessInstanceId: str | None = None
    subProcessInstanceId: str | None = None
    processInstanceBusinessKey: str | None = None
    processInstanceBusinessKeyLike: str | None = None
    processDefinitionKey: str | None = None
    processDefinitionId: str | None = None
    finished: bool | None = None
    unfinished: bool | None = None
    startedBefore: str | None = None
    startedAfter: str | None = None


def optional_date(value: str | None, name: str = "date") -> Any:
    """A query date in Camunda's formats; a malformed one is the caller's error (400), never a 500."""
    if not value:
        return None
    try:
        return parse_date(value)
    except ValueError as err:
        raise InvalidVariablesError([VariableProblem(name, str(err))]) from None


# --- responses -------------------------------------------------------------------------------


class LinkOut(BaseModel):
    method: str
    href: str
    rel: str


class ProcessDefinitionOut(BaseModel):
    id: str
    key: str
    category: str | None = None
    description: str | None = None
    name: str | None
    version: int
    resource: str
    deploymentId: str
    diagram: str | None = None
    suspended: bool = False
    tenantId: str | None = None
    versionTag: str | None
    historyTimeToLive: int | None = None
    startableInTasklist: bool = True

    @classmethod
    def of(cls, d: DefinitionInfo) -> ProcessDefinitionOut:
        return cls(
            id=d.id,
            key=d.key,
            name=d.name,
            version=d.version,
            resource=d.resource_name,
            deploymentId=d.deployment_id,
            versionTag=d.version_tag,
            tenantId=d.municipality,
        )


class DecisionDefinitionOut(BaseModel):
    id: str
    key: str
    category: str | None = None
    name: str | None
    version: int
    resource: str
    deploymentId: str
    decisionRequirementsDefinitionId: str | None = None
    decisionRequirementsDefinitionKey: str | None = None
    tenantId: str | None = None
    versionTag: str | None = None
    historyTimeToLive: int | None = None

    @classmethod
    def of(cls, d: DefinitionInfo) -> DecisionDefinitionOut:
        return cls(
            id=d.id,
            key=d.key,
            name=d.name,
            version=d.version,
            resource=d.resource_name,
            deploymentId=d.deployment_id,
            versionTag=d.version_tag,
            tenantId=d.municipality,
        )


class DecisionXmlOut(BaseModel):
    id: str
    dmnXml: str


class DeploymentOut(BaseModel):
    links: list[LinkOut]
    id: str
    name: str | None
    source: str | None
    deploymentTime: str | None
    tenantId: str | None

    @classmethod
    def of(cls, d: DeploymentInfo, base: str = "") -> DeploymentOut:
        return cls(
            links=[LinkOut(method="GET", href=f"{base}/deployment/{d.id}", rel="self")] if base else [],
            id=d.id,
            name=d.name,
            source=d.source,
            deploymentTime=format_date(d.deployed_at),
            tenantId=d.tenant_id,
        )


class DeploymentWithDefinitionsOut(DeploymentOut):
    deployedProcessDefinitions: dict[str, ProcessDefinitionOut] | None
    deployedCaseDefinitions: dict[str, Any] | None = None
    deployedDecisionDefinitions: dict[str, DecisionDefinitionOut] | None
    deployedDecisionRequirementsDefinitions: dict[str, Any] | None = None

    @classmethod
    def created(cls, d: DeploymentInfo, base: str) -> DeploymentWithDefinitionsOut:
        """An unchanged redeploy (duplicate) answers the old deployment with null maps, as Camunda."""
        shown = () if d.duplicate else d.definitions
        processes = {x.id: ProcessDefinitionOut.of(x) for x in shown if x.kind == "process"}
        decisions = {x.id: DecisionDefinitionOut.of(x) for x in shown if x.kind == "decision"}
        return cls(
            **DeploymentOut.of(d, base).model_dump(),
            deployedProcessDefinitions=processes or None,
            deployedDecisionDefinitions=decisions or None,
        )


class ProcessInstanceOut(BaseModel):
    links: list[LinkOut]
    id: str
    definitionId: str
    definitionKey: str
    businessKey: str | None
    caseInstanceId: str | None = None
    ended: bool
    suspended: bool = False
    tenantId: str | None = None
    variables: TypedVariables | None = None

    @classmethod
    def of(
        cls, i: InstanceInfo | ProcessInstanceInfo, base: str = "", variables: bool = False
    ) -> ProcessInstanceOut:
        """A case (as a start answers it) or any process instance (as queries find them)."""
        state = i.status if isinstance(i, InstanceInfo) else i.state
        return cls(
            links=[LinkOut(method="GET", href=f"{base}/process-instance/{i.id}", rel="self")] if base else [],
            id=i.id,
            definitionId=i.definition_id,
            definitionKey=i.process_key,
            businessKey=i.business_key,
            ended=state != "active",
            variables=to_camunda(i.variables) if variables else None,
        )


HistoricState = Literal["ACTIVE", "SUSPENDED", "COMPLETED", "EXTERNALLY_TERMINATED", "INTERNALLY_TERMINATED"]


class HistoricProcessInstanceOut(BaseModel):
    id: str
    rootProcessInstanceId: str
    superProcessInstanceId: str | None = None
    superCaseInstanceId: str | None = None
    caseInstanceId: str | None = None
    processDefinitionName: str | None = None
    processDefinitionKey: str
    processDefinitionVersion: int | None
    processDefinitionId: str
    businessKey: str | None
    startTime: str | None
    endTime: str | None
    removalTime: str | None = None
    durationInMillis: int | None
    startUserId: str | None = None
    startActivityId: str | None = None
    deleteReason: str | None = None
    tenantId: str | None = None
    state: HistoricState

    @classmethod
    def of(cls, i: ProcessInstanceInfo) -> HistoricProcessInstanceOut:
        duration = int((i.ended_at - i.started_at).total_seconds() * 1000) if i.ended_at else None
        return cls(
            id=i.id,
            rootProcessInstanceId=i.case_id,
            superProcessInstanceId=i.super_id,
            processDefinitionName=i.definition_name,
            processDefinitionKey=i.process_key,
            processDefinitionVersion=i.version,
            processDefinitionId=i.definition_id,
            businessKey=i.business_key,
            startTime=format_date(i.started_at),
            endTime=format_date(i.ended_at),
            durationInMillis=duration,
            state=_HISTORIC_STATES[i.state],
        )


# a called process ended by its call activity's interrupting boundary event: terminated by the
# process itself, as Camunda records it
_HISTORIC_STATES: dict[str, HistoricState] = {
    "active": "ACTIVE",
    "completed": "COMPLETED",
    "terminated": "INTERNALLY_TERMINATED",
}


class LockedExternalTaskOut(BaseModel):
    activityId: str
    activityInstanceId: str
    errorMessage: str | None
    errorDetails: str | None
    executionId: str
    id: str
    lockExpirationTime: str | None
    createTime: str | None
    processDefinitionId: str
    processDefinitionKey: str
    processDefinitionVersionTag: str | None
    processInstanceId: str
    retries: int | None
    suspended: bool = False
    workerId: str | None
    topicName: str | None
    tenantId: str | None = None
    priority: int
    businessKey: str | None
    variables: TypedVariables
    extensionProperties: dict[str, str]

    @classmethod
    def of(cls, x: ExternalTaskInfo) -> LockedExternalTaskOut:
        t = x.task
        return cls(
            activityId=t.element_id,
            activityInstanceId=f"{t.element_id}:{t.id}",
            errorMessage=t.error_message,
            errorDetails=x.error_details,
            executionId=t.process_instance_id or t.instance_id,
            id=t.id,
            lockExpirationTime=format_date(t.lock_expires_at),
            createTime=format_date(t.created_at),
            processDefinitionId=t.definition_id,
            processDefinitionKey=t.process_key,
            processDefinitionVersionTag=x.version_tag,
            processInstanceId=t.process_instance_id or t.instance_id,
            retries=t.retries,
            workerId=t.lock_owner,
            topicName=t.topic,
            priority=x.priority,
            businessKey=t.business_key,
            variables=to_camunda(x.variables),
            extensionProperties=x.extension_properties,
        )


class TaskOut(BaseModel):
    id: str
    name: str
    assignee: str | None
    owner: str | None = None
    created: str | None
    lastUpdated: str | None = None
    due: str | None
    followUp: str | None = None
    delegationState: str | None = None
    description: str | None = None
    executionId: str
    parentTaskId: str | None = None
    priority: int = 50
    processDefinitionId: str
    processInstanceId: str
    caseExecutionId: str | None = None
    caseDefinitionId: str | None = None
    caseInstanceId: str | None = None
    taskDefinitionKey: str
    suspended: bool = False
    formKey: str | None = None
    camundaFormRef: dict[str, Any] | None = None
    tenantId: str | None = None
    taskState: str
    dueDay: str | None = Field(
        default=None,
        description="Sagsflow: the last day of the due date (YYYY-MM-DD); `due` is the instant it passes",
    )
    dueKind: str | None = Field(
        default=None, description="Sagsflow: elapsed (an instant) or calendar (a last day)"
    )

    @classmethod
    def of(cls, t: TaskInfo) -> TaskOut:
        return cls(
            id=t.id,
            name=t.name or t.element_id,
            assignee=t.assignee,
            created=format_date(t.created_at),
            due=format_date(t.due_at),
            dueDay=t.due_date.isoformat() if t.due_date else None,
            dueKind=t.due_kind,
            executionId=t.process_instance_id or t.instance_id,
            processDefinitionId=t.definition_id,
            processInstanceId=t.process_instance_id or t.instance_id,
            taskDefinitionKey=t.element_id,
            formKey=t.form_key,
            camundaFormRef=t.form_ref,
            taskState="Created" if t.state == "open" else t.state.capitalize(),
        )


class FormOut(BaseModel):
    """Camunda's FormDto: the form key, or the Camunda Form reference."""

    key: str | None
    contextPath: str | None = None
    camundaFormRef: dict[str, Any] | None = None

    @classmethod
    def of(cls, f: FormInfo) -> FormOut:
        return cls(key=f.key, camundaFormRef=f.ref)


class CountOut(BaseModel):
    count: int


class IncidentOut(BaseModel):
    id: str
    processDefinitionId: str
    processInstanceId: str
    executionId: str
    incidentTimestamp: str | None
    incidentType: str
    activityId: str | None
    failedActivityId: str | None
    causeIncidentId: str
    rootCauseIncidentId: str
    configuration: str | None
    tenantId: str | None = None
    incidentMessage: str | None
    jobDefinitionId: str | None = None
    annotation: str | None = None

    @classmethod
    def of(cls, i: IncidentInfo) -> IncidentOut:
        return cls(
            id=i.id,
            processDefinitionId=i.definition_id,
            processInstanceId=i.instance_id,
            executionId=i.instance_id,
            incidentTimestamp=format_date(i.created_at),
            incidentType=i.type,
            activityId=i.element_id,
            failedActivityId=i.element_id,
            causeIncidentId=i.id,
            rootCauseIncidentId=i.id,
            configuration=i.task_id,
            incidentMessage=i.message,
        )


class JobOut(BaseModel):
    id: str
    jobDefinitionId: str | None = None
    dueDate: str | None
    processInstanceId: str | None
    executionId: str | None
    processDefinitionId: str
    processDefinitionKey: str
    retries: int
    exceptionMessage: str | None
    failedActivityId: str | None
    suspended: bool = False
    priority: int = 0
    tenantId: str | None = None
    createTime: str | None
    batchId: str | None = None
    dueDay: str | None = Field(
        default=None,
        description="Sagsflow: the day the deadline belongs to (a calendar deadline's last day, "
        "YYYY-MM-DD); `dueDate` is the instant the job runs, when that day has ended",
    )
    dueKind: str | None = Field(
        default=None, description="Sagsflow: elapsed (an instant) or calendar (a last day)"
    )

    @classmethod
    def of(cls, j: JobInfo) -> JobOut:
        return cls(
            id=j.id,
            dueDate=format_date(j.due_at),
            dueDay=j.due_date.isoformat() if j.due_date else None,
            dueKind=j.due_kind,
            processInstanceId=j.instance_id,
            executionId=j.instance_id,
            processDefinitionId=j.definition_id,
            processDefinitionKey=j.process_key,
            retries=j.retries,
            exceptionMessage=j.exception_message,
            failedActivityId=j.element_id if j.exception_message else None,
            createTime=format_date(j.created_at),
        )


class ActivityInstanceOut(BaseModel):
    id: str
    parentActivityInstanceId: str | None
    activityId: str
    activityType: str
    activityName: str | None
    name: str | None
    processInstanceId: str
    processDefinitionId: str
    childActivityInstances: list[ActivityInstanceOut]
    childTransitionInstances: list[Any] = Field(default_factory=list)
    executionIds: list[str]
    incidentIds: list[str]
    incidents: list[dict[str, str]]

    @classmethod
    def of(
        cls, a: ActivityInstanceInfo, *, instance_id: str, definition_id: str, parent: str | None = None
    ) -> ActivityInstanceOut:
        return cls(
            id=a.id,
            parentActivityInstanceId=parent,
            activityId=a.activity_id,
            activityType=a.activity_type,
            activityName=a.name,
            name=a.name,
            processInstanceId=instance_id,
            processDefinitionId=definition_id,
            childActivityInstances=[
                cls.of(c, instance_id=instance_id, definition_id=definition_id, parent=a.id)
                for c in a.children
            ],
            executionIds=[instance_id],
            incidentIds=list(a.incident_ids),
            incidents=[{"id": i, "activityId": a.activity_id} for i in a.incident_ids],
        )


class VersionOut(BaseModel):
    version: str


class MessageResultOut(BaseModel):
    resultType: str
    execution: dict[str, Any] | None
    processInstance: ProcessInstanceOut | None
