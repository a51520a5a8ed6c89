"""Deploying BPMN/DMN, finding the parsed spec of a definition version, and binding the process
a call activity calls and the decision a business rule task evaluates.

A deployment is refused as a whole if any resource has a problem; nothing is stored then. Any
subset of files can be deployed: each executable process gets a new version only when its own
file differs from the newest version, each DMN decision when its own DMN file differs; identical
content reuses that version. Neither called processes nor decisions are part of the caller's
version: a call activity binds its target when a token reaches it (`called_process`), a business
rule task its decision (`StoredDecisions`), both through `bound_definition` (latest, deployment,
version, versionTag), so a deployment of one changed file reaches new cases. Running instances
stay on the versions they started and entered.

Definitions belong to a municipality or are shared (`deployment_scope` says which). A case of a
municipality binds a key to its municipality's own versions first and to the shared ones only
when its municipality has none that fit (`bound_definition`, as Camunda 7 looks up a tenant's
definitions before the ones without a tenant); versions count per key and scope. A municipality
never sees another's definitions: they answer as ids that exist nowhere.
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
from functools import cached_property
from typing import Any

from sqlmodel import Session

from engine import camunda_forms, start_schedule
from engine.bpmn.calls import CallTarget
from engine.bpmn.decision_task import BusinessRuleTask, DecisionNotFoundError, DecisionRef
from engine.bpmn.dmn.model import DecisionModel
from engine.bpmn.inspect import element_names
from engine.bpmn.parser import (
    Bundle,
    CompiledProcess,
    Resource,
    compile_decisions,
    compile_resources,
)
from engine.bpmn.starts import start_messages
from engine.bpmn.world import (
    Diagram,
    diagram_of,
)
from engine.bpmn.xml import parse_xml
from engine.contract import ContractSettings
from engine.errors import DefinitionProblem, InvalidDefinitionError, NotFoundError, ProcessError
from engine.model import Actor, DefinitionInfo, DeploymentInfo, Role
from engine.store import definitions as repo
from engine.store import start_timers as start_timer_repo
from engine.store.tables import SHARED, Definition, Deployment
from engine.store.tables import Resource as ResourceRow
from engine.validation import check_deployment

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

    @cached_property
    def element_names(self) -> dict[str, str]:
        """Each element's label in the diagrams (id -> name), for people rather than ids."""
        return element_names([self.spec, *self.subprocess_specs.values()])


@dataclass(frozen=True)
class DeployRequest:
    resources: Sequence[tuple[str, bytes]]
    name: str
    source: str | None = None
    tenant_id: str | None = None
    duplicate_filtering: bool = False
    shared: bool = False  # the service's own deployment of workflows/ at start-up: shared content


class DefinitionCache:
    """Parsed specs and decisions by definition id. Definitions never change, so entries never go stale."""

    def __init__(self, capacity: int = 256) -> None:
        self._entries: OrderedDict[str, LoadedDefinition] = OrderedDict()
        self._decisions: OrderedDict[str, DecisionModel] = OrderedDict()
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
        self._keep(self._entries, definition_id, entry)
        return entry

    def decisions(self, session: Session, row: Definition) -> DecisionModel:
        """The parsed DMN file of a decision definition version."""
        with self._lock:
            model = self._decisions.get(row.id)
            if model is not None:
                self._decisions.move_to_end(row.id)
                return model
        resources = repo.resources_of(session, row)
        own = next((r for r in resources if r.name == row.resource_name), None)
        if own is None:
            raise NotFoundError("decision definition resource", row.resource_name)
        model = compile_decisions(Resource(own.name, own.content, own.id))
        self._keep(self._decisions, row.id, model)
        return model

    def _keep(self, entries: OrderedDict[str, Any], key: str, value: Any) -> None:
        with self._lock:
            entries[key] = value
            while len(entries) > self._capacity:
                entries.popitem(last=False)


