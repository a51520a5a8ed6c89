"""The `sagsflow` command: serve, validate diagrams, hash a service-account password."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="sagsflow", description="BPMN case engine for barnets lov")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", default=os.environ.get("SAGSFLOW_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("SAGSFLOW_PORT", "8080")))
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--dev", action="store_true", help="dev mode: loopback only, printed token")
    validate = commands.add_parser(
        "validate", help="check BPMN/DMN files offline, exactly as a deploy to a server would"
    )
    validate.add_argument("files", nargs="+", type=Path)
    validate.add_argument(
        "--deployed",
        type=Path,
        default=None,
        help="folder standing for what the server has deployed (default: SAGSFLOW_WORKFLOWS_DIR, "
        "the shipped workflows/); '-' for an empty server",
    )
    simulate = commands.add_parser("simulate", help="run a scenario through the diagrams on a fake clock")
    simulate.add_argument("scenario", type=Path, help="YAML or JSON scenario (see workflows/scenarios/)")
    simulate.add_argument(
        "--workflows", type=Path, default=Path("workflows"), help="folder with the diagrams"
    )
    commands.add_parser("hash-password", help="hash a Basic-auth service-account password")
    correct = commands.add_parser(
        "correct-deadlines",
        help="give deadlines stored before due dates had a last day their meaning (also run at start-up)",
    )
    correct.add_argument("--dry-run", action="store_true", help="show the corrections, change nothing")
    _migrate_parser(commands)
    args = parser.parse_args(argv)
    if args.command == "serve":
        _serve(args.host, args.port, args.workers, args.dev)
    elif args.command == "validate":
        sys.exit(_validate(args.files, args.deployed))
    elif args.command == "simulate":
        sys.exit(_simulate(args.scenario, args.workflows))
    elif args.command == "correct-deadlines":
        sys.exit(_correct_deadlines(args.dry_run))
    elif args.command == "migrate":
        from api.migrate_command import run_migration  # noqa: PLC0415

        sys.exit(run_migration(args))
    elif args.command == "hash-password":
        from api.auth import hash_password  # noqa: PLC0415

        print(hash_password(getpass.getpass("password: ")))  # noqa: T201


def _migrate_parser(commands: Any) -> None:
    migrate = commands.add_parser(
        "migrate", help="move running cases from one version of a process to another (issue 16)"
    )
    migrate.add_argument("--from", dest="source", required=True, help="key:version (e.g. boernesag:3) or id")
    migrate.add_argument("--to", dest="target", required=True, help="key:version or id")
    migrate.add_argument("--municipality", required=True, help="whose cases (and definitions)")
    migrate.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="SOURCE=TARGET",
        help="an instruction beside the generated ones",
    )
    migrate.add_argument(
        "--update-event-trigger",
        action="append",
        default=[],
        metavar="TIMER",
        help="compute this timer's due date again (otherwise pending due dates never move)",
    )
    migrate.add_argument("--plan", type=Path, help="a plan as JSON (POST /migrations/plan's answer) instead")
    migrate.add_argument("--case", action="append", default=[], help="only these process instances")
    migrate.add_argument("--dry-run", action="store_true", help="validate every case, change nothing")
    migrate.add_argument("--batch-size", type=int, default=100, help="cases between progress lines")


def _serve(host: str, port: int, workers: int, dev: bool) -> None:
    import uvicorn  # noqa: PLC0415

    os.environ["SAGSFLOW_HOST"] = host
    os.environ["SAGSFLOW_PORT"] = str(port)
    if dev:
        os.environ["SAGSFLOW_DEV_MODE"] = "1"
        os.environ.setdefault("SAGSFLOW_DEV_CLOCK", "1")
    problems = _startup_problems()
    if problems:
        for problem in problems:
            print(f"sagsflow: refusing to start: {problem}", file=sys.stderr)  # noqa: T201
        sys.exit(2)
    uvicorn.run(
        "api.app:app_factory",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=False,
    )


def _startup_problems() -> list[str]:
    from api.app import security_problems  # noqa: PLC0415
    from api.auth import Authenticator  # noqa: PLC0415
    from api.settings import ApiSettings  # noqa: PLC0415
    from api.signin.flows import SignIn  # noqa: PLC0415

    try:
        settings = ApiSettings()
        return security_problems(settings, Authenticator(settings), SignIn(settings))
    except (OSError, ValueError, KeyError) as err:
        return [f"the authentication settings cannot be read ({type(err).__name__}: {err})"]


def _validate(files: Sequence[Path], deployed: Path | None) -> int:
    from engine.config import EngineSettings  # noqa: PLC0415
    from engine.contract import ContractSettings  # noqa: PLC0415
    from engine.errors import InvalidDefinitionError  # noqa: PLC0415
    from engine.validation import validate_files  # noqa: PLC0415

    missing = [f for f in files if not f.is_file()]
    if missing:
        print(f"not found: {', '.join(map(str, missing))}", file=sys.stderr)  # noqa: T201
        return 2
    settings = EngineSettings()
    folder = settings.workflows_dir if deployed is None else deployed
    context = _folder_files(folder) if str(folder) != "-" else []
    against = f"the deployed diagrams in {folder}" if context else "an empty server"
    print(f"checked against {against}", flush=True)  # noqa: T201
    try:
        result = validate_files(
            [(f.name, f.read_bytes()) for f in files],
            deployed=context,
            contract=ContractSettings(settings.case_process_key, settings.groups),
        )
    except InvalidDefinitionError as err:
        for problem in err.problems:
            print(f"error: {problem.describe()}", file=sys.stderr)  # noqa: T201
        _warn(err.warnings)
        return 1
    _warn(result.warnings)
    for item in result.compiled:
        print(f"ok: {item.kind} '{item.id}' ({item.name or '-'}) in {item.resource_name}")  # noqa: T201
    return 0


def _folder_files(folder: Path) -> list[tuple[str, bytes]]:
    if not folder.is_dir():
        return []
    return [(p.name, p.read_bytes()) for p in sorted(folder.iterdir()) if p.suffix in (".bpmn", ".dmn")]


def _warn(warnings: Sequence[object]) -> None:
    for warning in warnings:
        describe = getattr(warning, "describe", None)
        print(f"warning: {describe() if describe else warning}", file=sys.stderr)  # noqa: T201


def _simulate(scenario: Path, workflows: Path) -> int:
    from engine.errors import EngineError  # noqa: PLC0415
    from engine.simulate import ScenarioError, run  # noqa: PLC0415

    try:
        failures = run(scenario, workflows)
    except (ScenarioError, EngineError) as err:
        print(f"error: {err}", file=sys.stderr)  # noqa: T201
        return 1
    return 1 if failures else 0


def _correct_deadlines(dry_run: bool) -> int:
    from engine.bootstrap import build_engine  # noqa: PLC0415

    engine = build_engine()
    try:
        corrected = engine.correct_legacy_deadlines(dry_run=dry_run)
    finally:
        engine.store.dispose()
    for case in corrected:
        for change in case.changes:
            print(f"{case.business_key or case.instance_id}: {_describe(change)}")  # noqa: T201
    verb = "would correct" if dry_run else "corrected"
    print(f"{verb} {len(corrected)} case(s)")  # noqa: T201
    return 0


def _describe(change: dict[str, object]) -> str:
    rule = change.get("deadline") or "due date"
    what = f"{change.get('element_id')} ({rule}), last day {change.get('due_date')}"
    if "due_at" in change:
        what += f": due {change.get('due_at_before')} -> {change['due_at']}"
    if "outcome" in change:
        what += f": {change.get('outcome_before')} -> {change['outcome']}"
    return what
