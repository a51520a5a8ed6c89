"""Deploying BPMN/DMN and finding the parsed spec of a definition version.

A deployment is refused as a whole if any resource has a problem; nothing is stored then.
Each executable process (and each DMN decision) gets a new version only when its content
(its own file plus the files it calls) differs from the newest version; identical content
reuses that version. Running instances stay pinned to the version they started on.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from lxml import etree
from sqlmodel import Session

from engine.bpmn.contract_checks import (
    Diagram,
    Fetch,
    check_contract,
    diagram_of,
    resolve_world,
)
from engine.bpmn.parser import Bundle, CompiledProcess, ExternalLookup, Resource, compile_resources
from engine.bpmn.starts import start_messages
from engine.contract import ContractSettings
from engine.errors import DefinitionProblem, InvalidDefinitionError, NotFoundError
from engine.model import Actor, DefinitionInfo, DeploymentInfo
from engine.store import definitions as repo
from engine.store.tables import Definition, Deployment
from engine.store.tables import Resource as ResourceRow

MAX_RESOURCES = 50
MAX_PROCESS_KEYS = 10_000


@dataclass(frozen=True)
class LoadedDefinition:
    """A definition version with its parsed spec, ready to run instances."""

    id: str
    key: str
    version: int
    name: str | None
    spec: Any
    subprocess_specs: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)  # resource name -> content (for diagrams)
    start_messages: frozenset[str] = frozenset()  # messages of its top-level message start events

    def xml_of(self, spec: Any) -> bytes | None:
        """The BPMN file a (sub)process spec was parsed from."""
        return self.files.get(getattr(spec, "file", None) or "")


@dataclass(frozen=True)
class DeployRequest:
    resources: Sequence[tuple[str, bytes]]
    name: str
    source: str | None = None
    tenant_id: str | None = None
    duplicate_filtering: bool = False


class DefinitionCache:
    """Parsed specs by definition id. Definitions never change, so entries never go stale."""

    def __init__(self, capacity: int = 256) -> None:
        self._entries: OrderedDict[str, LoadedDefinition] = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()
        self._start_messages: dict[str, frozenset[str]] = {}

    def start_messages(self, session: Session, definition_id: str) -> frozenset[str]:
        """The start messages of a definition, remembered after its first load (a few names per
        definition, so every definition's are kept); a definition that no longer compiles has none."""
        known = self._start_messages.get(definition_id)
        if known is None:
            try:
                known = self.get(session, definition_id).start_messages
            except InvalidDefinitionError:
                known = frozenset()
            self._start_messages[definition_id] = known
        return known

    def get(self, session: Session, definition_id: str) -> LoadedDefinition:
        with self._lock:
            entry = self._entries.get(definition_id)
            if entry is not None:
                self._entries.move_to_end(definition_id)
                return entry
        entry = _load(session, definition_id)
        with self._lock:
            self._entries[definition_id] = entry
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)
        return entry


def _load(session: Session, definition_id: str) -> LoadedDefinition:
    row = repo.get(session, definition_id)
    if row is None or row.kind != "process":
        raise NotFoundError("process definition", definition_id)
    resources = [Resource(r.name, r.content, r.id) for r in repo.resources_of(session, row)]
    process = compile_resources(resources).processes[row.key]
    files = {r.name: r.content for r in resources if r.kind == "bpmn"}
    return LoadedDefinition(
        row.id,
        row.key,
        row.version,
        row.name,
        process.spec,
        process.subprocess_specs,
        files,
        start_messages(process.spec),
    )


def deploy(
    session: Session,
    request: DeployRequest,
    *,
    actor: Actor,
    now: datetime,
    contract: ContractSettings,
) -> DeploymentInfo:
    """Validate and store a deployment; raise `InvalidDefinitionError` and store nothing on problems."""
    resources = _check_request(request)
    if request.duplicate_filtering:
        duplicate = _duplicate_of(session, request, resources)
        if duplicate is not None:
            return duplicate
    bundle, warnings = check_deployment(
        resources,
        external=lambda ref: _external(session, ref),
        deployed=lambda kind, key: _deployed_diagram(session, kind, key),
        contract=contract,
    )
    deployment = Deployment(
        id=str(uuid.uuid4()),
        name=request.name,
        source=request.source,
        tenant_id=request.tenant_id,
        deployed_at=now,
        deployed_by=actor.user_id,
    )
    session.add(deployment)
    rows = _store_resources(session, deployment.id, resources + bundle.external_resources)
    definitions, new = _version(session, bundle, deployment, rows)
    session.flush()
    info = _deployment_info(deployment, definitions, new, [r.name for r in resources])
    return replace(info, warnings=tuple(warnings))