def _load(session: Session, definition_id: str) -> LoadedDefinition:
    row = repo.get(session, definition_id)
    if row is None or row.kind != "process":
        raise NotFoundError("process definition", definition_id)
    resources = [Resource(r.name, r.content, r.id) for r in repo.resources_of(session, row)]
    process = compile_resources(resources).processes[row.key]
    files = {r.name: r.content for r in resources if r.kind == "bpmn"}
    if row.calls_pass_all:
        pass_all_variables(process)
    if row.decision_results_merged:
        merge_decision_results(process)
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


def merge_decision_results(process: CompiledProcess) -> None:
    """A definition deployed before business rule tasks stored results only in
    camunda:resultVariable: its tasks without one merge the outputs into the case, as when its
    cases started (specs are parsed per load of a definition, so no other definition changes)."""
    for spec in [process.spec, *process.subprocess_specs.values()]:
        for task_spec in spec.task_specs.values():
            if isinstance(task_spec, BusinessRuleTask) and not task_spec.result_variable:
                task_spec.merge_result = True


def pass_all_variables(process: CompiledProcess) -> None:
    """A definition deployed before call activities bound their targets: its call activities keep
    passing every variable in and out, as when its cases started (specs are parsed per load of a
    definition, so this changes no other definition's specs)."""
    for call in process.calls:
        call.task_spec.pass_all = True


def deployment_scope(actor: Actor, request: DeployRequest, operator: str | None) -> str:
    """The municipality a deployment belongs to, or SHARED: the service's own deployment of
    workflows/ at start-up is shared, and so is a deployment without a tenant id by an `admin` of
    the operator municipality (`SAGSFLOW_OPERATOR_MUNICIPALITY`, which looks after the national
    content). Every other deployment belongs to the deployer's municipality; a tenant id is kept
    with it as given (the caller's municipality is its only tenant)."""
    if request.shared:
        return SHARED
    operates = operator is not None and actor.municipality == operator and actor.has(Role.ADMIN)
    return SHARED if operates and request.tenant_id is None else actor.municipality


def deploy(
    session: Session,
    request: DeployRequest,
    *,
    actor: Actor,
    now: datetime,
    contract: ContractSettings,
    operator: str | None = None,
) -> DeploymentInfo:
    """Validate and store a deployment; raise `InvalidDefinitionError` and store nothing on problems."""
    resources = _check_request(request)
    scope = deployment_scope(actor, request, operator)
    if request.duplicate_filtering:
        duplicate = _duplicate_of(session, request, resources, scope)
        if duplicate is not None:
            return duplicate
    forms, form_problems = _forms(resources)
    form_problems += _start_timer_problems(resources, scope, now)
    try:
        bundle, warnings = check_deployment(
            resources,
            deployed=lambda kind, key: _deployed_diagram(session, kind, key, scope),
            missing=lambda bundle: _missing_targets(session, bundle, scope),
            contract=contract,
        )
    except InvalidDefinitionError as err:
        raise InvalidDefinitionError([*err.problems, *form_problems]) from None
    if form_problems:
        raise InvalidDefinitionError(form_problems)
    deployment = Deployment(
        id=str(uuid.uuid4()),
        name=request.name,
        source=request.source,
        tenant_id=request.tenant_id,
        deployed_at=now,
        deployed_by=actor.user_id,
        municipality=scope,
    )
    session.add(deployment)
    rows = _store_resources(session, deployment.id, resources)
    definitions, new = _version(session, bundle, deployment, rows, forms)
    session.flush()
    repo.link_to_deployment(session, deployment.id, [d.id for d in definitions])
    _schedule_start_timers(session, new, rows, now)
    session.flush()
    _check_decision_uses(session, bundle, deployment.id, scope)
    info = _deployment_info(deployment, definitions, new, [r.name for r in resources])
    return replace(info, warnings=tuple(warnings))


def _start_timer_problems(
    resources: Sequence[Resource], scope: str, now: datetime
) -> list[DefinitionProblem]:
    found = []
    for resource in resources:
        if resource.kind == "bpmn":
            root = parse_xml(resource.content, resource.name).getroot()
            found += start_schedule.problems(root, resource.name, scope, now)
    return found


