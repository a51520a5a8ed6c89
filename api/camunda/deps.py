"""Role policies and small request helpers shared by the Camunda-compatible routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request

from api.deps import allow
from api.schemas.common import MAX_OFFSET
from engine import access
from engine.model import Actor, Role

PREFIX = "/engine-rest"

Worker = Annotated[Actor, allow(Role.INTEGRATOR, Role.ADMIN)]
Starter = Annotated[Actor, allow(Role.INTEGRATOR, Role.ADMIN)]
CaseReader = Annotated[Actor, allow(Role.CASEWORKER, Role.LEADER, Role.ADMIN, Role.INTEGRATOR)]
CaseWriter = Annotated[Actor, allow(*access.CASE_WRITERS)]
TaskWorker = Annotated[Actor, allow(Role.CASEWORKER, Role.LEADER, Role.ADMIN, Role.INTEGRATOR)]
TaskAssigner = Annotated[Actor, allow(*access.TASK_ASSIGNERS)]
Operator = Annotated[Actor, allow(Role.INTEGRATOR, Role.LEADER, Role.ADMIN)]
DecisionEvaluator = Annotated[Actor, allow(*access.DECISION_EVALUATORS)]
AnyRole = Annotated[Actor, allow(*Role)]

FirstResult = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
MaxResults = Annotated[int, Query(ge=0, le=500)]
# A definition version as a query filter: versions are stored as 32-bit integers on both databases.
Version = Annotated[int, Query(ge=1, le=2_147_483_647)]


def base_url(request: Request) -> str:
    """The absolute /engine-rest root, for the `links` Camunda puts in some answers."""
    return f"{str(request.base_url).rstrip('/')}{PREFIX}"
