"""Deploying BPMN/DMN and reading deployed definitions."""

from __future__ import annotations

from typing import Annotated

from fastapi import File, Form, Query, UploadFile
from fastapi.responses import Response

from api.deps import DefinitionReader, Deployer, EngineDep
from api.routing import Router
from api.schemas.common import MAX_OFFSET, PageOut
from api.schemas.definitions import DefinitionOut, DeploymentOut
from engine.definitions import DeployRequest
from engine.errors import TooLargeError

router = Router(tags=["definitions"])
MAX_FILE_BYTES = 2_000_000


async def read_upload(upload: UploadFile, limit: int = MAX_FILE_BYTES) -> bytes:
    content = await upload.read(limit + 1)
    if len(content) > limit:
        raise TooLargeError(f"{upload.filename} is larger than {limit} bytes")
    return content


@router.post("/definitions", status_code=201, response_model=DeploymentOut)
async def deploy(
    engine: EngineDep,
    actor: Deployer,
    files: Annotated[list[UploadFile], File(description="BPMN (.bpmn) and DMN (.dmn) files")],
    name: Annotated[str | None, Form(max_length=200)] = None,
) -> DeploymentOut:
    """Deploy a new version of the processes in the uploaded files (identical content: no new version)."""
    resources = [(f.filename or "upload.bpmn", await read_upload(f)) for f in files]
    request = DeployRequest(resources=resources, name=name or resources[0][0], source="sagsflow-api")
    return DeploymentOut.of(engine.deploy(request, actor=actor))


@router.get("/definitions", response_model=PageOut[DefinitionOut])
def list_definitions(
    engine: EngineDep,
    actor: DefinitionReader,
    key: str | None = None,
    latest: bool = False,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> PageOut[DefinitionOut]:
    page = engine.list_definitions(actor=actor, key=key, latest_only=latest, offset=offset, limit=limit)
    return PageOut(
        items=[DefinitionOut.of(d) for d in page.items],
        total=page.total,
        offset=offset,
        limit=limit,
    )


@router.get("/definitions/{definition_id}", response_model=DefinitionOut)
def get_definition(engine: EngineDep, actor: DefinitionReader, definition_id: str) -> DefinitionOut:
    return DefinitionOut.of(engine.get_definition(definition_id, actor=actor))


@router.get("/definitions/{definition_id}/xml", response_class=Response)
def definition_xml(engine: EngineDep, actor: DefinitionReader, definition_id: str) -> Response:
    """The BPMN XML of a definition version (for diagram viewers)."""
    return Response(engine.definition_xml(definition_id, actor=actor), media_type="application/xml")