def _schedule_start_timers(
    session: Session, new: list[Definition], rows: dict[str, ResourceRow], now: datetime
) -> None:
    """A new process version replaces its key's start timers with its own (Camunda's timer start jobs)."""
    for definition in (d for d in new if d.kind == "process"):
        start_timer_repo.cancel_other_versions(
            session, definition.key, definition.municipality, definition.id, now
        )
        root = parse_xml(rows[definition.resource_name].content, definition.resource_name).getroot()
        start_timer_repo.add(
            session,
            start_schedule.new_rows(root, definition.id, definition.key, definition.municipality, now),
        )


def _deployed_diagram(session: Session, kind: str, key: str, scope: str) -> Diagram | None:
    """The diagram the deployment's cases run for `key` now (its scope's, else the shared one)."""
    row = bound_definition(session, kind, key, municipality=scope)
    if row is None:
        return None
    for resource in repo.resources_of(session, row):
        if resource.name == row.resource_name:
            return diagram_of(resource.name, resource.content, new=False)
    return None


def _check_decision_uses(session: Session, bundle: Bundle, deployment_id: str, scope: str) -> None:
    """Every business rule task's decision is found now, as it will be when the task runs (the
    check runs after this deployment's own decisions are stored, in the same transaction)."""
    problems = []
    for use in bundle.decision_uses:
        try:
            found = _bound_decision(session, use.ref, deployment_id, scope)
        except ProcessError as err:
            problems.append(DefinitionProblem(err.message, use.resource_name, use.element_id, use.line))
            continue
        if found is None:
            message = f"no {_describe(use.ref)} is deployed; deploy its DMN file first or with this diagram"
            problems.append(DefinitionProblem(message, use.resource_name, use.element_id, use.line))
    if problems:
        raise InvalidDefinitionError(problems)


def _check_request(request: DeployRequest) -> list[Resource]:
    if not request.resources:
        raise InvalidDefinitionError([DefinitionProblem("no deployment resources were uploaded")])
    if len(request.resources) > MAX_RESOURCES:
        raise InvalidDefinitionError([DefinitionProblem(f"more than {MAX_RESOURCES} resources")])
    names = [name for name, _ in request.resources]
    if len(set(names)) != len(names):
        raise InvalidDefinitionError([DefinitionProblem("two resources have the same file name")])
    return [Resource(name, content) for name, content in request.resources]


def _missing_targets(session: Session, bundle: Bundle, scope: str) -> list[DefinitionProblem]:
    """Call activities whose target is neither in this deployment nor deployed where the
    deployment's cases look (its municipality's and the shared definitions; a shared deployment:
    the shared ones). Camunda finds out when a case reaches the call activity; we refuse the
    deploy instead. Targets given as expressions are only known at run time."""
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
            if not _target_exists(session, bundle, target, scope):
                message = f"the called process '{target.label}' is neither in this deployment nor deployed"
                problems.append(DefinitionProblem(message, call.resource_name, call.element_id))
    return problems


def _target_exists(session: Session, bundle: Bundle, target: CallTarget, scope: str) -> bool:
    here = bundle.processes.get(target.key)
    if target.binding == "deployment":
        return here is not None
    if target.binding == "version":
        latest = repo.latest(session, "process", target.key, scope)
        next_version = (latest.version + 1) if latest else 1
        if here is not None and target.version == next_version:
            return True
    try:
        found = _bound_target(session, target, None, scope)
    except ProcessError:  # several versions with the tag: found, and ambiguous when reached
        return True
    tagged = target.binding == "versionTag" and here is not None and here.version_tag == target.version_tag
    return found is not None or tagged or (target.binding == "latest" and here is not None)


