"""Queries for deployments, resources and definition versions.

A definition version belongs to one municipality or is shared (`municipality` = SHARED); the
lookups by key take the one scope to look in (engine/definitions.py tries a municipality's own
scope before the shared one), and the lists take the municipality whose own and shared rows
they show."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from engine.model import DefinitionFilter
from engine.store.filters import equal_where_given
from engine.store.tables import SHARED, Definition, Deployment, DeploymentDefinition, Resource


def scopes_visible_to(municipality: str) -> tuple[str, ...]:
    """The scopes a municipality reads: its own and the shared one."""
    return tuple(dict.fromkeys((municipality, SHARED)))


def latest(session: Session, kind: str, key: str, municipality: str) -> Definition | None:
    """The newest version of `key` in one scope (a municipality's own, or SHARED)."""
    statement = (
        select(Definition)
        .where(Definition.kind == kind, Definition.key == key, Definition.municipality == municipality)
        .order_by(col(Definition.version).desc())
        .limit(1)
    )
    return session.exec(statement).first()


def get(session: Session, definition_id: str) -> Definition | None:
    return session.get(Definition, definition_id)


def by_key_version(
    session: Session, kind: str, key: str, version: int, municipality: str
) -> Definition | None:
    statement = select(Definition).where(
        Definition.kind == kind,
        Definition.key == key,
        Definition.version == version,
        Definition.municipality == municipality,
    )
    return session.exec(statement).first()


def in_deployment(session: Session, kind: str, key: str, deployment_id: str) -> Definition | None:
    """The version of `key` that a deployment holds (created by it, or reused unchanged)."""
    statement = (
        select(Definition)
        .join(DeploymentDefinition, col(DeploymentDefinition.definition_id) == col(Definition.id))
        .where(
            DeploymentDefinition.deployment_id == deployment_id,
            Definition.kind == kind,
            Definition.key == key,
        )
    )
    return session.exec(statement).first()


def with_version_tag(
    session: Session, kind: str, key: str, version_tag: str, municipality: str
) -> list[Definition]:
    statement = select(Definition).where(
        Definition.kind == kind,
        Definition.key == key,
        Definition.version_tag == version_tag,
        Definition.municipality == municipality,
    )
    return list(session.exec(statement).all())


def link_to_deployment(session: Session, deployment_id: str, definition_ids: Sequence[str]) -> None:
    for definition_id in dict.fromkeys(definition_ids):
        session.add(DeploymentDefinition(deployment_id=deployment_id, definition_id=definition_id))


def resources_of(session: Session, definition: Definition) -> list[Resource]:
    ids = json.loads(definition.resource_ids)
    rows = session.exec(select(Resource).where(col(Resource.id).in_(ids))).all()
    by_id = {r.id: r for r in rows}
    return [by_id[i] for i in ids if i in by_id]


def resource_by_name(session: Session, deployment_id: str, name: str) -> Resource | None:
    statement = select(Resource).where(Resource.deployment_id == deployment_id, Resource.name == name)
    return session.exec(statement).first()


def resources_of_deployment(session: Session, deployment_id: str) -> list[Resource]:
    statement = select(Resource).where(Resource.deployment_id == deployment_id).order_by(col(Resource.name))
    return list(session.exec(statement).all())


def list_definitions(
    session: Session,
    *,
    kind: str = "process",
    key: str | None = None,
    latest_only: bool = False,
    offset: int = 0,
    limit: int = 100,
    where: DefinitionFilter | None = None,
    visible_to: str,
) -> tuple[list[Definition], int]:
    """The versions `visible_to` (a municipality) reads: its own and the shared ones, by key, then
    newest first; `latest_only`: the newest of each key in each of the two scopes."""
    scopes = scopes_visible_to(visible_to)
    statement = select(Definition).where(Definition.kind == kind, col(Definition.municipality).in_(scopes))
    if key is not None:
        statement = statement.where(Definition.key == key)
    if where is not None:
        statement = _filtered(statement, where)
        latest_only = latest_only or where.latest_only
    if latest_only:
        newest = (
            select(Definition.key, Definition.municipality, func.max(Definition.version).label("v"))
            .where(Definition.kind == kind, col(Definition.municipality).in_(scopes))
            .group_by(Definition.key, Definition.municipality)
            .subquery()
        )
        statement = statement.join(
            newest,
            (col(Definition.key) == newest.c.key)
            & (col(Definition.municipality) == newest.c.municipality)
            & (col(Definition.version) == newest.c.v),
        )
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    rows = session.exec(
        statement.order_by(
            col(Definition.key), col(Definition.municipality).desc(), col(Definition.version).desc()
        )
        .offset(offset)
        .limit(limit)
    ).all()
    return list(rows), int(total)


def _filtered(statement: Any, f: DefinitionFilter) -> Any:
    exact = {
        Definition.key: f.key,
        Definition.name: f.name,
        Definition.id: f.definition_id,
        Definition.deployment_id: f.deployment_id,
        Definition.version: f.version,
        Definition.version_tag: f.version_tag,
        Definition.resource_name: f.resource_name,
    }
    statement = statement.where(*equal_where_given(exact))
    if f.key_like is not None:
        statement = statement.where(col(Definition.key).like(f.key_like))
    if f.tenant_ids is not None:
        tenants = col(Definition.municipality).in_(f.tenant_ids)
        statement = statement.where(
            or_(tenants, col(Definition.municipality) == SHARED) if f.include_without_tenant else tenants
        )
    if f.without_tenant:
        statement = statement.where(Definition.municipality == SHARED)
    return statement


def definitions_of_deployment(session: Session, deployment_id: str) -> list[Definition]:
    statement = select(Definition).where(Definition.deployment_id == deployment_id)
    return list(session.exec(statement).all())


def find_duplicate_deployment(
    session: Session, name: str, source: str | None, tenant_id: str | None, municipality: str
) -> Deployment | None:
    """The newest deployment with the same name, source and tenant in the same scope (Camunda's
    duplicate filter)."""
    statement = (
        select(Deployment)
        .where(
            Deployment.name == name,
            Deployment.source == source,
            Deployment.tenant_id == tenant_id,
            Deployment.municipality == municipality,
        )
        .order_by(col(Deployment.deployed_at).desc())
        .limit(1)
    )
    return session.exec(statement).first()


def list_deployments(
    session: Session, *, visible_to: str, offset: int = 0, limit: int = 100
) -> tuple[list[Deployment], int]:
    """The deployments of `visible_to` (a municipality) and the shared ones, newest first."""
    statement = select(Deployment).where(col(Deployment.municipality).in_(scopes_visible_to(visible_to)))
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    rows = session.exec(
        statement.order_by(col(Deployment.deployed_at).desc()).offset(offset).limit(limit)
    ).all()
    return list(rows), int(total)


def add_all(session: Session, rows: Sequence[object]) -> None:
    for row in rows:
        session.add(row)
