"""Ledelsesinformation: case standings, deadlines at risk and kept, involvement and throughput.

Every report is JSON, or CSV with `?format=csv`. Figures are defined in engine/reports.py.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Literal

from fastapi import Query
from fastapi.responses import Response
from pydantic import BaseModel

from api.deps import EngineDep, LeaderActor
from api.routing import Router
from api.schemas.common import MAX_OFFSET
from api.schemas.reports import (
    DeadlineOut,
    DeadlinesOut,
    OverviewOut,
    StandingOut,
    StandingsOut,
    WorkloadOut,
)

router = Router(prefix="/reports", tags=["reports"])
Format = Annotated[Literal["json", "csv"], Query(description="json (default) or csv")]
Team = Annotated[str | None, Query(max_length=100)]
Caseworker = Annotated[str | None, Query(max_length=200)]
Since = Annotated[datetime | None, Query(alias="from", description="period start (inclusive)")]
Until = Annotated[datetime | None, Query(alias="to", description="period end (exclusive)")]


def _csv(rows: Sequence[Sequence[object]], name: str) -> Response:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    headers = {"Content-Disposition": f'attachment; filename="{name}.csv"'}
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)


def _table(items: Sequence[BaseModel], name: str) -> Response:
    fields = list(type(items[0]).model_fields) if items else []
    rows = [fields] + [[getattr(item, f) for f in fields] for item in items]
    return _csv(rows, name)


@router.get("/overview", response_model=OverviewOut)
def overview(
    engine: EngineDep,
    actor: LeaderActor,
    team: Team = None,
    caseworker: Caseworker = None,
    since: Since = None,
    until: Until = None,
    format: Format = "json",
) -> OverviewOut | Response:
    """Cases per phase, deadlines met per rule, involvement, caseload, caseworker changes, medians."""
    result = OverviewOut.of(
        engine.report_overview(actor=actor, team=team, caseworker=caseworker, period=(since, until))
    )
    return _csv(result.csv_rows(), "overview") if format == "csv" else result


@router.get("/cases", response_model=StandingsOut)
def cases(
    engine: EngineDep,
    actor: LeaderActor,
    phase: Annotated[str | None, Query(max_length=100)] = None,
    team: Team = None,
    caseworker: Caseworker = None,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    format: Format = "json",
) -> StandingsOut | Response:
    """Where every active case stands: phase, current tasks, days in the phase (longest first)."""
    rows, total = engine.report_standings(
        actor=actor, phase=phase, team=team, caseworker=caseworker, offset=offset, limit=limit
    )
    result = StandingsOut(items=[StandingOut.of(r) for r in rows], total=total)
    return _table(result.items, "cases") if format == "csv" else result


@router.get("/deadlines", response_model=DeadlinesOut)
def deadlines(
    engine: EngineDep,
    actor: LeaderActor,
    days: Annotated[int, Query(ge=1, le=366)] = 14,
    team: Team = None,
    caseworker: Caseworker = None,
    since: Since = None,
    until: Until = None,
    format: Format = "json",
) -> DeadlinesOut | Response:
    """Deadlines due within `days` and still open, and deadlines breached (in the period)."""
    due, late = engine.report_deadlines(
        actor=actor, days=days, team=team, caseworker=caseworker, period=(since, until)
    )
    result = DeadlinesOut(
        due_soon=[DeadlineOut.of(d) for d in due], breached=[DeadlineOut.of(d) for d in late]
    )
    return _table(result.due_soon + result.breached, "deadlines") if format == "csv" else result


@router.get("/workload", response_model=WorkloadOut)
def workload(
    engine: EngineDep,
    actor: LeaderActor,
    team: Team = None,
    days: Annotated[int, Query(ge=1, le=366, description="what counts as due soon")] = 7,
    format: Format = "json",
) -> WorkloadOut | Response:
    """Who holds what: per person, the open tasks they hold (overdue, due within `days`) and the
    active cases they are caseworker of; most open tasks first."""
    result = WorkloadOut.of(engine.report_workload(actor=actor, team=team, days=days))
    return _table(result.items, "workload") if format == "csv" else result
