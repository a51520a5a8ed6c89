"""Municipal rights from the identity provider, mapped by a configuration file, never hard-coded.

The file (`SAGSFLOW_RIGHTS_FILE`, YAML) says which of the provider's roles give which Sagsflow
roles, and which data limits give which teams (a caseworker sees the cases of their teams; see
engine/access.py). What the file does not name gives nothing: a person whose roles are all
unknown gets no rights and is not signed in.

    oidc:                         # OIDC providers (Entra ID, Keycloak, …)
      municipality: "0751"        # every person of this issuer belongs to it …
      municipality_claim: null    # … or a claim names it
      user_claim: sub             # the claim that is the user id in Sagsflow (Entra ID: oid)
      claims: [groups, roles]     # claims (dotted paths) whose values are looked up below
      roles: {"<group or app role>": [caseworker]}
      teams: {"<group>": team-nord}
    saml:                         # KOMBIT's Context Handler (OIOSAML 3, OIO-BPP privileges)
      municipalities: {"29189919": "0751"}   # CVR number of the privilege group's scope
      roles: {"http://…/usersystemrole/…/1": [caseworker]}
      teams:                      # per data-limit name (constraint), value → team
        "http://sts.kombit.dk/constraints/orgenhed/1": {"<unit uuid>": team-nord}
        "http://sts.kombit.dk/constraints/KLE/1": {"27.24.00": team-nord}
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from api.auth import claim
from engine.model import Role

CVR_SCOPE = re.compile(r"^urn:dk:gov:saml:cvrNumberIdentifier:(\d{8})$")


class RightsError(ValueError):
    """The person gets no rights (the reason names no personal data)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OidcRights(_Strict):
    municipality: str | None = None
    municipality_claim: str | None = None
    user_claim: str = "sub"
    claims: list[str] = Field(default_factory=lambda: ["groups"])
    roles: dict[str, list[Role]] = Field(default_factory=dict)
    teams: dict[str, str] = Field(default_factory=dict)


class SamlRights(_Strict):
    municipalities: dict[str, str] = Field(default_factory=dict)
    roles: dict[str, list[Role]] = Field(default_factory=dict)
    teams: dict[str, dict[str, str]] = Field(default_factory=dict)


class RightsFile(_Strict):
    oidc: OidcRights = Field(default_factory=OidcRights)
    saml: SamlRights = Field(default_factory=SamlRights)


@dataclass(frozen=True)
class Grant:
    """What a signed-in person may do: Sagsflow roles and teams within one municipality."""

    municipality: str
    roles: frozenset[Role]
    teams: frozenset[str]


@dataclass(frozen=True)
class PrivilegeGroup:
    """One OIO-BPP privilege group: privileges (job-function roles) for one organisation (CVR),
    limited by its constraints (data limits: organisation units, KLE numbers)."""

    scope: str
    privileges: tuple[str, ...]
    constraints: tuple[tuple[str, str], ...] = ()


def load(path: Path | None) -> RightsFile:
    if path is None:
        return RightsFile()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return RightsFile.model_validate(data)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def oidc_grant(rights: OidcRights, claims: Mapping[str, Any]) -> Grant:
    """Roles and teams from the ID token's claims (e.g. Entra ID group object ids)."""
    municipality = rights.municipality
    if rights.municipality_claim:
        value = claim(claims, rights.municipality_claim)
        municipality = value if isinstance(value, str) else None
    if not municipality:
        raise RightsError("no municipality for this person")
    values = {v for path in rights.claims for v in _strings(claim(claims, path))}
    roles = frozenset(r for v in values for r in rights.roles.get(v, ()))
    teams = frozenset(rights.teams[v] for v in values if v in rights.teams)
    return _granted(municipality, roles, teams)


def saml_grant(rights: SamlRights, groups: Iterable[PrivilegeGroup]) -> Grant:
    """Roles and teams from KOMBIT's privilege groups: only groups of a configured organisation
    count, and a group's data limits become teams only if the group gives a known role."""
    municipalities: set[str] = set()
    roles: set[Role] = set()
    teams: set[str] = set()
    for group in groups:
        municipality = _municipality(rights, group.scope)
        granted = {r for p in group.privileges for r in rights.roles.get(p, ())}
        if municipality is None or not granted:
            continue
        municipalities.add(municipality)
        roles |= granted
        teams |= {
            rights.teams[name][value]
            for name, value in group.constraints
            if value in rights.teams.get(name, {})
        }
    if len(municipalities) > 1:
        raise RightsError("roles in more than one municipality")
    if not municipalities:
        raise RightsError("no known role")
    return _granted(municipalities.pop(), frozenset(roles), frozenset(teams))


def _municipality(rights: SamlRights, scope: str) -> str | None:
    match = CVR_SCOPE.match(scope)
    cvr = match.group(1) if match else scope
    return rights.municipalities.get(cvr)


def _granted(municipality: str, roles: frozenset[Role], teams: frozenset[str]) -> Grant:
    if not roles:
        raise RightsError("no known role")
    return Grant(municipality, roles, teams)
