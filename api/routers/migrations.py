"""Migrating running cases to another version of their process: plan, validate, execute."""

from __future__ import annotations

from api.deps import EngineDep, Migrator
from api.routing import Router
from api.schemas.migrations import MigrationIn, PlanIn, PlanRequestIn, ReportOut
from engine.model import MigrationReport

router = Router(tags=["migrations"])


@router.post("/migrations/plan", response_model=PlanIn)
def generate_plan(body: PlanRequestIn, engine: EngineDep, actor: Migrator) -> PlanIn:
    """A plan that maps every activity the two versions of one process have in common (same id,
    same kind); edit it for the rest."""
    plan = engine.generate_migration(
        body.source_definition_id,
        body.target_definition_id,
        actor=actor,
        update_event_triggers=body.update_event_triggers,
    )
    return PlanIn.of(plan)


@router.post("/migrations/validate", response_model=ReportOut)
def validate(body: MigrationIn, engine: EngineDep, actor: Migrator) -> ReportOut:
    """What the plan can never apply, and per selected process instance whether it can be
    migrated and, if not, why. Changes nothing (each case read is access-logged)."""
    plan = body.plan.to_plan()
    failures = engine.check_migration_plan(plan, actor=actor)
    if failures:
        return ReportOut.of(MigrationReport(()), failures)
    return ReportOut.of(engine.migrate(plan, body.selection.to_selection(), actor=actor, dry_run=True))


@router.post("/migrations/execute", response_model=ReportOut)
def execute(body: MigrationIn, engine: EngineDep, actor: Migrator) -> ReportOut:
    """Migrate the selected process instances, case by case, each case in its own transaction; a
    case that cannot be migrated is left as it was and reported with its reasons. A re-run
    reports the cases already migrated and changes nothing."""
    report = engine.migrate(body.plan.to_plan(), body.selection.to_selection(), actor=actor)
    return ReportOut.of(report)
