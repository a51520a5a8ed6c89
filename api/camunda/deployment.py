"""Deployments and process definitions: what Camunda Modeler's Deploy and Start buttons call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Response
from starlette.datastructures import UploadFile

from api.camunda.deps import FirstResult, MaxResults, base_url
from api.camunda.query import CamundaRouter
from api.camunda.schemas import (
    CountOut,
    DeploymentOut,
    DeploymentWithDefinitionsOut,
    FormOut,
    ProcessDefinitionOut,
    VersionOut,
)
from api.deps import DefinitionReader, Deployer, EngineDep
from api.routers.definitions import MAX_FILE_BYTES
from engine.definitions import MAX_RESOURCES, DeployRequest
from engine.errors import TooLargeError
from engine.model import Actor, DefinitionFilter, DefinitionInfo, Page
from engine.service import Engine

router = CamundaRouter(tags=["camunda: deployment"])
CAMUNDA_VERSION = "7.23.0"
RESERVED_FIELDS = frozenset(
    {
        "deployment-name",
        "deployment-source",
        "deploy-changed-only",
        "enable-duplicate-filtering",
        "tenant-id",
        "deployment-activation-time",
    }
)


@router.post("/deployment/create", response_model=DeploymentWithDefinitionsOut)
async def create_deployment(
    request: Request, engine: EngineDep, actor: Deployer
) -> DeploymentWithDefinitionsOut:
    """Multipart as Camunda Modeler and camunda-deploy send it: any part with a filename is a resource."""
    fields, resources = await _parts(request)
    if not resources:
        raise HTTPException(400, "No deployment resources contained in the form upload.")
    deployment = engine.deploy(
        DeployRequest(
            resources=resources,
            name=fields.get("deployment-name") or resources[0][0],
            source=fields.get("deployment-source") or None,
            tenant_id=fields.get("tenant-id") or None,
            duplicate_filtering=_flag(fields, "enable-duplicate-filtering")
            or _flag(fields, "deploy-changed-only"),
        ),
        actor=actor,
    )
    return DeploymentWithDefinitionsOut.created(deployment, base_url(request))


async def _parts(request: Request) -> tuple[dict[str, str], list[tuple[str, bytes]]]:
    """The reserved text fields and the resources (name, content); the upload files are closed."""
    fields: dict[str, str] = {}
    resources: list[tuple[str, bytes]] = []
    async with request.form(max_files=MAX_RESOURCES, max_fields=len(RESERVED_FIELDS) + MAX_RESOURCES) as form:
        for part, item in form.multi_items():
            if isinstance(item, UploadFile) and item.filename:
                resources.append((item.filename, await _read(item)))
            elif part in RESERVED_FIELDS and isinstance(item, str):
                fields[part] = item
            else:
                raise HTTPException(
                    400,
                    f"No file name found in the deployment resource described by form parameter '{part}'.",
                )
    return fields, resources


async def _read(upload: UploadFile) -> bytes:
    content = await upload.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise TooLargeError(f"{upload.filename} is larger than {MAX_FILE_BYTES} bytes")
    return content


def _flag(fields: dict[str, str], name: str) -> bool:
    return fields.get(name, "").strip().lower() == "true"


@router.get("/deployment", response_model=list[DeploymentOut])
def list_deployments(
    request: Request,
    engine: EngineDep,
    actor: DefinitionReader,
    firstResult: FirstResult = 0,
    maxResults: MaxResults = 100,
) -> list[DeploymentOut]:
    """The Modeler's connection check (`?maxResults=0`); 401 without credentials when auth is on."""
    if maxResults == 0:
        return []
    page = engine.list_deployments(actor=actor, offset=firstResult, limit=maxResults)
    return [DeploymentOut.of(d, base_url(request)) for d in page.items]


@router.get("/deployment/count", response_model=CountOut)
def count_deployments(engine: EngineDep, actor: DefinitionReader) -> CountOut:
    return CountOut(count=engine.list_deployments(actor=actor, limit=1).total)


