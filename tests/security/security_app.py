"""The app as production runs it (OIDC bearer tokens, Basic service accounts, no dev mode)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from oidc_tokens import Issuer
from world import TEAM, Principal, deploy

from api.app import create_app
from engine.clock import FakeClock
from engine.config import EngineSettings
from engine.model import Role
from engine.service import Engine

BASIC_ADMIN = "svc-admin-a"
BASIC_INTEGRATOR = "svc-integrator-a"


@dataclass
class Secure:
    """A running app with OIDC, its engine, client and the definition every case runs."""

    app: FastAPI
    client: TestClient
    engine: Engine
    issuer: Issuer
    definition_id: str
    kind: str

    def bearer(self, who: Principal) -> dict[str, str]:
        roles = tuple(r.value for r in who.roles)
        return {
            "Authorization": f"Bearer {self.issuer.token(who.user_id, who.municipality, roles, who.teams)}"
        }

    def headers_for(
        self, user: str, municipality: str, *roles: Role, teams: tuple[str, ...] = (TEAM,)
    ) -> Any:
        return self.bearer(Principal(user, municipality, roles, teams, user=user))


def engine_settings(url: str) -> EngineSettings:
    return EngineSettings(
        database_url=url, run_scheduler=False, deploy_workflows_on_start=False, pool_size=40
    )


def secure_app(database_url: str, issuer: Issuer, kind: str, **settings: Any) -> Iterator[Secure]:
    app = create_app(issuer.settings(**settings), engine_settings(database_url), clock=FakeClock())
    with TestClient(app) as client:
        engine: Engine = app.state.engine
        yield Secure(app, client, engine, issuer, deploy(engine), kind)
