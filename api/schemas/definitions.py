from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from engine.errors import DefinitionProblem
from engine.model import DefinitionInfo, DeploymentInfo


class DefinitionOut(BaseModel):
    id: str
    key: str
    version: int
    name: str | None
    version_tag: str | None
    resource_name: str
    deployment_id: str
    deployed_at: datetime
    municipality: str | None = Field(description="the municipality it belongs to; null: shared by all")

    @classmethod
    def of(cls, d: DefinitionInfo) -> DefinitionOut:
        return cls(
            id=d.id,
            key=d.key,
            version=d.version,
            name=d.name,
            version_tag=d.version_tag,
            resource_name=d.resource_name,
            deployment_id=d.deployment_id,
            deployed_at=d.deployed_at,
            municipality=d.municipality,
        )


class DeployWarningOut(BaseModel):
    """Something the deploy accepted but wants the process owner to know (a waived contract item,
    a duration counted from when its task opened)."""

    message: str
    resource: str | None
    element_id: str | None
    line: int | None
    item: str | None

    @classmethod
    def of(cls, p: DefinitionProblem) -> DeployWarningOut:
        return cls(message=p.message, resource=p.resource, element_id=p.element_id, line=p.line, item=p.item)


class DeploymentOut(BaseModel):
    id: str
    name: str
    source: str | None
    deployed_at: datetime
    duplicate: bool
    resources: list[str]
    definitions: list[DefinitionOut]
    new_definitions: list[DefinitionOut]
    warnings: list[DeployWarningOut]
    municipality: str | None = Field(description="the municipality it belongs to; null: shared by all")

    @classmethod
    def of(cls, d: DeploymentInfo) -> DeploymentOut:
        return cls(
            id=d.id,
            name=d.name,
            source=d.source,
            deployed_at=d.deployed_at,
            duplicate=d.duplicate,
            resources=list(d.resources),
            definitions=[DefinitionOut.of(x) for x in d.definitions],
            new_definitions=[DefinitionOut.of(x) for x in d.new_definitions],
            warnings=[DeployWarningOut.of(w) for w in d.warnings],
            municipality=d.municipality,
        )