@dataclass(frozen=True)
class _DefinitionQuery:
    key: str | None
    latest_only: bool
    tenants: DefinitionFilter


def _definition_query(
    key: str | None = None,
    latestVersion: bool = False,
    tenantIdIn: str | None = None,
    withoutTenantId: bool = False,
    includeProcessDefinitionsWithoutTenantId: bool = False,
) -> _DefinitionQuery:
    """Tenants are municipalities: a caller sees its own and the shared (tenant-less) definitions."""
    tenants = DefinitionFilter(
        tenant_ids=tuple(t for t in tenantIdIn.split(",") if t) if tenantIdIn is not None else None,
        include_without_tenant=includeProcessDefinitionsWithoutTenantId,
        without_tenant=withoutTenantId,
    )
    return _DefinitionQuery(key, latestVersion, tenants)


DefinitionQuery = Annotated[_DefinitionQuery, Depends(_definition_query)]


def _definitions(
    engine: Engine, actor: Actor, q: _DefinitionQuery, offset: int, limit: int
) -> Page[DefinitionInfo]:
    return engine.list_definitions(
        actor=actor, key=q.key, latest_only=q.latest_only, offset=offset, limit=limit, where=q.tenants
    )


@router.get("/process-definition", response_model=list[ProcessDefinitionOut])
def list_process_definitions(
    engine: EngineDep,
    actor: DefinitionReader,
    q: DefinitionQuery,
    firstResult: FirstResult = 0,
    maxResults: MaxResults = 100,
) -> list[ProcessDefinitionOut]:
    return [ProcessDefinitionOut.of(d) for d in _definitions(engine, actor, q, firstResult, maxResults).items]


@router.get("/process-definition/count", response_model=CountOut)
def count_process_definitions(engine: EngineDep, actor: DefinitionReader, q: DefinitionQuery) -> CountOut:
    return CountOut(count=_definitions(engine, actor, q, 0, 1).total)


@router.get("/process-definition/key/{key}", response_model=ProcessDefinitionOut)
def definition_by_key(engine: EngineDep, actor: DefinitionReader, key: str) -> ProcessDefinitionOut:
    return ProcessDefinitionOut.of(engine.latest_definition(key, actor=actor))


@router.get("/process-definition/key/{key}/startForm", response_model=FormOut)
def start_form_by_key(engine: EngineDep, actor: DefinitionReader, key: str) -> FormOut:
    return FormOut.of(engine.start_form(actor=actor, key=key))


@router.get("/process-definition/key/{key}/deployed-start-form", response_class=Response)
def deployed_start_form_by_key(engine: EngineDep, actor: DefinitionReader, key: str) -> Response:
    form = engine.start_form_file(actor=actor, key=key)
    return Response(content=form.content, media_type=form.media_type)


@router.get("/process-definition/{definition_id}/startForm", response_model=FormOut)
def start_form(engine: EngineDep, actor: DefinitionReader, definition_id: str) -> FormOut:
    """The start event's `formKey`, or its Camunda Form reference."""
    return FormOut.of(engine.start_form(actor=actor, definition_id=definition_id))


@router.get("/process-definition/{definition_id}/deployed-start-form", response_class=Response)
def deployed_start_form(engine: EngineDep, actor: DefinitionReader, definition_id: str) -> Response:
    """The deployed start form file (a Camunda Form's JSON)."""
    form = engine.start_form_file(actor=actor, definition_id=definition_id)
    return Response(content=form.content, media_type=form.media_type)


@router.get("/process-definition/{definition_id}", response_model=ProcessDefinitionOut)
def definition_by_id(engine: EngineDep, actor: DefinitionReader, definition_id: str) -> ProcessDefinitionOut:
    return ProcessDefinitionOut.of(engine.get_definition(definition_id, actor=actor))


@router.get("/version", response_model=VersionOut)
def version(actor: DefinitionReader) -> VersionOut:
    """The Camunda REST API version this subset follows (the Modeler only uses it for telemetry)."""
    return VersionOut(version=CAMUNDA_VERSION)
