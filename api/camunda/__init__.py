"""Camunda 7 REST compatibility: a subset of `/engine-rest` over the same engine as the native API.

See docs/camunda-compat.md for the routes, the clients it was tested with and the deviations.
"""

from __future__ import annotations

from api.camunda import decision, deployment, external_task, migration, operations, process, task
from api.camunda.deps import PREFIX
from api.routing import Router

router = Router(prefix=PREFIX)
for _module in (deployment, decision, process, external_task, task, operations, migration):
    router.include_router(_module.router)

__all__ = ["PREFIX", "router"]