def check_deployment(
    resources: Sequence[Resource],
    *,
    external: ExternalLookup | None,
    deployed: Fetch,
    contract: ContractSettings,
) -> tuple[Bundle, list[DefinitionProblem]]:
    """Compile the resources and check the diagram contract: (bundle, warnings), or
    `InvalidDefinitionError` with every problem of both (and the warnings)."""
    problems: list[DefinitionProblem] = []
    try:
        bundle: Bundle | None = compile_resources(resources, external=external)
    except InvalidDefinitionError as err:
        bundle, problems = None, err.problems
    new = [d for r in resources if (d := diagram_of(r.name, r.content, new=True)) is not None]
    findings = check_contract(resolve_world(new, deployed, contract.case_process), contract)
    if bundle is None or findings.errors:
        raise InvalidDefinitionError(problems + findings.errors, findings.warnings)
    return bundle, findings.warnings


def _deployed_diagram(session: Session, kind: str, key: str) -> Diagram | None:
    row = repo.latest(session, kind, key)
    if row is None:
        return None
    for resource in repo.resources_of(session, row):
        if resource.name == row.resource_name:
            return diagram_of(resource.name, resource.content, new=False)
    return None


def _check_request(request: DeployRequest) -> list[Resource]:
    if not request.resources:
        raise InvalidDefinitionError([DefinitionProblem("no deployment resources were uploaded")])
    if len(request.resources) > MAX_RESOURCES:
        raise InvalidDefinitionError([DefinitionProblem(f"more than {MAX_RESOURCES} resources")])
    names = [name for name, _ in request.resources]
    if len(set(names)) != len(names):
        raise InvalidDefinitionError([DefinitionProblem("two resources have the same file name")])
    return [Resource(name, content) for name, content in request.resources]


def _external(session: Session, reference: str) -> list[Resource]:
    for kind in ("process", "decision"):
        row = repo.latest(session, kind, reference)
        if row is not None:
            return [Resource(r.name, r.content, r.id) for r in repo.resources_of(session, row)]
    return []


def _hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _store_resources(
    session: Session, deployment_id: str, resources: list[Resource]
) -> dict[str, ResourceRow]:
    rows: dict[str, ResourceRow] = {}
    for resource in resources:
        if resource.name in rows:
            continue
        row = ResourceRow(
            id=str(uuid.uuid4()),
            deployment_id=deployment_id,
            name=resource.name,
            kind=resource.kind,
            content_hash=_hash(resource.content),
            content=resource.content,
        )
        session.add(row)
        rows[resource.name] = row
    return rows


def _version(
    session: Session, bundle: Bundle, deployment: Deployment, rows: dict[str, ResourceRow]
) -> tuple[list[Definition], list[Definition]]:
    all_defs: list[Definition] = []
    new_defs: list[Definition] = []
    used = [r for r in rows.values() if r.kind in ("bpmn", "dmn")]
    content_hash = _hash("".join(sorted(r.content_hash for r in used)).encode())
    entries: list[tuple[str, str, str | None, str, str | None]] = [
        ("process", p.id, p.name, p.resource_name, p.version_tag) for p in bundle.processes.values()
    ] + [("decision", d.id, d.name, d.resource_name, None) for d in bundle.decisions.values()]
    for kind, key, name, resource_name, tag in entries:
        own_hash = _hash((rows[resource_name].content_hash + content_hash).encode())
        current = repo.latest(session, kind, key)
        if current is not None and current.content_hash == own_hash:
            all_defs.append(current)
            continue
        version = (current.version + 1) if current else 1
        definition = Definition(
            id=f"{key}:{version}:{uuid.uuid4()}",
            kind=kind,
            key=key,
            version=version,
            name=name,
            version_tag=tag,
            deployment_id=deployment.id,
            resource_name=resource_name,
            content_hash=own_hash,
            resource_ids=json.dumps([r.id for r in used]),
            deployed_at=deployment.deployed_at,
        )
        session.add(definition)
        all_defs.append(definition)
        new_defs.append(definition)
    return all_defs, new_defs


def _duplicate_of(
    session: Session, request: DeployRequest, resources: list[Resource]
) -> DeploymentInfo | None:
    previous = repo.find_duplicate_deployment(session, request.name, request.source, request.tenant_id)
    if previous is None:
        return None
    stored = {r.name: r.content_hash for r in repo.resources_of_deployment(session, previous.id)}
    if any(stored.get(r.name) != _hash(r.content) for r in resources):
        return None
    definitions = repo.definitions_of_deployment(session, previous.id)
    return _deployment_info(previous, definitions, [], [r.name for r in resources], duplicate=True)


