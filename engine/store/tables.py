"""SQLModel table models. Only `engine/store` imports them; the engine returns `engine.model` types.

Every time column is an aware UTC instant (`UTCDateTime`). JSON payloads are stored as text
written by the engine, so SQLite and PostgreSQL store byte-identical values.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Date, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from engine.store.types import UTCDateTime

# The municipality of a deployment and its definitions when they are shared by every municipality
# (national content; engine/definitions.py says who deploys it).
SHARED = ""


def _utc(nullable: bool = False, index: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable, index=index)


class Deployment(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    source: str | None = Field(default=None, max_length=200)
    tenant_id: str | None = Field(default=None, max_length=100)
    deployed_at: datetime = Field(sa_column=_utc())
    deployed_by: str = Field(max_length=200)
    # the municipality it belongs to, or SHARED ("")
    municipality: str = Field(default=SHARED, max_length=100, sa_column_kwargs={"server_default": ""})


class Resource(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    deployment_id: str = Field(foreign_key="deployment.id", index=True, max_length=64)
    name: str = Field(max_length=300)
    kind: str = Field(max_length=20)
    content_hash: str = Field(index=True, max_length=64)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class Definition(SQLModel, table=True):
    """One version of a process (or decision) key in a municipality, or shared (`municipality` =
    SHARED): versions count per (kind, key, municipality). Instances are pinned to a version."""

    __table_args__ = (
        UniqueConstraint("kind", "key", "municipality", "version", name="uq_definition_version"),
    )

    id: str = Field(primary_key=True, max_length=300)
    kind: str = Field(max_length=20)
    key: str = Field(index=True, max_length=200)
    version: int
    name: str | None = Field(default=None, max_length=300)
    version_tag: str | None = Field(default=None, max_length=100)
    deployment_id: str = Field(foreign_key="deployment.id", index=True, max_length=64)
    municipality: str = Field(default=SHARED, max_length=100, sa_column_kwargs={"server_default": ""})
    resource_name: str = Field(max_length=300)
    content_hash: str = Field(max_length=64)
    resource_ids: str = Field(sa_column=Column(Text, nullable=False))
    deployed_at: datetime = Field(sa_column=_utc())
    # Deployed before call activities bound their target when reached: its call activities pass
    # all variables in and out, as they did when its cases started (engine/bpmn/calls.py).
    calls_pass_all: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    # Deployed before business rule tasks stored their result only in camunda:resultVariable: a
    # task without one merges the decision's outputs into the case, as when its cases started.
    decision_results_merged: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})


class DeploymentDefinition(SQLModel, table=True):
    """Every definition version a deployment holds, new or reused because its content was
    unchanged: what `camunda:calledElementBinding="deployment"` resolves against."""

    deployment_id: str = Field(foreign_key="deployment.id", primary_key=True, max_length=64)
    definition_id: str = Field(foreign_key="definition.id", primary_key=True, max_length=300)


REPORT_COLUMNS = (  # what the team and caseworker views of the reports read (status first: filtered)
    "status",
    "caseworker",
    "phase",
    "phase_since",
    "caseworker_changes",
    "started_at",
    "first_talk_days",
    "decision_days",
    "measure_start_days",
)


class Instance(SQLModel, table=True):
    """A running or ended case. `state` is the serialized SpiffWorkflow task tree.

    The report columns (`report_received_at` … `caseworker_changes`) are facts the engine writes as
    the case moves (engine/facts.py), so reports read indexed columns instead of the history.
    """

    __table_args__ = (
        Index("ix_instance_municipality_status", "municipality", "status"),
        Index("ix_instance_municipality_phase", "municipality", "phase"),
        Index("ix_instance_report_phase", "municipality", "status", "phase", "phase_since"),
        Index("ix_instance_report_standing", "municipality", "status", "phase_since"),
        Index("ix_instance_report_caseload", "municipality", "status", "caseworker"),
        Index("ix_instance_report_first_talk", "municipality", "first_talk_days"),
        Index("ix_instance_report_decision", "municipality", "decision_days"),
        Index("ix_instance_report_measure_start", "municipality", "measure_start_days"),
        Index("ix_instance_report_caseworker_changes", "municipality", "caseworker_changes"),
        Index("ix_instance_report_started", "municipality", "started_at"),
        # Team and caseworker views of the reports: every column they read, so a team's few
        # thousand cases are read from the index alone (SQLite pays a lookup per row otherwise).
        Index("ix_instance_report_team", "municipality", "team", *REPORT_COLUMNS),
        Index(
            "ix_instance_report_caseworker",
            "municipality",
            "caseworker",
            *(c for c in REPORT_COLUMNS if c != "caseworker"),
        ),
    )

    id: str = Field(primary_key=True, max_length=36)
    definition_id: str = Field(foreign_key="definition.id", index=True, max_length=300)
    process_key: str = Field(index=True, max_length=200)
    business_key: str | None = Field(default=None, index=True, max_length=200)
    municipality: str = Field(max_length=100)
    status: str = Field(max_length=20)
    phase: str | None = Field(default=None, max_length=100)
    team: str | None = Field(default=None, index=True, max_length=100)
    caseworker: str | None = Field(default=None, index=True, max_length=200)
    current_activities: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    state: str = Field(sa_column=Column(Text, nullable=False))
    version: int = 1
    started_at: datetime = Field(sa_column=_utc())
    updated_at: datetime = Field(sa_column=_utc())
    phase_since: datetime = Field(sa_column=_utc())
    ended_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    next_due_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True, index=True))
    # the day of that earliest timer (a calendar deadline's last day) and its kind
    next_due_date: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    next_due_kind: str | None = Field(default=None, max_length=10)
    started_by: str = Field(max_length=200)
    report_received_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    first_talk_days: int | None = None
    decision_days: int | None = None
    measure_start_days: int | None = None
    caseworker_changes: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # open incidents of steps that failed for an internal reason (engine/incidents.py): a step of a
    # case without any reads no incident rows
    failed_steps: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class ProcessInstance(SQLModel, table=True):
    """A process instance as Camunda counts them: every case (the root, `id` = the case's id) and
    every process a call activity started in it (a child, with its own id and definition version).
    Mirrored from the case's state by the step that starts or ends one; the case's one state
    and lock stay on `instance`."""

    __table_args__ = (
        Index("ix_processinstance_municipality_state", "municipality", "state", "started_at"),
        Index("ix_processinstance_municipality_key", "municipality", "process_key", "state"),
    )

    id: str = Field(primary_key=True, max_length=36)
    root_id: str = Field(foreign_key="instance.id", index=True, max_length=36)
    super_id: str | None = Field(default=None, index=True, max_length=36)
    super_task_id: str | None = Field(default=None, max_length=36)  # the call activity's task
    super_element_id: str | None = Field(default=None, max_length=200)
    definition_id: str = Field(foreign_key="definition.id", max_length=300)
    process_key: str = Field(max_length=200)
    business_key: str | None = Field(default=None, index=True, max_length=200)
    municipality: str = Field(max_length=100)
    state: str = Field(max_length=20)  # active, completed, terminated
    started_at: datetime = Field(sa_column=_utc())
    ended_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class Task(SQLModel, table=True):
    """A user task or external task, open or finished, mirrored from the instance state."""

    __table_args__ = (
        Index("ix_task_municipality_state", "municipality", "state"),
        Index("ix_task_topic_state", "topic", "state"),
    )

    id: str = Field(primary_key=True, max_length=36)
    instance_id: str = Field(foreign_key="instance.id", index=True, max_length=36)
    # the process instance the task runs in (the case's id, or a called process's) and its definition
    process_instance_id: str = Field(index=True, max_length=36)
    definition_id: str = Field(max_length=300)
    process_key: str = Field(max_length=200)
    municipality: str = Field(max_length=100)
    element_id: str = Field(max_length=200)
    name: str = Field(max_length=300)
    kind: str = Field(max_length=20)
    state: str = Field(max_length=20)
    candidate_groups: str = Field(default="", max_length=1000)
    candidate_users: str = Field(default="", max_length=1000)
    assignee: str | None = Field(default=None, index=True, max_length=200)
    phase: str | None = Field(default=None, max_length=100)
    topic: str | None = Field(default=None, max_length=200)
    priority: int = 50
    created_at: datetime = Field(sa_column=_utc())
    # the due date: `due_at` the instant it passes, `due_date` its last day (engine/deadlines.py)
    due_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    due_date: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    due_kind: str | None = Field(default=None, max_length=10)  # "elapsed" or "calendar"
    completed_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    completed_by: str | None = Field(default=None, max_length=200)
    retries: int | None = None
    retry_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    lock_owner: str | None = Field(default=None, max_length=200)
    lock_expires_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    error_message: str | None = Field(default=None, max_length=2000)
    error_details: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # What made the task, as JSON, when a deadline timer did (its rule, due instant, timer):
    # a leader's escalation says which deadline was missed.
    cause: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # the legal rule its due date keeps: the `deadline` of the breach timer on its boundary
    deadline: str | None = Field(default=None, max_length=100)
    # the form it names: camunda:formKey, or camunda:formRef as JSON {"key", "binding", "version"}
    form_key: str | None = Field(default=None, max_length=500)
    form_ref: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class Timer(SQLModel, table=True):
    """A due instant the tick must act on. Written in the same transaction as the step that made it."""

    __table_args__ = (
        Index("ix_timer_status_due", "status", "due_at"),
        # A step reads its case's pending timers. Both columns, so that no planner (SQLite before
        # its first ANALYZE, PostgreSQL before autovacuum has seen a bulk load) prefers the
        # status index and scans every pending timer of every case.
        Index("ix_timer_instance_status", "instance_id", "status"),
        # the reports: open deadlines, outcomes per rule, breached ones newest first, and per case
        Index(
            "ix_timer_report_open",
            "municipality",
            "purpose",
            "status",
            "due_at",
            "deadline",
            "team",
            "caseworker",
        ),
        Index("ix_timer_report_compliance", "municipality", "purpose", "deadline", "outcome", "due_at"),
        Index("ix_timer_report_breached", "municipality", "purpose", "outcome", "due_at"),
        Index("ix_timer_report_team", "municipality", "purpose", "team", "outcome", "due_at", "deadline"),
        Index(
            "ix_timer_report_caseworker",
            "municipality",
            "purpose",
            "caseworker",
            "outcome",
            "due_at",
            "deadline",
        ),
    )

    id: str = Field(primary_key=True, max_length=36)
    instance_id: str = Field(foreign_key="instance.id", max_length=36)
    municipality: str = Field(max_length=100)
    task_id: str = Field(max_length=36)
    element_id: str = Field(max_length=200)
    # in a process a call activity started: that process instance and its definition (else null:
    # the case's own)
    process_instance_id: str | None = Field(default=None, max_length=36)
    definition_id: str | None = Field(default=None, max_length=300)
    process_key: str | None = Field(default=None, max_length=200)
    name: str | None = Field(default=None, max_length=300)
    kind: str = Field(max_length=20)
    purpose: str | None = Field(default=None, max_length=50)
    deadline: str | None = Field(default=None, max_length=100)
    # when it fires; for a deadline, the instant it passes (a calendar deadline: its last day ended)
    due_at: datetime = Field(sa_column=_utc())
    # the day it belongs to: a calendar deadline's last day, else the Copenhagen day of due_at
    due_date: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    due_kind: str | None = Field(default=None, max_length=10)  # "elapsed" or "calendar"
    # a boundary timer's activity (its task id): completing it in time meets the deadline
    activity_task_id: str | None = Field(default=None, max_length=36)
    status: str = Field(max_length=20)
    attempts: int = 0
    claimed_by: str | None = Field(default=None, max_length=200)
    claimed_until: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    fired_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    cancelled_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    last_error: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(sa_column=_utc())
    # breach deadlines only, set when the timer ends: "met" (its activity completed before the due
    # instant), "breached" (fired, or ended only after the due instant) or "cancelled" (ended in
    # time without its activity completing: the measure or case ended first; never counted as met)
    outcome: str | None = Field(default=None, max_length=10)
    # the case's team and current caseworker, for the reports' team and caseworker views
    team: str | None = Field(default=None, max_length=100)
    caseworker: str | None = Field(default=None, max_length=200)


class Subscription(SQLModel, table=True):
    """A case waiting for a named message (for correlation without loading instances)."""

    __table_args__ = (Index("ix_subscription_message", "message_name", "municipality"),)

    id: str = Field(primary_key=True, max_length=36)
    instance_id: str = Field(foreign_key="instance.id", index=True, max_length=36)
    municipality: str = Field(max_length=100)
    task_id: str = Field(max_length=36)
    element_id: str = Field(max_length=200)
    message_name: str = Field(max_length=300)
    created_at: datetime = Field(sa_column=_utc())


class Event(SQLModel, table=True):
    """The append-only history of every case: who did what, when, and what changed."""

    __table_args__ = (
        Index("ix_event_municipality_kind_at", "municipality", "kind", "at"),
        Index("ix_event_instance_id_id", "instance_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    instance_id: str = Field(max_length=36)
    municipality: str = Field(max_length=100)
    at: datetime = Field(sa_column=_utc())
    kind: str = Field(max_length=50)
    actor: str = Field(max_length=200)
    element_id: str | None = Field(default=None, max_length=200)
    task_id: str | None = Field(default=None, max_length=36)
    data: str = Field(default="{}", sa_column=Column(Text, nullable=False))


class CaseFact(SQLModel, table=True):
    """A yes/no fact recorded at one completion of a step, for the involvement shares (e.g. was the
    child's perspective obtained at this decision). Append-only, like the history."""

    __table_args__ = (
        Index("ix_case_fact_report", "municipality", "name", "at", "flag"),
        Index("ix_case_fact_team", "municipality", "name", "team", "at", "flag"),
        Index("ix_case_fact_caseworker", "municipality", "name", "caseworker", "at", "flag"),
    )

    id: int | None = Field(default=None, primary_key=True)
    instance_id: str = Field(foreign_key="instance.id", index=True, max_length=36)
    municipality: str = Field(max_length=100)
    name: str = Field(max_length=100)
    at: datetime = Field(sa_column=_utc())
    flag: bool
    team: str | None = Field(default=None, max_length=100)  # the case's, as on its timers
    caseworker: str | None = Field(default=None, max_length=200)


class Incident(SQLModel, table=True):
    """Something that needs a human: an external task out of retries, a timer that keeps failing,
    a step that failed for an internal reason (engine/incidents.py)."""

    id: str = Field(primary_key=True, max_length=36)
    instance_id: str = Field(foreign_key="instance.id", index=True, max_length=36)
    municipality: str = Field(max_length=100)
    task_id: str | None = Field(default=None, max_length=36)
    element_id: str | None = Field(default=None, max_length=200)
    # in a process a call activity started: that process instance and its definition (else null:
    # the case's own)
    process_instance_id: str | None = Field(default=None, max_length=36)
    definition_id: str | None = Field(default=None, max_length=300)
    process_key: str | None = Field(default=None, max_length=200)
    type: str = Field(max_length=50)
    message: str = Field(max_length=2000)
    created_at: datetime = Field(sa_column=_utc())
    resolved_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class AccessLog(SQLModel, table=True):
    """Who read or changed which case, when, through which route and for what purpose.

    Written in the same transaction as the read or change; if it cannot be written the request
    fails. Append-only: nothing in the application updates or deletes these rows.
    """

    __table_args__ = (Index("ix_access_log_instance_at", "instance_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=_utc())
    actor: str = Field(max_length=200)
    roles: str = Field(max_length=200)
    municipality: str = Field(max_length=100)
    action: str = Field(max_length=20)
    instance_id: str | None = Field(default=None, max_length=36)
    purpose: str = Field(max_length=200)
    route: str | None = Field(default=None, max_length=300)
    request_id: str | None = Field(default=None, max_length=64)


class WebSession(SQLModel, table=True):
    """A person signed in to the pages. The browser's cookie holds a random secret; only its
    SHA-256 is stored here, so a copy of this table signs nobody in. Deleted at sign-out."""

    __table_args__ = (Index("ix_web_session_provider_subject", "provider", "subject"),)

    id: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(max_length=200)
    municipality: str = Field(max_length=100)
    roles: str = Field(max_length=200)
    teams: str = Field(sa_column=Column(Text, nullable=False))
    provider: str = Field(max_length=20)
    subject: str = Field(max_length=300)
    provider_session: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(sa_column=_utc())
    last_seen_at: datetime = Field(sa_column=_utc())
    expires_at: datetime = Field(sa_column=_utc(index=True))


class SignInAttempt(SQLModel, table=True):
    """A sign-in under way: what the answer from the identity provider must match (OIDC state,
    nonce and PKCE verifier; the SAML request id). Keyed by the SHA-256 of the browser's
    one-time cookie, and deleted when the answer arrives, whatever it says."""

    id: str = Field(primary_key=True, max_length=64)
    provider: str = Field(max_length=20)
    state: str = Field(max_length=200)
    secrets: str = Field(sa_column=Column(Text, nullable=False))
    next_page: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(sa_column=_utc())
    expires_at: datetime = Field(sa_column=_utc(index=True))


class UsedAssertion(SQLModel, table=True):
    """Each SAML assertion signs in once: its id is kept until it expires, and a second use fails
    on the primary key, in whichever worker it arrives."""

    id: str = Field(primary_key=True, max_length=300)
    issuer: str = Field(max_length=500)
    used_at: datetime = Field(sa_column=_utc())
    expires_at: datetime = Field(sa_column=_utc(index=True))


class KeptAnswer(SQLModel, table=True):
    """The answer to a request sent with an `Idempotency-Key`, kept so that a retry of the same
    request gets the same answer instead of doing the command twice. Written in the same
    transaction as the command; scoped to the caller and the operation; pruned after some days."""

    __tablename__ = "kept_answer"
    __table_args__ = (
        UniqueConstraint("municipality", "caller", "operation", "key", name="uq_kept_answer_key"),
        Index("ix_kept_answer_created_at", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    municipality: str = Field(max_length=100)
    caller: str = Field(max_length=200)
    operation: str = Field(max_length=50)
    key: str = Field(max_length=200)
    fingerprint: str = Field(max_length=64)  # SHA-256 of the request body, canonical JSON
    answer: str = Field(sa_column=Column(Text, nullable=False))
    cases: str = Field(sa_column=Column(Text, nullable=False))  # ids of the cases the answer shows
    created_at: datetime = Field(sa_column=_utc())


class StartTimer(SQLModel, table=True):
    """A timer start event of a deployed process definition: when it next starts an instance.

    Camunda's definition-level timer job. Only the newest version of a key (in its municipality)
    has pending rows; deploying a new version cancels the previous one's. A cycle keeps one row
    whose `due_at` moves to the next slot each time it fires (`fired` counts the firings)."""

    __tablename__ = "start_timer"
    __table_args__ = (Index("ix_start_timer_status_due", "status", "due_at"),)

    id: str = Field(primary_key=True, max_length=36)
    definition_id: str = Field(foreign_key="definition.id", index=True, max_length=300)
    process_key: str = Field(max_length=200)
    municipality: str = Field(max_length=100)
    element_id: str = Field(max_length=200)
    kind: str = Field(max_length=20)  # "date", "duration" or "cycle"
    expression: str = Field(max_length=500)
    anchor: datetime = Field(sa_column=_utc())  # what durations and cycles count from
    due_at: datetime = Field(sa_column=_utc())
    fired: int = Field(default=0)
    status: str = Field(max_length=20)  # pending, fired (no slot left), cancelled, failed
    attempts: int = Field(default=0)
    retry_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    last_error: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(sa_column=_utc())
    fired_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    cancelled_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
