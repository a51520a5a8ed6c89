"""Operations views: incidents and timers as jobs (what Cockpit-style tools and P3 ask for)."""

from __future__ import annotations

from datetime import datetime

from fastapi import Response

from api.camunda.deps import FirstResult, MaxResults, Operator
from api.camunda.query import CamundaRouter
from api.camunda.schemas import IncidentOut, JobDueDateIn, JobOut, RetriesIn, optional_date
from api.camunda.variables import parse_date
from api.deps import EngineDep
from engine.errors import InvalidVariablesError, VariableProblem
from engine.monitoring import IncidentFilter, JobFilter

router = CamundaRouter(tags=["camunda: operations"])


@router.get("/incident", response_model=list[IncidentOut])
def list_incidents(
    engine: EngineDep,
    actor: Operator,
    incidentId: str | None = None,
    processInstanceId: str | None = None,
    incidentType: str | None = None,
    activityId: str | None = None,
    firstResult: FirstResult = 0,
    maxResults: MaxResults = 100,
) -> list[IncidentOut]:
    """Open incidents: external tasks out of retries (`failedExternalTask`) and failing timers."""
    f = IncidentFilter(
        instance_id=processInstanceId,
        incident_type=incidentType,
        element_id=activityId,
        incident_id=incidentId,
    )
    return [
        IncidentOut.of(i) for i in engine.list_incidents(f, actor=actor, offset=firstResult, limit=maxResults)
    ]


@router.get("/job", response_model=list[JobOut])
def list_jobs(
    engine: EngineDep,
    actor: Operator,
    jobId: str | None = None,
    processInstanceId: str | None = None,
    activityId: str | None = None,
    failedActivityId: str | None = None,
    dueDates: str | None = None,
    withException: bool = False,
    timers: bool | None = None,
    messages: bool | None = None,
    sortOrder: str = "asc",
    firstResult: FirstResult = 0,
    maxResults: MaxResults = 100,
) -> list[JobOut]:
    """Pending timers as jobs with their `dueDate` (Sagsflow has no other kind of job)."""
    if messages and not timers:
        return []
    before, after = _due_dates(dueDates)
    if failedActivityId and activityId and failedActivityId != activityId:
        return []
    f = JobFilter(
        instance_id=processInstanceId,
        element_id=activityId or failedActivityId,
        job_id=jobId,
        due_before=before,
        due_after=after,
        with_exception=withException or bool(failedActivityId),
        descending=sortOrder.lower() == "desc",
    )
    return [JobOut.of(j) for j in engine.list_jobs(f, actor=actor, offset=firstResult, limit=maxResults)]


@router.post("/job/{job_id}/execute", status_code=204, response_class=Response)
def execute_job(engine: EngineDep, actor: Operator, job_id: str) -> Response:
    """Fire the timer now, as the tick would at its due instant."""
    engine.execute_job(job_id, actor=actor)
    return Response(status_code=204)


@router.put("/job/{job_id}/duedate", status_code=204, response_class=Response)
def set_due_date(engine: EngineDep, actor: Operator, job_id: str, body: JobDueDateIn) -> Response:
    """Move the timer's due instant (`cascade` has no effect: Sagsflow has no job definitions)."""
    engine.set_job_due_date(job_id, optional_date(body.duedate, "duedate"), actor=actor)
    return Response(status_code=204)


@router.put("/job/{job_id}/retries", status_code=204, response_class=Response)
def set_retries(engine: EngineDep, actor: Operator, job_id: str, body: RetriesIn) -> Response:
    """More than 0 makes a failed timer pending again and resolves its incident."""
    engine.set_job_retries(job_id, body.retries, actor=actor)
    return Response(status_code=204)


def _due_dates(text: str | None) -> tuple[datetime | None, datetime | None]:
    """`lt_<date>,gt_<date>` as Camunda writes it."""
    before: datetime | None = None
    after: datetime | None = None
    for condition in (text or "").split(","):
        if not condition:
            continue
        operator, _, value = condition.partition("_")
        try:
            instant = parse_date(value)
        except ValueError:
            raise InvalidVariablesError(
                [VariableProblem("dueDates", f"invalid date in '{condition}'")]
            ) from None
        if operator == "lt":
            before = instant
        elif operator == "gt":
            after = instant
        else:
            raise InvalidVariablesError([VariableProblem("dueDates", f"unknown operator '{operator}'")])
    return before, after
