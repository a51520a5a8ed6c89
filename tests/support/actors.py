"""The people the tests act as (import from here, not from conftest: another directory's
conftest.py can shadow the top-level one when several test directories run together)."""

from __future__ import annotations

from engine.model import Actor, Role

MUNICIPALITY = "0101"


def actor(
    *roles: Role,
    user: str = "user-1",
    municipality: str = MUNICIPALITY,
    teams: tuple[str, ...] = ("team-a",),
) -> Actor:
    return Actor(user, municipality, frozenset(roles), frozenset(teams))


PROCESS_OWNER = actor(Role.PROCESS_OWNER, user="po-1")
CASEWORKER = actor(Role.CASEWORKER, user="cw-1")
LEADER = actor(Role.LEADER, user="leader-1")
ADMIN = actor(Role.ADMIN, user="admin-1")
