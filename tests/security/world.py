"""Cases in two municipalities for the security tests, and the principals that probe them.

Each case of the `matrix` process waits in three places at once: a user task (`work`), an
external task (`ext`, topic `matrix-topic`) and a message catch (`ping`), so every kind of
object a route can name (case, user task, external task) exists, in municipality A and in B.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field
from typing import Any

from api.camunda.variables import FILE
from engine.definitions import DeployRequest
from engine.model import Actor, Role
from engine.service import Engine

from support import bpmn

MUNICIPALITY_A = "0101"
MUNICIPALITY_B = "0751"
TEAM = "team-a"
PROCESS_KEY = "matrix"
MESSAGE = "ping"
TOPIC = "matrix-topic"
# Distinctive values: a CPR-shaped child reference and free text (never to appear in logs).
CPR = "010203-4567"
ATTACHMENT = "attachment"  # a Camunda File variable every case holds (its content is the marker)
FREE_TEXT = "Moren fortæller at drengen ikke har spist i tre dage"

MATRIX_BPMN = bpmn.document(
    PROCESS_KEY,
    f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:parallelGateway id="fork"><bpmn:incoming>f0</bpmn:incoming>
      <bpmn:outgoing>f1</bpmn:outgoing><bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f3</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:userTask id="work" name="Arbejde" camunda:candidateGroups="raadgiver">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>g1</bpmn:outgoing></bpmn:userTask>
    <bpmn:serviceTask id="ext" name="Ekstern" camunda:type="external" camunda:topic="{TOPIC}">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>g2</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:intermediateCatchEvent id="wait_msg"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>g3</bpmn:outgoing>
      <bpmn:messageEventDefinition messageRef="msg" /></bpmn:intermediateCatchEvent>
    <bpmn:parallelGateway id="join"><bpmn:incoming>g1</bpmn:incoming><bpmn:incoming>g2</bpmn:incoming>
      <bpmn:incoming>g3</bpmn:incoming><bpmn:outgoing>f9</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:endEvent id="end"><bpmn:incoming>f9</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="fork" />
    <bpmn:sequenceFlow id="f1" sourceRef="fork" targetRef="work" />
    <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="ext" />
    <bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="wait_msg" />
    <bpmn:sequenceFlow id="g1" sourceRef="work" targetRef="join" />
    <bpmn:sequenceFlow id="g2" sourceRef="ext" targetRef="join" />
    <bpmn:sequenceFlow id="g3" sourceRef="wait_msg" targetRef="join" />
    <bpmn:sequenceFlow id="f9" sourceRef="join" targetRef="end" />""",
    extra=f'  <bpmn:message id="msg" name="{MESSAGE}" />\n',
    name="Matrix",
)


def system(municipality: str) -> Actor:
    return Actor(f"seed-{municipality}", municipality, frozenset({Role.ADMIN}), frozenset({TEAM}))


@dataclass(frozen=True)
class Case:
    """One case and the ids of the objects it holds."""

    municipality: str
    instance_id: str
    business_key: str
    user_task_id: str
    external_task_id: str
    definition_id: str
    marker: str

    def ids(self) -> dict[str, str]:
        return {
            "instance": self.instance_id,
            "task": self.user_task_id,
            "external_task": self.external_task_id,
        }

    def secrets(self) -> tuple[str, ...]:
        """Strings that only a reader of this case can know."""
        return (self.instance_id, self.user_task_id, self.external_task_id, self.business_key, self.marker)


def deploy(engine: Engine) -> str:
    """Shared by both municipalities, as the service's own workflows are."""
    request = DeployRequest(
        resources=[("matrix.bpmn", MATRIX_BPMN)], name="matrix", source="test", shared=True
    )
    info = engine.deploy(request, actor=system(MUNICIPALITY_A))
    return info.definitions[0].id


def _base64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def open_case(engine: Engine, municipality: str, *, team: str = TEAM) -> Case:
    marker = f"MARK-{uuid.uuid4().hex[:10]}"
    business_key = f"S-{municipality}-{uuid.uuid4().hex[:8]}"
    seed = Actor(f"seed-{municipality}", municipality, frozenset({Role.ADMIN}), frozenset({team}))
    variables: dict[str, Any] = {
        "x": 1,
        "marker": marker,
        "child_ref": CPR,
        "note": FREE_TEXT,
        ATTACHMENT: {FILE: {"filename": "notat.txt", "mimeType": "text/plain", "data": _base64(marker)}},
    }
    info = engine.start_instance(actor=seed, key=PROCESS_KEY, business_key=business_key, variables=variables)
    by_kind = {t.kind: t.id for t in info.tasks}
    return Case(
        municipality,
        info.id,
        business_key,
        by_kind["user"],
        by_kind["external"],
        info.definition_id,
        marker,
    )


@dataclass(frozen=True)
class Principal:
    """Who calls: a role (or none) in a municipality, possibly in a team the case is not in."""

    name: str
    municipality: str
    roles: tuple[Role, ...]
    teams: tuple[str, ...] = (TEAM,)
    user: str = field(default="")

    @property
    def user_id(self) -> str:
        return self.user or f"{self.name}@{self.municipality}"


def principals() -> list[Principal]:
    found = []
    for municipality in (MUNICIPALITY_A, MUNICIPALITY_B):
        found += [Principal(role.value, municipality, (role,)) for role in Role]
        found.append(Principal("no_role", municipality, ()))
    found.append(Principal("caseworker_other_team", MUNICIPALITY_A, (Role.CASEWORKER,), ("team-z",)))
    return found
