from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from api.schemas.common import Strict, Variables
from engine.model import DiagramInfo, EventInfo, FormFieldInfo, InstanceInfo, TaskInfo, TimerInfo


class ReportIn(Strict):
    """An underretning (report of concern) that opens a case."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "received_at": "2026-11-24T09:00:00+01:00",
                    "reporter_type": "professional",
                    "child_ref": "B-1042",
                    "text": "Skolen er bekymret for drengens fravær",
                    "team": "team-nord",
                    "case_number": "S-2026-0042",
                }
            ]
        }
    )

    received_at: AwareDatetime = Field(description="when the municipality received the report")
    reporter_type: Literal["professional", "private", "anonymous", "child", "parent"]
    child_ref: str = Field(
        min_length=1,
        max_length=64,
        description="reference to the child (e.g. CPR or an internal id)",
    )
    text: str = Field(default="", max_length=20_000, description="the report as received")
    team: str | None = Field(default=None, max_length=100)
    case_number: str | None = Field(default=None, min_length=1, max_length=200)


class StartIn(Strict):
    business_key: str | None = Field(default=None, max_length=200)
    variables: Variables = Field(default_factory=dict)


class FormFieldOut(BaseModel):
    id: str
    label: str | None
    type: str = Field(description="string, long, boolean, date or enum (Camunda's form field types)")
    required: bool
    options: list[dict[str, str | None]]
    default: bool | int | str | None = Field(
        default=None,
        description="computed when the form is opened and typed as the field: a boolean for yes/no, "
        "an integer for long, YYYY-MM-DD for a date",
    )

    @classmethod
    def of(cls, f: FormFieldInfo) -> FormFieldOut:
        return cls(
            id=f.id,
            label=f.label,
            type=f.type,
            required=f.required,
            options=[{"id": i, "name": n} for i, n in f.options],
            default=f.default,
        )


class CauseOut(BaseModel):
    """What made a task: a deadline timer that fired (an escalation says which rule was missed)."""

    kind: str = Field(description="deadline_breached or deadline_reminder", examples=["deadline_breached"])
    deadline: str | None = Field(description="the legal rule, e.g. investigation", examples=["investigation"])
    due_at: datetime = Field(description="when the deadline fell due")
    due_date: date | None = Field(default=None, description="a calendar deadline's last day")
    due_kind: str | None = Field(default=None, description="elapsed or calendar")
    element_id: str = Field(description="the timer in the diagram")
    name: str | None = Field(default=None, description="the timer's label in the diagram")

    @classmethod
    def of(cls, cause: dict[str, Any]) -> CauseOut:
        return cls(
            kind=str(cause.get("kind")),
            deadline=cause.get("deadline"),
            due_at=cause["due_at"],
            due_date=cause.get("due_date"),
            due_kind=cause.get("due_kind"),
            element_id=str(cause.get("element_id")),
            name=cause.get("name"),
        )


class TaskOut(BaseModel):
    id: str
    case_id: str
    business_key: str | None
    element_id: str
    name: str
    kind: str
    state: str
    phase: str | None
    candidate_groups: list[str]
    assignee: str | None
    created_at: datetime
    due_at: datetime | None = Field(description="the instant the due date passes")
    due_date: date | None = Field(
        default=None,
        description="the last day of the due date (a calendar deadline is met any time that day)",
    )
    due_kind: Literal["elapsed", "calendar"] | None = Field(
        default=None,
        description="elapsed: an instant (hours); calendar: a last day (days, months, an agreed date)",
    )
    completed_at: datetime | None
    completed_by: str | None
    deadline: str | None = Field(
        default=None, description="the legal rule its due date keeps (its breach timer's), e.g. investigation"
    )
    cause: CauseOut | None = Field(default=None, description="what made the task, when a deadline did")
    case_phase: str | None = Field(default=None, description="the phase its case stands in now")
    form: list[FormFieldOut] | None = None
    form_key: str | None = Field(default=None, description="camunda:formKey, as the diagram writes it")
    form_ref: dict[str, Any] | None = Field(
        default=None,
        description="camunda:formRef: the Camunda Form (key, binding, version); "
        "GET /tasks/{id}/camunda-form serves it",
    )
    variables: dict[str, Any] | None = None

    @classmethod
    def of(cls, t: TaskInfo) -> TaskOut:
        return cls(
            id=t.id,
            case_id=t.instance_id,
            business_key=t.business_key,
            element_id=t.element_id,
            name=t.name,
            kind=t.kind,
            state=t.state,
            phase=t.phase,
            candidate_groups=list(t.candidate_groups),
            assignee=t.assignee,
            created_at=t.created_at,
            due_at=t.due_at,
            due_date=t.due_date,
            due_kind=_kind(t.due_kind),
            completed_at=t.completed_at,
            completed_by=t.completed_by,
            deadline=t.deadline,
            cause=CauseOut.of(t.cause) if t.cause else None,
            case_phase=t.case_phase,
            form_key=t.form_key,
            form_ref=t.form_ref,
            form=[FormFieldOut.of(f) for f in t.form] if t.form else None,
            variables=t.variables,
        )


class DeadlineOut(BaseModel):
    id: str
    element_id: str
    name: str | None
    kind: str
    due_at: datetime = Field(description="when it fires; for a deadline, the instant it passes")
    due_date: date | None = Field(
        default=None, description="the last day of a calendar deadline; else the Copenhagen day of due_at"
    )
    due_kind: Literal["elapsed", "calendar"] | None = Field(
        default=None, description="elapsed: an instant (hours); calendar: a last day"
    )
    status: Literal["pending", "fired", "cancelled", "failed"] | str
    fired_at: datetime | None
    purpose: str | None = Field(default=None, description="breach, reminder, or none")
    deadline: str | None = Field(default=None, description="the legal rule, e.g. investigation")
    outcome: Literal["met", "breached", "cancelled"] | None = Field(
        default=None,
        description="how a deadline (purpose breach) ended: met, breached, or cancelled (the measure or "
        "case ended first, or the rule no longer applies); none while it runs",
    )

    @classmethod
    def of(cls, t: TimerInfo) -> DeadlineOut:
        return cls(
            id=t.id,
            element_id=t.element_id,
            name=t.name,
            kind=t.kind,
            due_at=t.due_at,
            due_date=t.due_date,
            due_kind=_kind(t.due_kind),
            status=t.status,
            fired_at=t.fired_at,
            purpose=t.purpose,
            deadline=t.deadline,
            outcome=_outcome(t.outcome),
        )


def _kind(value: str | None) -> Literal["elapsed", "calendar"] | None:
    return "calendar" if value == "calendar" else "elapsed" if value == "elapsed" else None


_OUTCOMES: dict[str | None, Literal["met", "breached", "cancelled"]] = {
    "met": "met",
    "breached": "breached",
    "cancelled": "cancelled",
}


def _outcome(value: str | None) -> Literal["met", "breached", "cancelled"] | None:
    return _OUTCOMES.get(value)


class EventOut(BaseModel):
    at: datetime
    kind: str
    actor: str
    element_id: str | None
    task_id: str | None
    data: dict[str, Any]

    @classmethod
    def of(cls, e: EventInfo) -> EventOut:
        return cls(
            at=e.at,
            kind=e.kind,
            actor=e.actor,
            element_id=e.element_id,
            task_id=e.task_id,
            data=e.data,
        )


class ActivityOut(BaseModel):
    id: str = Field(description="the element id in the diagram", examples=["screening"])
    name: str | None = Field(description="its label in the diagram", examples=["Screening (§ 18)"])


class CaseOut(BaseModel):
    id: str
    business_key: str | None
    process_key: str
    process_name: str | None = Field(default=None, description="the process's label in its diagram")
    definition_id: str
    status: str
    phase: str | None
    team: str | None
    caseworker: str | None
    started_at: datetime
    updated_at: datetime
    ended_at: datetime | None
    next_due_at: datetime | None = Field(description="when the case's next timer fires")
    next_due_date: date | None = Field(
        default=None, description="the day of that timer: a calendar deadline's last day"
    )
    next_due_kind: Literal["elapsed", "calendar"] | None = None
    current_activities: list[str]
    activities: list[ActivityOut] = Field(
        default_factory=list, description="the current activities with their labels (on reads)"
    )
    version: int
    tasks: list[TaskOut] = Field(default_factory=list)
    deadlines: list[DeadlineOut] | None = None
    history: list[EventOut] | None = None
    variables: dict[str, Any] | None = None

    @classmethod
    def of(cls, i: InstanceInfo, *, detail: bool = False) -> CaseOut:
        return cls(
            id=i.id,
            business_key=i.business_key,
            process_key=i.process_key,
            process_name=i.process_name,
            definition_id=i.definition_id,
            status=i.status,
            phase=i.phase,
            team=i.team,
            caseworker=i.caseworker,
            started_at=i.started_at,
            updated_at=i.updated_at,
            ended_at=i.ended_at,
            next_due_at=i.next_due_at,
            next_due_date=i.next_due_date,
            next_due_kind=_kind(i.next_due_kind),
            current_activities=list(i.current_activities),
            activities=[ActivityOut(id=a, name=i.activity_names.get(a)) for a in i.current_activities]
            if i.activity_names
            else [],
            version=i.version,
            tasks=[TaskOut.of(t) for t in i.tasks],
            deadlines=[DeadlineOut.of(t) for t in i.timers] if detail else None,
            history=[EventOut.of(e) for e in i.history] if detail else None,
            variables=i.variables if detail else None,
        )


class CompletionIn(Strict):
    """The task's form fields by id (see `GET /tasks/{id}` → `form`); dates as YYYY-MM-DD."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "variables": {
                        "child_in_danger": False,
                        "acute_measures": False,
                        "assessment_note": "Ingen akut fare",
                    }
                },
                {
                    "variables": {
                        "child_talk_alone": True,
                        "follow_up_assessment": "Går fremad",
                        "follow_up_outcome": "continue",
                        "follow_up_held_at": "2027-11-19",
                        "next_follow_up_date": "2028-02-17",
                    }
                },
            ]
        }
    )

    variables: Variables = Field(default_factory=dict)


class ClaimIn(Strict):
    user_id: str | None = Field(default=None, max_length=200)


class MessageIn(Strict):
    name: str = Field(min_length=1, max_length=300)
    business_key: str | None = Field(default=None, max_length=200)
    case_id: str | None = Field(default=None, max_length=36)
    variables: Variables = Field(default_factory=dict)
    all: bool = False


class DiagramOut(BaseModel):
    """One BPMN file of a case, with where the case has been and where it stands now."""

    process_id: str = Field(description="the executable process the file holds")
    name: str | None
    xml: str = Field(description="the deployed BPMN file, as the case runs it")
    completed: list[str] = Field(description="element ids completed at least once")
    active: list[str] = Field(description="element ids where a token stands now")

    @classmethod
    def of(cls, d: DiagramInfo) -> DiagramOut:
        return cls(
            process_id=d.process_id,
            name=d.name,
            xml=d.xml,
            completed=list(d.completed),
            active=list(d.active),
        )
