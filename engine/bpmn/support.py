"""What Sagsflow does with every part of a BPMN or DMN file: the one support registry.

Each element, attribute and attribute value a Camunda Modeler file can hold has one entry here
with one of three verdicts:

- `runs`: Sagsflow executes it as Camunda 7 does (the note says how, and any difference);
- `no_effect`: accepted, because there is nothing to execute (documentation, layout, Modeler
  metadata); the note says why that is safe;
- `refused`: the deploy is refused with the note as the reason, so a case never runs without it.

Anything that has no entry is refused too ("not known to Sagsflow"): nothing is skipped silently.
`engine/bpmn/support_check.py` walks every file of a deployment against these tables and reports
all refusals at once. Making a feature supported is one edit here: flip its entry to `runs`
(the feature's code and tests come with it). Data, not logic; keep entries short and Danish-free.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Verdict(StrEnum):
    RUNS = "runs"
    NO_EFFECT = "no effect"
    REFUSED = "refused"


@dataclass(frozen=True)
class Support:
    verdict: Verdict
    note: str = ""

    @property
    def refused(self) -> bool:
        return self.verdict is Verdict.REFUSED


def runs(note: str = "") -> Support:
    return Support(Verdict.RUNS, note)


def no_effect(note: str) -> Support:
    return Support(Verdict.NO_EFFECT, note)


def refused(reason: str) -> Support:
    return Support(Verdict.REFUSED, reason)


# --- Reasons used more than once ------------------------------------------------------------

JAVA = "Java classes and beans cannot run in Sagsflow; use an external task (camunda:type='external')"
LISTENERS = (
    "listeners are not run by Sagsflow (no Java, Groovy or JavaScript); model the step as a task, "
    "or use an external task"
)
NO_SCRIPTS = "only Python script tasks run in Sagsflow (restricted Python); scripts elsewhere are not run"
IO_MAPPING = (
    "camunda:inputOutput is not run by Sagsflow; set variables with form fields, a DMN decision or a "
    "script task"
)
CMMN = "CMMN cases do not exist in Sagsflow"
TENANTS = (
    "a reference bound to a named tenant is not supported: a call or decision binds the case's"
    " municipality's definition, else the shared one"
)
ROUTING_ONLY = "has no effect on a run in Camunda either"
LAYOUT = "diagram layout (BPMNDI/DMNDI): drawn by viewers, never executed"
MODELER = "Camunda Modeler metadata, never executed"
ASYNC = (
    "every step of a case commits in its own transaction and failures roll back the request; an "
    "asynchronous continuation would only move where a failure stops, which Sagsflow reports as a 422"
)
HISTORY = "the case history is kept; retention is not set per diagram"
TASKLIST = "Camunda uses it only in its Tasklist app; Sagsflow's roles decide who may start a case"
JOBS = "timers and failed steps are retried by Sagsflow's own settings, not per element"
DATA_FLOW = (
    "data associations, data inputs and outputs are ignored by Camunda 7; Sagsflow removes them "
    "before running, because SpiffWorkflow would move variables through them"
)
DOCUMENTATION = "documentation for readers"
NOT_EXECUTABLE = "describes collaboration or choreography between parties; nothing in it is executed"

# --- BPMN elements (namespace http://www.omg.org/spec/BPMN/20100524/MODEL), by local name -------

BPMN_ELEMENTS: dict[str, Support] = {
    # containers and flow
    "definitions": runs(),
    "process": runs("each executable process becomes a versioned definition"),
    "sequenceFlow": runs(),
    "conditionExpression": runs("JUEL subset translated to Python (engine/bpmn/expressions.py)"),
    "incoming": runs(),
    "outgoing": runs(),
    "extensionElements": runs("each extension inside is checked on its own"),
    "documentation": no_effect(DOCUMENTATION),
    "textAnnotation": no_effect(DOCUMENTATION),
    "text": no_effect(DOCUMENTATION),
    "association": no_effect(DOCUMENTATION),
    "group": no_effect(DOCUMENTATION),
    "category": no_effect(DOCUMENTATION),
    "categoryValue": no_effect(DOCUMENTATION),
    "laneSet": no_effect("lanes only draw who works where; candidate groups decide who gets a task"),
    "lane": no_effect("lanes only draw who works where; candidate groups decide who gets a task"),
    "childLaneSet": no_effect("lanes only draw who works where"),
    "flowNodeRef": no_effect("lanes only draw who works where"),
    "collaboration": no_effect(NOT_EXECUTABLE),
    "participant": no_effect("a pool around a process; the process inside runs"),
    "messageFlow": no_effect("message flows are drawn only; messages are correlated by name"),
    "dataStore": no_effect(DOCUMENTATION),
    "dataStoreReference": no_effect(DOCUMENTATION),
    "dataObject": no_effect("a drawn data object holds nothing unless data associations use it"),
    "dataObjectReference": no_effect("a drawn data object holds nothing unless data associations use it"),
    "dataState": no_effect(DOCUMENTATION),
    # activities
    "userTask": runs("a task in the inbox; camunda:formData is its form"),
    "serviceTask": runs("as an external task for workers (camunda:type='external')"),
    "scriptTask": runs("restricted Python with a time limit"),
    "script": runs("the body of a Python script task"),
    "businessRuleTask": runs("evaluates a DMN decision (camunda:decisionRef)"),
    "callActivity": runs("runs the called process (camunda:calledElement)"),
    "subProcess": runs(),
    "receiveTask": runs("waits for a message correlated by name"),
    "task": runs("passes through, as in Camunda (engine/bpmn/pass_through.py)"),
    "manualTask": runs("passes through, as in Camunda (engine/bpmn/pass_through.py)"),
    "sendTask": refused("Camunda runs a send task like a Java service task; use an external service task"),
    "adHocSubProcess": refused("ad-hoc subprocesses are not supported"),
    "transaction": refused("transaction subprocesses (cancel and compensation) are not supported"),
    "standardLoopCharacteristics": runs("loops while loopCondition holds"),
    "loopCondition": runs(),
    "multiInstanceLoopCharacteristics": runs("camunda:collection / loopCardinality"),
    "loopCardinality": runs(),
    "completionCondition": runs(),
    "loopDataInputRef": no_effect(f"{DATA_FLOW}; Camunda loops over camunda:collection"),
    "loopDataOutputRef": no_effect(f"{DATA_FLOW}; Camunda loops over camunda:collection"),
    "inputDataItem": no_effect(f"{DATA_FLOW}; Camunda loops over camunda:collection"),
    "outputDataItem": no_effect(f"{DATA_FLOW}; Camunda loops over camunda:collection"),
    # gateways
    "exclusiveGateway": runs(),
    "parallelGateway": runs(),
    "inclusiveGateway": runs(),
    "eventBasedGateway": runs(),
    "complexGateway": refused("complex gateways are not supported"),
    # events
    "startEvent": runs(),
    "endEvent": runs(),
    "intermediateCatchEvent": runs(),
    "intermediateThrowEvent": runs(),
    "boundaryEvent": runs(),
    "timerEventDefinition": runs("due instants on the Danish legal calendar, durable timer rows"),
    "timeDate": runs("an ISO instant with offset, or an expression giving one"),
    "timeDuration": runs("an ISO duration, counted from when the timer starts"),
    "timeCycle": runs("R[n]/[start/]duration, or a Quartz cron expression (engine/cron.py)"),
    "messageEventDefinition": runs("correlated by message name (POST /messages, /engine-rest/message)"),
    "message": runs(),
    "signalEventDefinition": runs("signals reach every waiting catch event of the same case"),
    "signal": runs(),
    "errorEventDefinition": runs("BPMN errors from workers and error end events"),
    "error": runs(),
    "escalationEventDefinition": runs(),
    "escalation": runs(),
    "terminateEventDefinition": runs(),
    "linkEventDefinition": refused("link events are not supported; connect the flow directly"),
    "compensateEventDefinition": refused("compensation is not supported"),
    "cancelEventDefinition": refused("cancel events (transactions) are not supported"),
    "conditionalEventDefinition": runs(
        "boundary and intermediate: evaluated on arrival and after every change of variables "
        "(engine/bpmn/conditions.py); start events are refused (a shape rule)"
    ),
    "condition": runs("JUEL subset translated to Python; a missing variable makes it false"),
    "eventDefinitionRef": refused("shared event definitions are not supported; define the event inline"),
    # data flow and IO specification: Camunda 7 ignores them, and so does Sagsflow: they are
    # removed before SpiffWorkflow (which would move variables through them) sees the file
    "ioSpecification": no_effect(DATA_FLOW),
    "dataInputAssociation": no_effect(DATA_FLOW),
    "dataOutputAssociation": no_effect(DATA_FLOW),
    "dataInput": no_effect(DATA_FLOW),
    "dataOutput": no_effect(DATA_FLOW),
    "inputSet": no_effect(DATA_FLOW),
    "outputSet": no_effect(DATA_FLOW),
    "dataInputRefs": no_effect(DATA_FLOW),
    "dataOutputRefs": no_effect(DATA_FLOW),
    "optionalInputRefs": no_effect(DATA_FLOW),
    "optionalOutputRefs": no_effect(DATA_FLOW),
    "whileExecutingInputRefs": no_effect(DATA_FLOW),
    "whileExecutingOutputRefs": no_effect(DATA_FLOW),
    "inputSetRefs": no_effect(DATA_FLOW),
    "outputSetRefs": no_effect(DATA_FLOW),
    "sourceRef": no_effect(DATA_FLOW),
    "targetRef": no_effect(DATA_FLOW),
    "assignment": no_effect(DATA_FLOW),
    "from": no_effect(DATA_FLOW),
    "to": no_effect(DATA_FLOW),
    "transformation": no_effect(DATA_FLOW),
    "property": no_effect(DATA_FLOW),
    "itemDefinition": no_effect("a type declaration; Sagsflow's variables are JSON"),
    # people: Camunda maps these to assignee and candidates; Sagsflow reads only camunda:* attributes
    "humanPerformer": refused("use camunda:assignee instead"),
    "potentialOwner": refused("use camunda:candidateGroups or camunda:candidateUsers instead"),
    "performer": refused("use camunda:assignee instead"),
    "resourceRole": refused("use camunda:assignee or camunda:candidateGroups instead"),
    "resourceAssignmentExpression": refused("use camunda:assignee or camunda:candidateGroups instead"),
    "resourceParameterBinding": refused("resources are not supported"),
    "resource": refused("resources are not supported"),
    "resourceParameter": refused("resources are not supported"),
    "formalExpression": refused("only the camunda:* attributes assign people"),
    "expression": refused("only the camunda:* attributes assign people"),
    "rendering": refused("renderings are not supported; use camunda:formData"),
    # services described in BPMN itself (Camunda 7 does not run them either)
    "interface": refused("BPMN web-service interfaces are not executed; use an external task"),
    "operation": refused("BPMN web-service operations are not executed; use an external task"),
    "inMessageRef": refused("BPMN web-service operations are not executed; use an external task"),
    "outMessageRef": refused("BPMN web-service operations are not executed; use an external task"),
    "errorRef": refused("BPMN web-service operations are not executed; use an external task"),
    "endPoint": refused("BPMN web-service endpoints are not executed; use an external task"),
    "correlationKey": refused("messages are correlated by business key or variables"),
    "correlationProperty": refused("messages are correlated by business key or variables"),
    "correlationPropertyRef": refused("messages are correlated by business key or variables"),
    "correlationPropertyRetrievalExpression": refused("messages are correlated by business key or variables"),
    "correlationPropertyBinding": refused("messages are correlated by business key or variables"),
    "correlationSubscription": refused("messages are correlated by business key or variables"),
    "messagePath": refused("messages are correlated by business key or variables"),
    "dataPath": refused("messages are correlated by business key or variables"),
    "extension": refused("BPMN extension declarations are not supported"),
    "import": refused("imported definitions are not supported; deploy the files together"),
    "relationship": no_effect(DOCUMENTATION),
    "auditing": no_effect(DOCUMENTATION),
    "monitoring": no_effect(DOCUMENTATION),
    "complexBehaviorDefinition": refused("complex multi-instance behaviour is not supported"),
    "supportedInterfaceRef": refused("BPMN web-service interfaces are not executed"),
    "ioBinding": no_effect(DATA_FLOW),
    # global tasks, choreography and conversations: nothing executable
    "globalTask": refused("global tasks are not supported"),
    "globalUserTask": refused("global tasks are not supported"),
    "globalScriptTask": refused("global tasks are not supported"),
    "globalManualTask": refused("global tasks are not supported"),
    "globalBusinessRuleTask": refused("global tasks are not supported"),
    "globalChoreographyTask": refused(NOT_EXECUTABLE),
    "globalConversation": no_effect(NOT_EXECUTABLE),
    "choreography": refused(NOT_EXECUTABLE),
    "choreographyTask": refused(NOT_EXECUTABLE),
    "subChoreography": refused(NOT_EXECUTABLE),
    "callChoreography": refused(NOT_EXECUTABLE),
    "participantAssociation": no_effect(NOT_EXECUTABLE),
    "participantMultiplicity": no_effect(NOT_EXECUTABLE),
    "participantRef": no_effect(NOT_EXECUTABLE),
    "innerParticipantRef": no_effect(NOT_EXECUTABLE),
    "outerParticipantRef": no_effect(NOT_EXECUTABLE),
    "partnerEntity": no_effect(NOT_EXECUTABLE),
    "partnerRole": no_effect(NOT_EXECUTABLE),
    "interfaceRef": no_effect(NOT_EXECUTABLE),
    "endPointRef": no_effect(NOT_EXECUTABLE),
    "conversation": no_effect(NOT_EXECUTABLE),
    "subConversation": no_effect(NOT_EXECUTABLE),
    "callConversation": no_effect(NOT_EXECUTABLE),
    "conversationLink": no_effect(NOT_EXECUTABLE),
    "conversationAssociation": no_effect(NOT_EXECUTABLE),
    "messageFlowRef": no_effect(NOT_EXECUTABLE),
    "messageFlowAssociation": no_effect(NOT_EXECUTABLE),
    "choreographyRef": no_effect(NOT_EXECUTABLE),
    "categoryValueRef": no_effect(DOCUMENTATION),
    "operationRef": refused("BPMN web-service operations are not executed; use an external task"),
    "activationCondition": refused("complex gateways are not supported"),
    "dataAssociation": no_effect(DATA_FLOW),
    "callableElement": refused("a bare callable element is not supported; use a process"),
    "event": refused("a bare event is not supported; use a start, end, intermediate or boundary event"),
    "implicitThrowEvent": refused("implicit throw events are not supported"),
    "resourceRef": refused("resources are not supported"),
    "source": no_effect(DOCUMENTATION),
    "target": no_effect(DOCUMENTATION),
    "supports": no_effect(NOT_EXECUTABLE),
}

# --- BPMN attributes without a namespace: "element@attribute" first, then "*@attribute" -------

BPMN_ATTRIBUTES: dict[str, Support] = {
    "*@id": runs(),
    "*@name": no_effect("the label users see"),
    "*@sourceRef": runs(),
    "*@targetRef": runs(),
    "*@attachedToRef": runs(),
    "*@cancelActivity": runs(),
    "*@default": runs(),
    "*@isInterrupting": runs(),
    "*@triggeredByEvent": runs(),
    "*@calledElement": runs(),
    "*@scriptFormat": runs(),
    "*@messageRef": runs(),
    "*@signalRef": runs(),
    "*@errorRef": runs(),
    "*@errorCode": runs(),
    "*@escalationRef": runs(),
    "*@escalationCode": runs(),
    "*@isSequential": runs(),
    "*@testBefore": runs(),
    "*@loopMaximum": runs(),
    "*@processRef": no_effect("a pool around a process; the process inside runs"),
    "*@isExecutable": runs("only executable processes are deployed"),
    "*@isHorizontal": no_effect(LAYOUT),
    "*@gatewayDirection": no_effect(ROUTING_ONLY),
    "*@isImmediate": no_effect(ROUTING_ONLY),
    "*@isClosed": no_effect(ROUTING_ONLY),
    "*@processType": no_effect(ROUTING_ONLY),
    "*@textFormat": no_effect(DOCUMENTATION),
    "*@structureRef": no_effect("a type declaration; Sagsflow's variables are JSON"),
    "*@itemKind": no_effect("a type declaration; Sagsflow's variables are JSON"),
    "*@isCollection": no_effect("a type declaration; Sagsflow's variables are JSON"),
    "*@itemSubjectRef": no_effect("a type declaration; Sagsflow's variables are JSON"),
    "*@dataStoreRef": no_effect(DOCUMENTATION),
    "*@dataObjectRef": no_effect(DOCUMENTATION),
    "*@capacity": no_effect(DOCUMENTATION),
    "*@isUnlimited": no_effect(DOCUMENTATION),
    "*@associationDirection": no_effect(DOCUMENTATION),
    "*@categoryValueRef": no_effect(DOCUMENTATION),
    "*@value": no_effect(DOCUMENTATION),
    "*@targetNamespace": no_effect(MODELER),
    "*@exporter": no_effect(MODELER),
    "*@exporterVersion": no_effect(MODELER),
    "*@expressionLanguage": runs("JUEL is the only expression language"),
    "*@typeLanguage": no_effect("a type declaration; Sagsflow's variables are JSON"),
    "*@language": runs("JUEL (the default) or Python"),
    "*@evaluatesToTypeRef": no_effect("a type declaration; Sagsflow's variables are JSON"),
    "*@waitForCompletion": no_effect("compensation is not supported; the attribute only concerns it"),
    "*@activityRef": no_effect("compensation is not supported; the attribute only concerns it"),
    "*@definitionalCollaborationRef": no_effect(NOT_EXECUTABLE),
    "*@implementation": no_effect("the camunda:* attributes say how a task is implemented"),
    "*@operationRef": refused("BPMN web-service operations are not executed; use an external task"),
    "*@instantiate": refused("a receive task cannot start a process; use a message start event"),
    "*@isForCompensation": refused("compensation is not supported"),
    "*@startQuantity": refused("tokens are not counted; leave startQuantity at 1"),
    "*@completionQuantity": refused("tokens are not counted; leave completionQuantity at 1"),
    "*@parallelMultiple": refused("parallel multiple events are not supported"),
    "*@eventGatewayType": refused("only exclusive event-based gateways are supported"),
    "*@method": refused("BPMN web-service operations are not executed; use an external task"),
    "*@behavior": refused("complex multi-instance behaviour is not supported"),
    "*@oneBehaviorEventRef": refused("complex multi-instance behaviour is not supported"),
    "*@noneBehaviorEventRef": refused("complex multi-instance behaviour is not supported"),
    "*@ordering": refused("ad-hoc subprocesses are not supported"),
    "*@cancelRemainingInstances": refused("ad-hoc subprocesses are not supported"),
    "*@implementationRef": refused("BPMN web-service interfaces are not executed"),
    "*@minimum": no_effect(NOT_EXECUTABLE),
    "*@maximum": no_effect(NOT_EXECUTABLE),
    "*@initiatingParticipantRef": no_effect(NOT_EXECUTABLE),
    "*@calledChoreographyRef": no_effect(NOT_EXECUTABLE),
    "*@calledCollaborationRef": no_effect(NOT_EXECUTABLE),
    "*@innerConversationNodeRef": no_effect(NOT_EXECUTABLE),
    "*@outerConversationNodeRef": no_effect(NOT_EXECUTABLE),
    "*@innerMessageFlowRef": no_effect(NOT_EXECUTABLE),
    "*@outerMessageFlowRef": no_effect(NOT_EXECUTABLE),
    "*@partitionElementRef": no_effect(DOCUMENTATION),
    "*@parameterRef": refused("resources are not supported"),
    "*@isRequired": no_effect(DATA_FLOW),
    "*@inputDataRef": no_effect(DATA_FLOW),
    "*@outputDataRef": no_effect(DATA_FLOW),
    "*@itemRef": no_effect("a type declaration; Sagsflow's variables are JSON"),
    "*@correlationKeyRef": refused("messages are correlated by business key or variables"),
    "*@correlationPropertyRef": refused("messages are correlated by business key or variables"),
    "*@definition": refused("BPMN extension declarations are not supported"),
    "*@mustUnderstand": refused("BPMN extension declarations are not supported"),
    "*@type": refused("BPMN correlation and resource types are not supported"),
    "*@direction": refused("BPMN interface directions are not supported"),
    "*@scriptLanguage": refused(NO_SCRIPTS),
    "*@namespace": refused("imported definitions are not supported; deploy the files together"),
    "*@location": refused("imported definitions are not supported; deploy the files together"),
    "*@importType": refused("imported definitions are not supported; deploy the files together"),
    "*@loopType": refused("BPMN loop types are not supported; use camunda:collection or loopCardinality"),
}

# --- Camunda attributes on BPMN elements (namespace http://camunda.org/schema/1.0/bpmn) -------

CAMUNDA_ATTRIBUTES: dict[str, Support] = {
    # user tasks
    "userTask@assignee": runs(),
    "userTask@candidateGroups": runs("a configured list of groups (see the diagram contract)"),
    "userTask@candidateUsers": runs(),
    "userTask@dueDate": runs("a date expression; shown on the task"),
    "userTask@followUpDate": runs(),
    "userTask@priority": runs(),
    "userTask@formKey": runs("given to clients as the task's formKey"),
    "startEvent@formKey": runs("given to clients as the start form's key"),
    "*@formRef": runs("given to clients; the form itself is a deployed .form file"),
    "*@formRefBinding": runs(),
    "*@formRefVersion": runs(),
    "*@formHandlerClass": refused(JAVA),
    "startEvent@initiator": runs("the variable holds the id of the user who started the instance"),
    # service tasks and other Java-capable elements
    "serviceTask@type": runs("only 'external' (see the value table)"),
    "serviceTask@topic": runs("the topic workers fetch"),
    "*@type": refused("only service tasks can be external tasks"),
    "*@topic": refused("only service tasks can be external tasks"),
    "*@taskPriority": runs("external tasks are fetched in priority order with usePriority"),
    "*@class": refused(JAVA),
    "*@delegateExpression": refused(JAVA),
    "*@expression": refused(
        "expressions that call Java beans cannot run in Sagsflow; use an external task "
        "(camunda:type='external')"
    ),
    "messageEventDefinition@expression": runs("the payload a message throw sends to the same case"),
    "messageEventDefinition@resultVariable": runs("the variable a caught message's payload is stored in"),
    "*@resultVariable": refused("Sagsflow does not set result variables of Java or script implementations"),
    # business rule tasks
    "businessRuleTask@decisionRef": runs(
        "the decision is looked up when the task is reached (engine/bpmn/decision_task.py)"
    ),
    "businessRuleTask@decisionRefBinding": runs("latest (the default), deployment, version or versionTag"),
    "businessRuleTask@decisionRefVersion": runs("the version number for decisionRefBinding='version'"),
    "businessRuleTask@decisionRefVersionTag": runs("the tag for decisionRefBinding='versionTag'"),
    "businessRuleTask@decisionRefTenantId": refused(TENANTS),
    "businessRuleTask@resultVariable": runs("the decision result, shaped by mapDecisionResult"),
    "businessRuleTask@mapDecisionResult": runs(
        "singleEntry, singleResult, collectEntries or resultList (the default), as in Camunda"
    ),
    # call activities
    "callActivity@calledElementBinding": runs(
        "latest (default), deployment, version or versionTag, resolved when a case reaches the call activity"
    ),
    "callActivity@calledElementVersion": runs("the version binding 'version' calls (a number or ${…})"),
    "callActivity@calledElementVersionTag": runs("the version tag calledElementBinding='versionTag' calls"),
    "callActivity@calledElementTenantId": refused(TENANTS),
    "callActivity@variableMappingClass": refused(JAVA),
    "callActivity@variableMappingDelegateExpression": refused(JAVA),
    "*@caseRef": refused(CMMN),
    "*@caseBinding": refused(CMMN),
    "*@caseVersion": refused(CMMN),
    "*@caseTenantId": refused(CMMN),
    # script tasks
    "scriptTask@resource": refused("external script resources are not supported; write the script inline"),
    # multi-instance
    "multiInstanceLoopCharacteristics@collection": runs(),
    "multiInstanceLoopCharacteristics@elementVariable": runs(),
    # error and escalation events
    "*@errorCodeVariable": runs(),
    "*@errorMessageVariable": runs(),
    "error@errorMessage": runs(),
    "*@escalationCodeVariable": runs(),
    # conditional events (see conditionalEventDefinition)
    "conditionalEventDefinition@variableName": runs(
        "only a change of this variable re-evaluates the condition"
    ),
    "conditionalEventDefinition@variableEvents": runs("create, update and/or delete"),
    # process
    "process@versionTag": runs("stored with the definition version"),
    "process@historyTimeToLive": no_effect(HISTORY),
    "process@candidateStarterGroups": no_effect(TASKLIST),
    "process@candidateStarterUsers": no_effect(TASKLIST),
    "process@isStartableInTasklist": no_effect(TASKLIST),
    "process@jobPriority": no_effect(JOBS),
    "process@taskPriority": runs("the default priority of its external tasks"),
    "definitions@diagramRelationId": no_effect(MODELER),
    "*@modelerTemplate": no_effect("the element template the Modeler applied; its properties are checked"),
    "*@modelerTemplateVersion": no_effect(MODELER),
    # transactions and jobs
    "*@async": no_effect(ASYNC),
    "*@asyncBefore": no_effect(ASYNC),
    "*@asyncAfter": no_effect(ASYNC),
    "*@exclusive": no_effect(ASYNC),
    "*@jobPriority": no_effect(JOBS),
}

# --- Camunda extension elements, with the attributes each may carry ---------------------------


@dataclass(frozen=True)
class Extension:
    support: Support
    attributes: dict[str, Support]


def _ext(support: Support, **attributes: Support) -> Extension:
    return Extension(support, attributes)


_LOCAL_SCOPE = (
    "the call activity's local variables, which only camunda:inputOutput parameters declare; "
    "Sagsflow refuses those, so a local mapping passes nothing"
)

CAMUNDA_ELEMENTS: dict[str, Extension] = {
    "properties": _ext(runs("read by Sagsflow (phase, purpose, deadline, guard:…) and given to workers")),
    "property": _ext(runs(), id=runs(), name=runs(), value=runs()),
    "formData": _ext(runs("the task's form: validated on completion"), businessKey=refused("not supported")),
    "formField": _ext(
        runs(),
        id=runs(),
        label=no_effect("the label users see"),
        type=runs("string, long, boolean, date or enum (see the value table)"),
        defaultValue=runs(),
        datePattern=no_effect("dates are submitted as ISO 8601"),
    ),
    "validation": _ext(runs()),
    "constraint": _ext(runs(), name=runs(), config=runs()),
    "value": _ext(runs("an enum option"), id=runs(), name=no_effect("the label users see")),
    "in": _ext(
        runs("passes variables into the called process when it starts; without any, none (as Camunda)"),
        variables=runs("'all' passes every variable"),
        source=runs("the caller's variable; a missing one is passed as null"),
        sourceExpression=runs("evaluated in the caller (JUEL subset)"),
        target=runs("the called process's variable"),
        local=runs(_LOCAL_SCOPE),
        businessKey=runs(
            "the called process's business key (e.g. #{execution.processBusinessKey}); none without it"
        ),
    ),
    "out": _ext(
        runs("passes variables back to the caller when the called process ends; without any, none"),
        variables=runs("'all' passes every variable"),
        source=runs("the called process's variable; a missing one is passed as null"),
        sourceExpression=runs("evaluated in the called process (JUEL subset)"),
        target=runs("the caller's variable"),
        local=runs(_LOCAL_SCOPE),
        businessKey=refused("the business key is not passed back from a called process"),
    ),
    "inputOutput": _ext(refused(IO_MAPPING)),
    "inputParameter": _ext(refused(IO_MAPPING)),
    "outputParameter": _ext(refused(IO_MAPPING)),
    "list": _ext(refused(IO_MAPPING)),
    "map": _ext(refused(IO_MAPPING)),
    "entry": _ext(refused(IO_MAPPING)),
    "executionListener": _ext(refused(f"execution {LISTENERS}")),
    "taskListener": _ext(refused(f"task {LISTENERS}")),
    "script": _ext(refused(NO_SCRIPTS)),
    "field": _ext(refused(JAVA)),
    "string": _ext(refused(JAVA)),
    "expression": _ext(refused(JAVA)),
    "connector": _ext(refused("Camunda Connect connectors are not available; use an external task")),
    "connectorId": _ext(refused("Camunda Connect connectors are not available; use an external task")),
    "failedJobRetryTimeCycle": _ext(refused(JOBS)),
    "formProperty": _ext(refused("form properties (the old form model) are not supported; use formData")),
    "potentialStarter": _ext(no_effect(TASKLIST)),
    "errorEventDefinition": _ext(
        refused("error event definitions on external tasks are not supported; throw errors from the worker")
    ),
}

# --- Attribute values: "element@attribute" -> {value: support}; an unlisted value is refused ---

BPMN_VALUES: dict[str, dict[str, Support]] = {
    "scriptTask@scriptFormat": {
        "": runs(),
        "python": runs(),
        "text/x-python": runs(),
    },
    "conditionExpression@language": {
        "": runs(),
        "juel": runs(),
        "python": runs(),
    },
    "condition@language": {
        "": runs(),
        "juel": runs(),
        "python": runs(),
    },
    "definitions@expressionLanguage": {
        "": runs(),
        "http://www.omg.org/spec/BPMN/20100524/MODEL": runs(),
        "https://www.omg.org/spec/BPMN/20100524/MODEL": runs(),
        "http://www.w3.org/1999/XPath": runs("the BPMN default; Camunda reads JUEL regardless"),
        "juel": runs(),
    },
}
CAMUNDA_VALUES: dict[str, dict[str, Support]] = {
    "serviceTask@type": {"external": runs()},
    "formField@type": {
        "string": runs(),
        "long": runs(),
        "boolean": runs(),
        "date": runs(),
        "enum": runs(),
    },
    "constraint@name": {
        "required": runs(),
        "readonly": runs(),
        "minlength": runs(),
        "maxlength": runs(),
        "min": runs(),
        "max": runs(),
    },
    "in@variables": {"all": runs()},
    "businessRuleTask@decisionRefBinding": {
        "latest": runs(),
        "deployment": runs(),
        "version": runs(),
        "versionTag": runs(),
    },
    "businessRuleTask@mapDecisionResult": {
        "singleEntry": runs(),
        "singleResult": runs(),
        "collectEntries": runs(),
        "resultList": runs(),
    },
    "out@variables": {"all": runs()},
}

# --- Shapes: refusals that depend on more than one element or attribute -----------------------

SHAPES: dict[str, Support] = {
    "interrupting event subprocess": runs(
        "cancels the rest of its process when it starts (engine/bpmn/event_subprocesses.py)"
    ),
    "process-level timer start event": runs(
        "the newest version of the key starts an instance on each due slot (engine/start_schedule.py); "
        "a value must be literal (no expression) and the definition a municipality's"
    ),
    "conditional start event": refused(
        "conditional start events are not supported (Camunda starts them by POST /condition); use a "
        "conditional boundary or intermediate event, or a message start event"
    ),
    "nested event subprocess not started by a timer": refused(
        "an event subprocess inside a subprocess only starts on a timer here; with another start event "
        "it would never start: move it to the process level"
    ),
    "service task without an implementation": refused(
        "a service task needs camunda:type='external' and a camunda:topic (workers do the work)"
    ),
    "external task without a topic": refused("an external task needs a camunda:topic"),
    "cron timer cycle with L, W or #": refused(
        "Quartz cron: L (last), W (nearest weekday) and # (nth weekday) are not supported"
    ),
    "call activity without calledElement": refused("the call activity has no calledElement"),
    "script task without a script": refused("the script task has no script"),
}

# --- Foreign namespaces -----------------------------------------------------------------------

LAYOUT_NAMESPACES: dict[str, str] = {
    "http://www.omg.org/spec/BPMN/20100524/DI": "bpmndi",
    "http://www.omg.org/spec/DD/20100524/DC": "dc",
    "http://www.omg.org/spec/DD/20100524/DI": "di",
    "https://www.omg.org/spec/DMN/20191111/DMNDI/": "dmndi",
    "http://www.omg.org/spec/DMN/20180521/DMNDI/": "dmndi",
    "http://www.omg.org/spec/DMN/20180521/DC/": "dc",
    "http://www.omg.org/spec/DMN/20180521/DI/": "di",
    "http://www.omg.org/spec/DMN/20191111/DMNDI/": "dmndi",
}
METADATA_NAMESPACES: dict[str, str] = {
    "http://camunda.org/schema/modeler/1.0": "modeler",
    "http://bpmn.io/schema/bpmn/biocolor/1.0": "bioc",
    "http://www.omg.org/spec/BPMN/non-normative/color/1.0": "color",
    "http://www.w3.org/2001/XMLSchema-instance": "xsi",
    "http://bpmn.io/schema/dmn/biodi/1.0": "biodi",
    "http://bpmn.io/schema/dmn/biodi/2.0": "biodi",
    "http://www.signavio.com": "signavio",
}

# --- DMN (namespaces in engine/bpmn/xml.py), by local name ------------------------------------

DMN_ELEMENTS: dict[str, Support] = {
    "definitions": runs(),
    "decision": runs("every decision of the file is deployed (engine/bpmn/dmn/)"),
    "decisionTable": runs("all hit policies and COLLECT aggregations (engine/bpmn/dmn/evaluate.py)"),
    "input": runs(),
    "inputExpression": runs("a FEEL (the default) or JUEL expression, converted to its typeRef"),
    "output": runs("its name is the name of the result entry"),
    "rule": runs(),
    "inputEntry": runs("FEEL simple unary tests (engine/bpmn/dmn/feel.py) or a JUEL condition"),
    "outputEntry": runs("a FEEL or JUEL expression, converted to the output's typeRef"),
    "text": runs(),
    "description": no_effect(DOCUMENTATION),
    "annotationEntry": no_effect(DOCUMENTATION),
    "ruleAnnotation": no_effect(DOCUMENTATION),
    "textAnnotation": no_effect(DOCUMENTATION),
    "association": no_effect(DOCUMENTATION),
    "extensionElements": runs("each extension inside is checked on its own"),
    "inputValues": no_effect("Camunda does not check input values either"),
    "outputValues": runs(
        "the priority order of PRIORITY and OUTPUT ORDER; otherwise not checked, as in Camunda"
    ),
    "informationRequirement": runs("required decisions of the same file are evaluated first"),
    "requiredDecision": runs("a decision of the same file (href='#id')"),
    "requiredInput": no_effect("an input data drawn in the DRD"),
    "inputData": no_effect("an input data drawn in the DRD"),
    "knowledgeSource": no_effect(DOCUMENTATION),
    "authorityRequirement": no_effect(DOCUMENTATION),
    "requiredAuthority": no_effect(DOCUMENTATION),
    "requiredKnowledge": refused("business knowledge models are not supported"),
    "knowledgeRequirement": refused("business knowledge models are not supported"),
    "businessKnowledgeModel": refused("business knowledge models are not supported"),
    "literalExpression": runs("a FEEL or JUEL expression decision"),
    "variable": runs("the name and typeRef of a literal expression's result"),
    "context": refused("FEEL boxed contexts are not supported"),
    "contextEntry": refused("FEEL boxed contexts are not supported"),
    "invocation": refused("FEEL invocations are not supported"),
    "binding": refused("FEEL invocations are not supported"),
    "relation": refused("FEEL relations are not supported"),
    "list": refused("FEEL lists are not supported"),
    "functionDefinition": refused("FEEL functions are not supported"),
    "formalParameter": refused("FEEL functions are not supported"),
    "encapsulatedLogic": refused("business knowledge models are not supported"),
    "itemDefinition": refused("DMN item definitions are not supported; use built-in types"),
    "typeRef": refused("DMN item definitions are not supported; use built-in types"),
    "allowedValues": refused("DMN item definitions are not supported; use built-in types"),
    "itemComponent": refused("DMN item definitions are not supported; use built-in types"),
    "decisionService": refused("decision services are not supported"),
    "import": refused("imported definitions are not supported; deploy the files together"),
    "importedElement": refused("imported definitions are not supported; deploy the files together"),
    "importedValues": refused("imported definitions are not supported; deploy the files together"),
    "defaultOutputEntry": refused(
        "default output entries are not supported; add a last rule with '-' inputs"
    ),
    "elementCollection": refused("element collections are not supported"),
    "drgElement": refused("element collections are not supported"),
    "informationItem": refused("business knowledge models are not supported"),
    "parameter": refused("FEEL functions are not supported"),
    "parameters": refused("FEEL functions are not supported"),
    "functionItem": refused("FEEL functions are not supported"),
    "column": refused("FEEL relations are not supported"),
    "row": refused("FEEL relations are not supported"),
    "type": refused("DMN item definitions are not supported; use built-in types"),
    "inputDecision": refused("decision services are not supported"),
    "outputDecision": refused("decision services are not supported"),
    "encapsulatedDecision": refused("decision services are not supported"),
    "annotation": no_effect(DOCUMENTATION),
    "group": no_effect(DOCUMENTATION),
    "sourceRef": no_effect(DOCUMENTATION),
    "targetRef": no_effect(DOCUMENTATION),
    "question": no_effect(DOCUMENTATION),
    "allowedAnswers": no_effect(DOCUMENTATION),
    "decisionMaker": no_effect(DOCUMENTATION),
    "decisionOwner": no_effect(DOCUMENTATION),
    "usingProcess": no_effect(DOCUMENTATION),
    "usingTask": no_effect(DOCUMENTATION),
    "organizationUnit": no_effect(DOCUMENTATION),
    "performanceIndicator": no_effect(DOCUMENTATION),
    "impactedPerformanceIndicator": no_effect(DOCUMENTATION),
    "supportedObjective": no_effect(DOCUMENTATION),
    "decisionMade": no_effect(DOCUMENTATION),
    "decisionOwned": no_effect(DOCUMENTATION),
    "impactingDecision": no_effect(DOCUMENTATION),
    "owner": no_effect(DOCUMENTATION),
}
DMN_ATTRIBUTES: dict[str, Support] = {
    "*@id": runs(),
    "*@name": runs(),
    "*@label": no_effect("the label users see"),
    "*@namespace": no_effect(MODELER),
    "*@exporter": no_effect(MODELER),
    "*@exporterVersion": no_effect(MODELER),
    "*@typeRef": runs("string, integer, long, double, boolean or date"),
    "*@hitPolicy": runs("see the value table"),
    "*@aggregation": runs("SUM, MIN, MAX or COUNT with hit policy COLLECT"),
    "*@outputLabel": no_effect("the label users see"),
    "*@preferredOrientation": no_effect(LAYOUT),
    "*@expressionLanguage": runs("see the value table"),
    "*@href": runs("a required decision of the same file ('#id')"),
    "*@triggerable": no_effect(MODELER),
    "*@textFormat": no_effect(DOCUMENTATION),
    "*@associationDirection": no_effect(DOCUMENTATION),
    "*@typeLanguage": no_effect("a type declaration; variables are JSON"),
    "*@URI": refused("imported definitions are not supported; deploy the files together"),
    "*@locationURI": refused("imported definitions are not supported; deploy the files together"),
    "*@importType": refused("imported definitions are not supported; deploy the files together"),
    "*@isCollection": refused("DMN item definitions are not supported; use built-in types"),
    "*@kind": refused("FEEL functions are not supported"),
    "*@outputTypeRef": refused("FEEL functions are not supported"),
}
DMN_VALUES: dict[str, dict[str, Support]] = {
    "decisionTable@hitPolicy": {
        "": runs("UNIQUE"),
        "UNIQUE": runs(),
        "FIRST": runs(),
        "COLLECT": runs(),
        "PRIORITY": runs("by the order of the outputs' outputValues (DMN 1.3; Camunda 7 refuses it)"),
        "ANY": runs(),
        "RULE ORDER": runs(),
        "OUTPUT ORDER": runs("by the order of the outputs' outputValues (DMN 1.3; Camunda 7 refuses it)"),
    },
    "decisionTable@aggregation": {"SUM": runs(), "MIN": runs(), "MAX": runs(), "COUNT": runs()},
    "*@expressionLanguage": {
        "feel": runs("our FEEL interpreter (engine/bpmn/dmn/feel.py)"),
        "juel": runs("the restricted expression evaluator, as conditions"),
        "http://www.omg.org/spec/FEEL/20140401": runs(),
        "http://www.omg.org/spec/DMN/20180521/FEEL/": runs(),
        "https://www.omg.org/spec/DMN/20191111/FEEL/": runs(),
        "https://www.omg.org/spec/DMN/20211108/FEEL/": runs(),
        "https://www.omg.org/spec/DMN/20230324/FEEL/": runs(),
    },
}
CAMUNDA_DMN_ATTRIBUTES: dict[str, Support] = {
    "decision@versionTag": runs("stored with the definition version"),
    "decision@historyTimeToLive": no_effect(HISTORY),
    "input@inputVariable": runs("the input value's name in input entries (default cellInput)"),
}
CAMUNDA_DMN_NS = "http://camunda.org/schema/1.0/dmn"


def lookup(table: dict[str, Support], element: str, attribute: str) -> Support | None:
    """The entry for `attribute` on `element`: the element's own first, then the general one."""
    return table.get(f"{element}@{attribute}") or table.get(f"*@{attribute}")


def value_lookup(
    table: dict[str, dict[str, Support]], element: str, attribute: str
) -> dict[str, Support] | None:
    return table.get(f"{element}@{attribute}") or table.get(f"*@{attribute}")
