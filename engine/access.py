"""Who may do what. Roles are coarse (function level); case visibility is fine-grained.

- caseworkers see cases of their teams, cases they hold, and cases with a task assigned to them;
- leaders and admins see every case of their municipality;
- integrators start, correlate and work external tasks, and read cases of their municipality;
- process owners deploy and read definitions, never case data.
Another municipality's case is always reported as not found.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TypeVar

from engine.errors import ForbiddenError
from engine.model import Actor, InstanceFilter, ProcessInstanceFilter, Role, TaskFilter

CASE_READERS = (Role.CASEWORKER, Role.LEADER, Role.ADMIN, Role.INTEGRATOR)
CASE_WRITERS = (Role.CASEWORKER, Role.LEADER, Role.ADMIN, Role.INTEGRATOR)
DEPLOYERS = (Role.PROCESS_OWNER, Role.ADMIN)
# plan, validate and migrate running cases to another version (reads identifiers and the
# reasons a case cannot move, never variable values; every case touched is access-logged)
MIGRATORS = (Role.PROCESS_OWNER, Role.ADMIN)
DEFINITION_READERS = (Role.PROCESS_OWNER, Role.ADMIN, Role.INTEGRATOR, Role.LEADER, Role.CASEWORKER)
DECISION_EVALUATORS = (Role.PROCESS_OWNER, Role.ADMIN, Role.INTEGRATOR)  # reads no case data
TASK_ASSIGNERS = (Role.CASEWORKER, Role.LEADER, Role.ADMIN)


@dataclass(frozen=True)
class Scope:
    """Restriction of case queries: None means every case of the municipality."""

    user: str
    teams: tuple[str, ...]


def require(actor: Actor, *roles: Role) -> None:
    if not actor.has(*roles):
        raise ForbiddenError(f"this requires one of the roles: {', '.join(r.value for r in roles)}")


def case_scope(actor: Actor) -> Scope | None:
    require(actor, *CASE_READERS)
    if actor.has(Role.LEADER, Role.ADMIN, Role.INTEGRATOR):
        return None
    return Scope(actor.user_id, tuple(sorted(actor.teams)))


_Filter = TypeVar("_Filter", InstanceFilter, ProcessInstanceFilter, TaskFilter)


def scoped(f: _Filter, actor: Actor) -> _Filter:
    """The case, process-instance or task query narrowed to what the actor may see (`case_scope`)."""
    scope = case_scope(actor)
    if scope is None:
        return f
    return replace(f, visible_to_user=scope.user, visible_to_teams=scope.teams)


def may_see_case(actor: Actor, team: str | None, caseworker: str | None, assignees: set[str]) -> bool:
    scope = case_scope(actor)
    if scope is None:
        return True
    return (team in scope.teams) or caseworker == scope.user or scope.user in assignees