def definition_info(row: Definition) -> DefinitionInfo:
    return DefinitionInfo(
        id=row.id,
        key=row.key,
        version=row.version,
        name=row.name,
        resource_name=row.resource_name,
        deployment_id=row.deployment_id,
        deployed_at=row.deployed_at,
        content_hash=row.content_hash,
        version_tag=row.version_tag,
        kind=row.kind,
    )


def _deployment_info(
    deployment: Deployment,
    definitions: list[Definition],
    new: list[Definition],
    resource_names: list[str],
    duplicate: bool = False,
) -> DeploymentInfo:
    return DeploymentInfo(
        id=deployment.id,
        name=deployment.name,
        source=deployment.source,
        tenant_id=deployment.tenant_id,
        deployed_at=deployment.deployed_at,
        definitions=tuple(definition_info(d) for d in definitions),
        new_definitions=tuple(definition_info(d) for d in new),
        resources=tuple(resource_names),
        duplicate=duplicate,
    )


def resolve(session: Session, *, definition_id: str | None = None, key: str | None = None) -> Definition:
    """A process definition by id, or the newest version of a key."""
    row = repo.get(session, definition_id) if definition_id else repo.latest(session, "process", key or "")
    if row is None or row.kind != "process":
        raise NotFoundError("process definition", definition_id or key or "")
    return row


def started_by_message(session: Session, cache: DefinitionCache, message_name: str) -> list[Definition]:
    """The newest version of each process whose message start event is `message_name` (older
    versions are not started by messages, as in Camunda)."""
    rows, _ = repo.list_definitions(session, latest_only=True, limit=MAX_PROCESS_KEYS)
    return [row for row in rows if message_name in cache.start_messages(session, row.id)]


@dataclass(frozen=True)
class Validation:
    processes: list[CompiledProcess]
    warnings: list[DefinitionProblem]


def validate_files(
    resources: Sequence[tuple[str, bytes]],
    *,
    deployed: Sequence[tuple[str, bytes]] = (),
    contract: ContractSettings,
) -> Validation:
    """Check files exactly as a deploy would, without storing anything (`sagsflow validate`).

    `deployed` stands for what a server has deployed (the workflows folder): the processes and
    decisions the files call but do not contain are taken from it, as a deploy takes them from
    the newest deployed versions. Raises `InvalidDefinitionError` like `deploy`.
    """
    given = [Resource(n, c) for n, c in resources]
    context = _Context(deployed, exclude=given)
    bundle, warnings = check_deployment(
        given, external=context.external, deployed=context.diagram, contract=contract
    )
    return Validation(list(bundle.processes.values()), warnings)


class _Context:
    """Files standing for the deployed versions, by the process and decision ids they define.
    A file that defines an id one of the validated files defines is left out (it is replaced)."""

    def __init__(self, files: Sequence[tuple[str, bytes]], exclude: Sequence[Resource]) -> None:
        taken = {key for r in exclude for key in _keys(r)}
        self._by_key: dict[tuple[str, str], Resource] = {}
        for name, content in files:
            resource = Resource(name, content)
            keys = _keys(resource)
            if any(name == r.name for r in exclude) or keys & taken:
                continue
            for key in keys:
                self._by_key.setdefault(key, resource)

    def external(self, reference: str) -> list[Resource]:
        found = self._by_key.get(("process", reference)) or self._by_key.get(("decision", reference))
        return [found] if found is not None else []

    def diagram(self, kind: str, key: str) -> Diagram | None:
        found = self._by_key.get((kind, key))
        return diagram_of(found.name, found.content, new=False) if found is not None else None


def _keys(resource: Resource) -> set[tuple[str, str]]:
    """("process", id) / ("decision", id) for what a file defines (nothing if unreadable)."""
    diagram = diagram_of(resource.name, resource.content, new=False)
    if diagram is None:
        return set()
    kind = "process" if resource.kind == "bpmn" else "decision"
    return {
        (kind, str(e.get("id")))
        for e in diagram.root
        if isinstance(e.tag, str) and etree.QName(e).localname == kind
    }


def list_deployments(session: Session, *, offset: int, limit: int) -> tuple[list[DeploymentInfo], int]:
    """Deployments, newest first, with the definition versions each one created."""
    rows, total = repo.list_deployments(session, offset=offset, limit=limit)
    infos = []
    for row in rows:
        created = repo.definitions_of_deployment(session, row.id)
        names = [r.name for r in repo.resources_of_deployment(session, row.id)]
        infos.append(_deployment_info(row, created, created, names))
    return infos, total