def bound_definition(
    session: Session,
    kind: str,
    key: str,
    *,
    binding: str = "latest",
    version: int | None = None,
    version_tag: str | None = None,
    deployment_id: str | None = None,
    municipality: str = SHARED,
) -> Definition | None:
    """The one binding of a reference to a version, as Camunda 7 binds call activities and
    business rule tasks when they are reached: `latest` (the newest version), `deployment` (the
    version the caller's deployment `deployment_id` holds), `version` (that number) or `versionTag`
    (the one version with that tag; `ProcessError` when several have it, as in Camunda). None
    when nothing fits.

    `municipality` is the case's (SHARED: only shared definitions). Its own versions are looked in
    first, the shared ones only when none of its own fits, as Camunda 7 prefers a tenant's
    definitions to those without a tenant. `deployment` needs no scope: a deployment has one."""
    if binding == "deployment":
        return repo.in_deployment(session, kind, key, deployment_id or "")
    for scope in repo.scopes_visible_to(municipality):
        found = _bound_in(
            session, kind, key, scope, binding=binding, version=version, version_tag=version_tag
        )
        if found is not None:
            return found
    return None


def _bound_in(
    session: Session,
    kind: str,
    key: str,
    scope: str,
    *,
    binding: str,
    version: int | None,
    version_tag: str | None,
) -> Definition | None:
    if binding == "version":
        return repo.by_key_version(session, kind, key, version or 0, scope)
    if binding == "versionTag":
        tagged = repo.with_version_tag(session, kind, key, version_tag or "", scope)
        if len(tagged) > 1:
            raise ProcessError(
                f"there are {len(tagged)} versions of {kind} '{key}' with versionTag '{version_tag}'"
            )
        return tagged[0] if tagged else None
    return repo.latest(session, kind, key, scope)


def called_process(
    session: Session,
    target: CallTarget,
    *,
    caller_deployment_id: str | None = None,
    municipality: str,
) -> Definition:
    """The process definition a call activity reached now calls (by its binding), or a start by key
    names (the latest version), for a case of `municipality`. Raises `NotFoundError` naming what
    was asked for."""
    row = _bound_target(session, target, caller_deployment_id, municipality)
    if row is None:
        raise NotFoundError("process definition", target.label)
    return row


def _bound_target(
    session: Session, target: CallTarget, caller_deployment_id: str | None, municipality: str
) -> Definition | None:
    return bound_definition(
        session,
        "process",
        target.key,
        binding=target.binding,
        version=target.version,
        version_tag=target.version_tag,
        deployment_id=caller_deployment_id,
        municipality=municipality,
    )


def _bound_decision(
    session: Session, ref: DecisionRef, deployment_id: str, municipality: str
) -> Definition | None:
    return bound_definition(
        session,
        "decision",
        ref.key,
        binding=ref.binding,
        version=ref.version,
        version_tag=ref.version_tag,
        deployment_id=deployment_id,
        municipality=municipality,
    )


def _describe(ref: DecisionRef) -> str:
    detail = {
        "deployment": " deployed with this process",
        "version": f" version {ref.version}",
        "versionTag": f" with version tag '{ref.version_tag}'",
    }.get(ref.binding, "")
    return f"decision '{ref.key}'{detail}"


def decision_model(
    session: Session,
    cache: DefinitionCache,
    ref: DecisionRef,
    *,
    caller_deployment_id: str,
    municipality: str,
) -> DecisionModel:
    """The parsed DMN file of the decision a business rule task reached now evaluates (by its
    binding; `deployment` is the caller's deployment). Raises `DecisionNotFoundError`."""
    try:
        row = _bound_decision(session, ref, caller_deployment_id, municipality)
    except ProcessError as err:
        raise DecisionNotFoundError(err.message) from None
    if row is None:
        raise DecisionNotFoundError(f"no {_describe(ref)} is deployed")
    return cache.decisions(session, row)


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
            identifier = camunda_forms.form_id(resource.content, resource.name)
        except camunda_forms.FormSchemaError as err:
            problems.append(DefinitionProblem(str(err), resource.name))
            continue
        if identifier is not None:
            forms[resource.name] = identifier
    duplicates = {i for i in forms.values() if list(forms.values()).count(i) > 1}
    problems += [
        DefinitionProblem(f"the deployment contains forms with the same key '{i}' (id attribute)")
        for i in sorted(duplicates)
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
        ("process", p.id, p.name, p.resource_name, p.version_tag, [rows[p.resource_name]])
        for p in bundle.processes.values()
    ] + [
        ("decision", d.id, d.name, d.resource_name, d.version_tag, [rows[d.resource_name]])
        for d in bundle.decisions.values()
    ]
    entries += [("form", key, None, name, None, [rows[name]]) for name, key in forms.items()]
    for kind, key, name, resource_name, tag, used in entries:
        own_hash = _hash("".join(r.content_hash for r in used).encode())
        current = repo.latest(session, kind, key, deployment.municipality)
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
            municipality=deployment.municipality,
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
    session: Session, request: DeployRequest, resources: list[Resource], scope: str
) -> DeploymentInfo | None:
    previous = repo.find_duplicate_deployment(session, request.name, request.source, request.tenant_id, scope)
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
        municipality=row.municipality or None,
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
        municipality=deployment.municipality or None,
    )


