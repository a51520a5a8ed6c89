"""`sagsflow migrate`: move running cases to another version of their process from the command
line, on the service's database (SAGSFLOW_DATABASE_URL), as an admin of one municipality.

    sagsflow migrate --from boernesag:3 --to boernesag:4 --municipality 0101 --dry-run

The plan is the generated one (identical activity ids) plus `--map source=target` instructions,
or a plan file (`--plan`, the JSON that POST /migrations/plan answers). Each case migrates in its
own transaction; a progress line follows every batch, and the summary gives cases per second.
Exit status: 0 when nothing was refused, 1 when some case was, 2 when the plan cannot apply.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections import Counter

from api.schemas.migrations import PlanIn
from engine.bootstrap import build_engine
from engine.errors import EngineError, MigrationPlanError
from engine.model import (
    Actor,
    InstanceMigration,
    MigrationInstruction,
    MigrationPlan,
    MigrationReport,
    MigrationSelection,
    Role,
)
from engine.service import Engine


def run_migration(args: argparse.Namespace) -> int:
    engine = build_engine()
    actor = Actor(
        f"cli:{getpass.getuser()}", args.municipality, frozenset({Role.ADMIN}), route="sagsflow migrate"
    )
    try:
        plan = _plan(engine, args, actor)
        selection = MigrationSelection(process_instance_ids=tuple(args.case) if args.case else None)
        report = engine.migrate(
            plan,
            selection,
            actor=actor,
            dry_run=args.dry_run,
            batch_size=max(1, args.batch_size),
            progress=lambda done: print(f"… {done} case(s)", flush=True),  # noqa: T201
        )
    except MigrationPlanError as err:
        print(f"error: {err.message}", file=sys.stderr)  # noqa: T201
        for failure in err.failures:
            print(f"  {failure.source} -> {failure.target}: {'; '.join(failure.failures)}", file=sys.stderr)  # noqa: T201
        return 2
    except EngineError as err:
        print(f"error: {err.message}", file=sys.stderr)  # noqa: T201
        return 2
    finally:
        engine.store.dispose()
    _print(report, dry_run=args.dry_run)
    return 1 if report.count("refused") else 0


def _plan(engine: Engine, args: argparse.Namespace, actor: Actor) -> MigrationPlan:
    if args.plan is not None:
        return PlanIn.model_validate(json.loads(args.plan.read_text())).to_plan()
    source = engine.definition_version(args.source, actor=actor).id
    target = engine.definition_version(args.target, actor=actor).id
    generated = engine.generate_migration(source, target, actor=actor)
    given = dict(pair.split("=", 1) for pair in args.map)
    again = set(args.update_event_trigger)
    instructions = {i.source: i.target for i in generated.instructions} | given
    print(f"plan {args.source} -> {args.target}: {len(instructions)} instruction(s), {len(given)} given")  # noqa: T201
    return MigrationPlan(
        source,
        target,
        tuple(MigrationInstruction(s, t, s in again) for s, t in instructions.items()),
    )


def _print(report: MigrationReport, *, dry_run: bool) -> None:
    for item in report.instances:
        if item.problems:
            print(f"{item.process_instance_id} {item.outcome}: {_reasons(item)}")  # noqa: T201
    counts = Counter(i.outcome for i in report.instances)
    cases = len({i.case_id for i in report.instances})
    rate = cases / report.seconds if report.seconds else 0.0
    summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())) or "nothing selected"
    verb = "dry run" if dry_run else "done"
    print(f"{verb}: {summary} ({cases} case(s) in {report.seconds:.1f} s, {rate:.1f} cases/s)")  # noqa: T201


def _reasons(item: InstanceMigration) -> str:
    return "; ".join(f"{p.element_id or '-'}: {p.message}" for p in item.problems)
