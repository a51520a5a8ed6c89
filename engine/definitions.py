"""Deploying BPMN/DMN, finding the parsed spec of a definition version, and binding the process
a call activity calls.

A deployment is refused as a whole if any resource has a problem; nothing is stored then. Any
subset of files can be deployed: each executable process (and each DMN decision) gets a new
version only when its own content differs from the newest version (a process's content is its
own file and the DMN files its business rule tasks read); identical content reuses that version.
Called processes are not part of the caller's version: a call activity binds its target when a
token reaches it (`called_process`), so a deployment of one changed called file reaches new
cases. Running instances stay on the versions they started and entered.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from engine import camunda_forms
from engine.bpmn.calls import CallTarget
from engine.bpmn.parser import Bundle, CompiledProcess, Resource, compile_resources
from engine.bpmn.starts import start_messages
from engine.errors import DefinitionProblem, InvalidDefinitionError, NotFoundError, ProcessError
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
    deployment_id: str = ""

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
    if row.calls_pass_all:
        pass_all_variables(process)
    return LoadedDefinition(
        row.id,
        row.key,
        row.version,
        row.name,
        process.spec,
        process.subprocess_specs,
        files,
        start_messages(process.spec),
        row.deployment_id,
    )


def pass_all_variables(process: CompiledProcess) -> None:
    """A definition deployed before call activities bound their targets: its call activities keep
    passing every variable in and out, as when its cases started (specs are parsed per load of a
    definition, so this changes no other definition's specs)."""
    for call in process.calls:
        call.task_spec.pass_all = True


def deploy(session: Session, request: DeployRequest, *, actor: Actor, now: datetime) -> DeploymentInfo:
    """Validate and store a deployment; raise `InvalidDefinitionError` and store nothing on problems."""
    resources = _check_request(request)
    if request.duplicate_filtering:
        duplicate = _duplicate_of(session, request, resources)
        if duplicate is not None:
            return duplicate
    forms, form_problems = _forms(resources)
    try:
        bundle = compile_resources(resources, external=lambda ref: _external(session, ref))
    except InvalidDefinitionError as err:
        raise InvalidDefinitionError([*err.problems, *form_problems]) from None
    missing = _missing_targets(session, bundle) + form_problems
    if missing:
        raise InvalidDefinitionError(missing)
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
    definitions, new = _version(session, bundle, deployment, rows, forms)
    session.flush()
    repo.link_to_deployment(session, deployment.id, [d.id for d in definitions])
    session.flush()
    return _deployment_info(deployment, definitions, new, [r.name for r in resources])


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
    """The deployed DMN resources of a decision this deployment's business rule tasks read."""
    row = repo.latest(session, "decision", reference)
    if row is None:
        return []
    return [Resource(r.name, r.content, r.id) for r in repo.resources_of(session, row) if r.kind == "dmn"]


def _missing_targets(session: Session, bundle: Bundle) -> list[DefinitionProblem]:
    """Call activities whose target is neither in this deployment nor deployed. Camunda finds out
    when a case reaches the call activity; we refuse the deploy instead. Targets given as
    expressions are only known at run time."""
    problems = []
    for process in bundle.processes.values():
        for call in process.calls:
            settings = call.settings
            if "{" in settings.called_element or "{" in (settings.version or ""):
                continue
            target = CallTarget(
                settings.called_element,
                settings.binding,
                int(settings.version) if settings.binding == "version" and settings.version else None,
                settings.version_tag if settings.binding == "versionTag" else None,
            )
            if not _target_exists(session, bundle, target):
                message = f"the called process '{target.label}' is neither in this deployment nor deployed"
                problems.append(DefinitionProblem(message, call.resource_name, call.element_id))
    return problems


def _target_exists(session: Session, bundle: Bundle, target: CallTarget) -> bool:
    here = bundle.processes.get(target.key)
    latest = repo.latest(session, "process", target.key)
    if target.binding == "deployment":
        return here is not None
    if target.binding == "version":
        next_version = (latest.version + 1) if latest else 1
        exists = repo.by_key_version(session, "process", target.key, target.version or 0) is not None
        return exists or (here is not None and target.version == next_version)
    if target.binding == "versionTag":
        tagged = here is not None and here.version_tag == target.version_tag
        return tagged or bool(repo.with_version_tag(session, "process", target.key, target.version_tag or ""))
    return here is not None or latest is not None


def called_process(
    session: Session,
    target: CallTarget,
    *,
    caller_deployment_id: str | None = None,
    municipality: str | None = None,
) -> Definition:
    """The one lookup of the process definition a key names: for a call activity reached now (by
    its binding) and for a start by key (the latest version).

    `municipality` is the case's; definitions are shared by all municipalities today (issue 16 will
    prefer a municipality's own latest version here). Raises `NotFoundError` naming what was asked
    for, or `ProcessError` when a version tag names more than one version (as Camunda does)."""
    del municipality  # every definition is shared until definitions are scoped per municipality
    row: Definition | None
    if target.binding == "deployment":
        row = repo.in_deployment(session, "process", target.key, caller_deployment_id or "")
    elif target.binding == "version":
        row = repo.by_key_version(session, "process", target.key, target.version or 0)
    elif target.binding == "versionTag":
        tagged = repo.with_version_tag(session, "process", target.key, target.version_tag or "")
        if len(tagged) > 1:
            raise ProcessError(
                f"there are {len(tagged)} versions of process '{target.key}' "
                f"with versionTag '{target.version_tag}'"
            )
        row = tagged[0] if tagged else None
    else:
        row = repo.latest(session, "process", target.key)
    if row is None:
        raise NotFoundError("process definition", target.label)
    return row


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


def _forms(resources: Sequence[Resource]) -> tuple[dict[str, str], list[DefinitionProblem]]:
    """The Camunda Forms of a deployment (`.form` files): form id by file name, and the problems."""
    forms: dict[str, str] = {}
    problems = []
    for resource in resources:
        if not resource.name.lower().endswith(".form"):
            continue
        try:
            forms[resource.name] = camunda_forms.form_id(resource.content, resource.name)
        except camunda_forms.FormSchemaError as err:
            problems.append(DefinitionProblem(str(err), resource.name))
    duplicates = {i for i in forms.values() if list(forms.values()).count(i) > 1}
    problems += [
        DefinitionProblem(f"two forms of the deployment have the id '{i}'") for i in sorted(duplicates)
    ]
    return forms, problems


def _version(
    session: Session,
    bundle: Bundle,
    deployment: Deployment,
    rows: dict[str, ResourceRow],
    forms: dict[str, str],
) -> tuple[list[Definition], list[Definition]]:
    all_defs: list[Definition] = []
    new_defs: list[Definition] = []
    entries: list[tuple[str, str, str | None, str, str | None, list[ResourceRow]]] = [
        ("process", p.id, p.name, p.resource_name, p.version_tag, _process_rows(p, bundle, rows))
        for p in bundle.processes.values()
    ] + [
        ("decision", d.id, d.name, d.resource_name, None, [rows[d.resource_name]])
        for d in bundle.decisions.values()
    ]
    entries += [("form", key, None, name, None, [rows[name]]) for name, key in forms.items()]
    for kind, key, name, resource_name, tag, used in entries:
        own_hash = _hash("".join(r.content_hash for r in used).encode())
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


def _process_rows(
    process: CompiledProcess, bundle: Bundle, rows: dict[str, ResourceRow]
) -> list[ResourceRow]:
    """A process's content: its own file, then the DMN files of the decisions it reads."""
    dmn = sorted(
        {bundle.decision_resources[r] for r in process.decision_refs if r in bundle.decision_resources}
    )
    return [rows[process.resource_name], *(rows[name] for name in dmn)]


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
    if not definition_id:
        return called_process(session, CallTarget(key or ""))
    row = repo.get(session, definition_id)
    if row is None or row.kind != "process":
        raise NotFoundError("process definition", definition_id)
    return row


@dataclass(frozen=True)
class DeployedForm:
    """A form's file as deployed: its name and content."""

    name: str
    content: bytes

    @property
    def media_type(self) -> str:
        lowered = self.name.lower()
        if lowered.endswith((".form", ".json")):
            return "application/json"
        return "text/html" if lowered.endswith((".html", ".htm")) else "application/octet-stream"


def deployed_form(
    session: Session, definition: Definition, reference: camunda_forms.FormReference
) -> DeployedForm | None:
    """The form a task or start event of `definition` names: a `.form` by `camunda:formRef` and its
    binding, or a file of the definition's deployment by `camunda-forms:deployment:<file>` or
    `embedded:deployment:<file>` (Sagsflow reads `camunda-forms:app:<file>` from the deployment
    too: there is no process application to serve it). None when nothing deployed matches."""
    if reference.ref is not None:
        row = _form_definition(session, definition, reference)
        if row is None:
            return None
        resources = repo.resources_of(session, row)
        return DeployedForm(resources[0].name, resources[0].content) if resources else None
    name = reference.deployed_file or _embedded_file(reference.key)
    if name is None:
        return None
    resource = repo.resource_by_name(session, definition.deployment_id, name)
    return DeployedForm(resource.name, resource.content) if resource is not None else None


def _form_definition(
    session: Session, definition: Definition, reference: camunda_forms.FormReference
) -> Definition | None:
    key = reference.ref or ""
    if reference.binding == "deployment":
        return repo.in_deployment(session, "form", key, definition.deployment_id)
    if reference.binding == "version" and reference.version is not None:
        return repo.by_key_version(session, "form", key, reference.version)
    return repo.latest(session, "form", key)


def _embedded_file(key: str | None) -> str | None:
    prefix = "embedded:deployment:"
    return key[len(prefix) :] if key and key.startswith(prefix) else None


def started_by_message(session: Session, cache: DefinitionCache, message_name: str) -> list[Definition]:
    """The newest version of each process whose message start event is `message_name` (older
    versions are not started by messages, as in Camunda)."""
    rows, _ = repo.list_definitions(session, latest_only=True, limit=MAX_PROCESS_KEYS)
    return [row for row in rows if message_name in cache.start_messages(session, row.id)]


def validate_files(resources: Sequence[tuple[str, bytes]]) -> CompiledProcessList:
    """Compile resources without storing anything (for `sagsflow validate`)."""
    bundle = compile_resources([Resource(n, c) for n, c in resources])
    return list(bundle.processes.values())


CompiledProcessList = list[CompiledProcess]


def list_deployments(session: Session, *, offset: int, limit: int) -> tuple[list[DeploymentInfo], int]:
    """Deployments, newest first, with the definition versions each one created."""
    rows, total = repo.list_deployments(session, offset=offset, limit=limit)
    infos = []
    for row in rows:
        created = repo.definitions_of_deployment(session, row.id)
        names = [r.name for r in repo.resources_of_deployment(session, row.id)]
        infos.append(_deployment_info(row, created, created, names))
    return infos, total
