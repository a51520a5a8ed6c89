"""A live Sagsflow with authentication on, for the Camunda 7 client tests.

Basic service accounts come from a users file (SAGSFLOW_BASIC_USERS_FILE); Bearer tokens are
real RS256 JWTs checked against a JWKS file. Each test deploys its own copy of the screening
diagram with a unique process id and topic, so tests sharing a server never see each other's
tasks.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from api.auth import hash_password

from support.live import ROOT, LiveServer

DIAGRAM = Path(__file__).resolve().parent.parent / "camunda" / "bpmn" / "screening.bpmn"
JS_DIR = ROOT / "tests" / "camunda" / "js"
ISSUER = "https://login.test.invalid/realms/sagsflow"
AUDIENCE = "sagsflow-api"


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    roles: tuple[str, ...]
    municipality: str = "0101"
    teams: tuple[str, ...] = ()

    @property
    def auth(self) -> httpx.BasicAuth:
        return httpx.BasicAuth(self.username, self.password)


WORKER = Account("worker", "worker-secret", ("integrator",))
OWNER = Account("owner", "owner-secret", ("process_owner", "integrator"))
CASEWORKER = Account("caseworker", "caseworker-secret", ("caseworker",), teams=("team-a",))
STRANGER = Account("stranger", "stranger-secret", ("integrator", "process_owner"), municipality="0202")
# Camunda's examples assign their user tasks to Tasklist's "demo" user (an admin there); a leader
# here, which may also act on tasks the examples assign to other people (Kermit, Fozzie).
DEMO = Account("demo", "demo", ("integrator", "leader"))
ACCOUNTS = (WORKER, OWNER, CASEWORKER, STRANGER, DEMO)


class Keys:
    """An RSA key whose public half is the server's JWKS; signs Bearer tokens."""

    def __init__(self, directory: Path) -> None:
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private.public_key()))
        public.update({"kid": "test-key", "use": "sig", "alg": "RS256"})
        self.jwks_file = directory / "jwks.json"
        self.jwks_file.write_text(json.dumps({"keys": [public]}))

    def token(self, sub: str, roles: tuple[str, ...], municipality: str = "0101") -> str:
        now = int(time.time())
        claims = {
            "sub": sub,
            "iss": ISSUER,
            "aud": AUDIENCE,
            "iat": now,
            "nbf": now - 5,
            "exp": now + 3600,
            "municipality": municipality,
            "roles": list(roles),
        }
        return jwt.encode(claims, self.private, algorithm="RS256", headers={"kid": "test-key"})


def write_users_file(directory: Path) -> Path:
    path = directory / "basic-users.json"
    entries = [
        {
            "username": a.username,
            "password_hash": hash_password(a.password),
            "municipality": a.municipality,
            "roles": list(a.roles),
            "teams": list(a.teams),
        }
        for a in ACCOUNTS
    ]
    path.write_text(json.dumps(entries))
    return path


def secured_env(users_file: Path, keys: Keys) -> dict[str, str]:
    """Authentication on: dev mode off, Basic accounts and OIDC Bearer tokens."""
    return {
        "SAGSFLOW_DEV_MODE": "0",
        "SAGSFLOW_DEV_TOKEN": "",
        "SAGSFLOW_BASIC_USERS_FILE": str(users_file),
        "SAGSFLOW_OIDC_ISSUER": ISSUER,
        "SAGSFLOW_OIDC_AUDIENCE": AUDIENCE,
        "SAGSFLOW_OIDC_JWKS_FILE": str(keys.jwks_file),
    }


@dataclass(frozen=True)
class Diagram:
    process_id: str
    topic: str
    content: bytes
    file_name: str


BOUNDARY = "----formdata-undici-027309577751"


def modeler_body(diagram: Diagram, attachments: list[tuple[str, bytes]], tenant: str | None) -> bytes:
    """The multipart body undici's FormData writes for CamundaAPI.deployDiagram."""

    def field(name: str, value: str) -> bytes:
        return f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()

    def file(name: str, content: bytes, content_type: str) -> bytes:
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; filename="{name}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        )
        return head.encode() + content + b"\r\n"

    parts = [
        field("deployment-name", diagram.process_id),
        field("deployment-source", "Camunda Modeler"),
        field("enable-duplicate-filtering", "true"),
    ]
    if tenant:
        parts.append(field("tenant-id", tenant))
    parts.append(file(diagram.file_name, diagram.content, "text/xml"))
    parts += [file(name, content, "application/octet-stream") for name, content in attachments]
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def screening_diagram(label: str = "") -> Diagram:
    """The screening test diagram with a unique process id and topic."""
    suffix = f"{label}_{uuid.uuid4().hex[:8]}".strip("_")
    process_id, topic = f"screening_{suffix}", f"screening-{suffix}"
    text = DIAGRAM.read_text().replace('"screening_test"', f'"{process_id}"')
    text = text.replace('camunda:topic="screening"', f'camunda:topic="{topic}"')
    return Diagram(process_id, topic, text.encode(), f"{process_id}.bpmn")


class CamundaServer:
    """A started LiveServer plus helpers that speak /engine-rest."""

    def __init__(self, server: LiveServer, keys: Keys | None = None) -> None:
        self.server = server
        self.keys = keys
        self.engine_url = f"{server.url}/engine-rest"

    def http(self, account: Account | None = WORKER, **kwargs: Any) -> httpx.Client:
        auth = account.auth if account is not None else None
        return httpx.Client(base_url=self.engine_url, auth=auth, timeout=30, **kwargs)

    def deploy(self, diagram: Diagram, account: Account = OWNER) -> dict[str, Any]:
        with self.http(account) as c:
            response = c.post(
                "/deployment/create",
                data={"deployment-name": diagram.process_id, "deployment-source": "sagsflow-tests"},
                files=[(diagram.file_name, (diagram.file_name, diagram.content, "text/xml"))],
            )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def start(
        self,
        key: str,
        business_key: str,
        variables: dict[str, Any] | None = None,
        account: Account = WORKER,
    ) -> str:
        with self.http(account) as c:
            response = c.post(
                f"/process-definition/key/{key}/start",
                json={"businessKey": business_key, "variables": variables or {}},
            )
        assert response.status_code == 200, response.text
        instance_id: str = response.json()["id"]
        return instance_id

    def open_tasks(self, instance_id: str, account: Account = WORKER) -> list[str]:
        """Element ids of the open user tasks of an instance."""
        with self.http(account) as c:
            response = c.get("/task", params={"processInstanceId": instance_id})
        assert response.status_code == 200, response.text
        return [t["taskDefinitionKey"] for t in response.json()]

    def history(self, instance_id: str, account: Account = WORKER) -> dict[str, Any]:
        with self.http(account) as c:
            response = c.get(f"/history/process-instance/{instance_id}")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def variables(self, instance_id: str, account: Account = WORKER) -> dict[str, Any]:
        with self.http(account) as c:
            response = c.get(f"/process-instance/{instance_id}/variables")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def incidents(self, instance_id: str, account: Account = WORKER) -> list[dict[str, Any]]:
        with self.http(account) as c:
            response = c.get("/incident", params={"processInstanceId": instance_id})
        assert response.status_code == 200, response.text
        body: list[dict[str, Any]] = response.json()
        return body