def visible(row: Definition | None, municipality: str) -> bool:
    """Whether a municipality may see (and run) a definition version: its own or a shared one."""
    return row is not None and row.municipality in repo.scopes_visible_to(municipality)


def visible_definition(session: Session, definition_id: str, municipality: str, kind: str) -> Definition:
    """A definition version of `kind` by id; another municipality's is "not found", exactly like
    an id that exists nowhere."""
    row = repo.get(session, definition_id)
    if row is None or row.kind != kind or not visible(row, municipality):
        raise NotFoundError(f"{kind} definition", definition_id)
    return row


def resolve(
    session: Session, municipality: str, *, definition_id: str | None = None, key: str | None = None
) -> Definition:
    """A process definition by id, or the version of a key a case of `municipality` starts on
    (its own newest, else the newest shared one)."""
    if not definition_id:
        return called_process(session, CallTarget(key or ""), municipality=municipality)
    return visible_definition(session, definition_id, municipality, "process")


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
    binding (looked up in the definition's scope: its municipality's or the shared one), or a file
    of the definition's deployment by `camunda-forms:deployment:<file>` or
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
        return repo.by_key_version(session, "form", key, reference.version, definition.municipality)
    return repo.latest(session, "form", key, definition.municipality)


def _embedded_file(key: str | None) -> str | None:
    prefix = "embedded:deployment:"
    return key[len(prefix) :] if key and key.startswith(prefix) else None


def by_reference(session: Session, reference: str, municipality: str) -> Definition:
    """A process definition by id, or by `key:version` as a municipality's cases see it."""
    key, _, version = reference.partition(":")
    if version.isdigit():
        row = bound_definition(
            session, "process", key, binding="version", version=int(version), municipality=municipality
        )
        if row is None:
            raise NotFoundError("process definition", reference)
        return row
    return visible_definition(session, reference, municipality, "process")


def started_by_message(
    session: Session, cache: DefinitionCache, message_name: str, municipality: str
) -> list[Definition]:
    """The version each process key whose message start event is `message_name` starts on in
    `municipality` (older versions are not started by messages, as in Camunda)."""
    rows, _ = repo.list_definitions(
        session, latest_only=True, limit=MAX_PROCESS_KEYS, visible_to=municipality
    )
    starting = {}
    for row in rows:  # its own newest version first, then the shared newest
        if row.key not in starting:
            starting[row.key] = row
    return [row for row in starting.values() if message_name in cache.start_messages(session, row.id)]


def list_deployments(
    session: Session, *, municipality: str, offset: int, limit: int
) -> tuple[list[DeploymentInfo], int]:
    """A municipality's deployments and the shared ones, newest first, with the definition
    versions each one created."""
    rows, total = repo.list_deployments(session, visible_to=municipality, offset=offset, limit=limit)
    infos = []
    for row in rows:
        created = repo.definitions_of_deployment(session, row.id)
        names = [r.name for r in repo.resources_of_deployment(session, row.id)]
        infos.append(_deployment_info(row, created, created, names))
    return infos, total
