"""`python -m benchmarks` (or `scripts/bench`): every benchmark, a table, the targets, and JSON.

    scripts/bench                         # everything (about 20 minutes on 2 cores)
    scripts/bench --quick                 # small sizes, a smoke run of the harness (about 2 minutes)
    scripts/bench --only rest,reports     # some parts: floor, steps, rest, timers, reports, decisions, long,
                                          # migration

Results are printed and written to benchmarks/results/<UTC time>.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import decisions, floor, long_case, migration, reports, steps, timers
from benchmarks.servers import PostgresServer, Sagsflow, sqlite_url
from benchmarks.stats import Summary, spread, summarise
from engine.store.database import Store

RESULTS = Path(__file__).resolve().parent / "results"
PARTS = ("floor", "steps", "rest", "timers", "reports", "decisions", "long", "migration")


@dataclass(frozen=True)
class Sizes:
    instances: int  # cases per step benchmark (7 steps each)
    window: float  # seconds per throughput run
    runs: int  # throughput runs per configuration
    waiting: int  # timers waiting in the timer benchmark
    measured: int  # timers whose lag is measured
    cases: int  # cases seeded for the reports
    repeats: int  # calls per report query
    life: long_case.Life  # the long case's follow-ups, visits and new underretninger
    migration: migration.Load  # cases migrated to a new version, and the traffic beside them


FULL = Sizes(
    instances=300,
    window=10,
    runs=3,
    waiting=100_000,
    measured=300,
    cases=100_000,
    repeats=10,
    life=long_case.FULL,
    migration=migration.FULL,
)
QUICK = Sizes(
    instances=30,
    window=3,
    runs=1,
    waiting=2_000,
    measured=30,
    cases=2_000,
    repeats=3,
    life=long_case.QUICK,
    migration=migration.QUICK,
)


class Bench:
    def __init__(self, sizes: Sizes, workdir: Path) -> None:
        self.sizes = sizes
        self.workdir = workdir
        self.results: dict[str, Any] = {}
        self._postgres: PostgresServer | None = None
        self._databases = 0

    # --- databases ----------------------------------------------------------------------------

    def database(self, kind: str) -> str:
        """A fresh, migrated database."""
        self._databases += 1
        if kind == "sqlite":
            url = sqlite_url(self.workdir, f"bench-{self._databases}.db")
        else:
            if self._postgres is None:
                self._postgres = PostgresServer(durable=True).start()
            name = f"bench_{self._databases}"
            self._postgres.execute(f"CREATE DATABASE {name}")
            url = self._postgres.sqlalchemy_url(name)
        store = Store(url)
        store.migrate()
        store.dispose()
        return url

    def close(self) -> None:
        if self._postgres is not None:
            self._postgres.stop()

    # --- parts --------------------------------------------------------------------------------

    def floor(self) -> None:
        n = self.sizes.instances
        self.results["floor"] = {
            "stock": summarise(floor.stock(n)).as_dict(),
            "state": summarise(floor.state(n)).as_dict(),
        }

    def decisions(self) -> None:
        self.results["decisions"] = {
            name: {what: summarise(samples).as_dict() for what, samples in parts.items()}
            for name, parts in decisions.measure(self.sizes.instances * 10).items()
        }

    def steps(self) -> None:
        """In-process durable steps; on SQLite also with synchronous=NORMAL, the cost of FULL."""
        runs = {
            "sqlite": ("sqlite", {}),
            "sqlite, synchronous=NORMAL": ("sqlite", {"sqlite_synchronous": "NORMAL"}),
            "postgresql": ("postgresql", {}),
        }
        self.results["in_process"] = {
            name: summarise(steps.in_process(self.database(kind), self.sizes.instances, **extra)).as_dict()
            for name, (kind, extra) in runs.items()
        }
        self.results["in_process_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def rest(self) -> None:
        configurations = [("sqlite", 1, 8), ("postgresql", 1, 8), ("postgresql", 4, 16)]
        self.results["rest"] = {}
        for kind, workers, clients in configurations:
            server = Sagsflow(self.database(kind), workers=workers, env={"SAGSFLOW_POOL_SIZE": "10"}).start()
            try:
                self.results["rest"][f"{kind}/{workers}"] = self._rest_run(server, workers, clients)
            finally:
                server.stop()

    def _rest_run(self, server: Sagsflow, workers: int, clients: int) -> dict[str, Any]:
        steps.deploy_over_http(server)
        steps.rest_latency(server, 10)  # warm-up
        latency = summarise(steps.rest_latency(server, self.sizes.instances))
        rates, cpu, client_cpu, busy = [], [], [], []
        for run in range(self.sizes.runs):
            result = steps.rest_throughput(server, clients, self.sizes.window, f"tp{run}")
            if result.errors:
                raise RuntimeError(f"{result.errors} failed steps during the throughput run")
            rates.append(result.per_second)
            cpu.append(result.cpu_ms_per_step)
            client_cpu.append(result.client_cpu_ms_per_step)
            busy.append(result.machine_busy)
        median, low, high = spread(rates)
        return {
            "workers": workers,
            "clients": clients,
            "latency": latency.as_dict(),
            "steps_per_second": {"median": median, "min": low, "max": high, "runs": rates},
            "server_cpu_ms_per_step": spread(cpu)[0],
            "client_cpu_ms_per_step": spread(client_cpu)[0],
            "machine_busy": spread(busy)[0],
            "peak_rss_mb": server.peak_rss_mb(),
        }

    def timers(self) -> None:
        self.results["timers"] = {}
        for kind in ("sqlite", "postgresql"):
            url = self.database(kind)
            timers.seed_waiting(url, self.sizes.waiting)
            lag = timers.measure_lag(url, self.sizes.measured, spread_seconds=20, lead_seconds=10)
            self.results["timers"][kind] = {
                "waiting": timers.pending_count(url),
                "lag": summarise(lag, scale=1, unit="s").as_dict(),
            }

    def reports(self) -> None:
        self.results["reports"] = {}
        for kind in ("sqlite", "postgresql"):
            url = self.database(kind)
            started = time.monotonic()
            seeded = reports.seed(url, self.sizes.cases)
            store = Store(url)
            store.analyze()  # as the service's hourly housekeeping does
            store.dispose()
            samples = reports.measure(url, seeded.now, self.sizes.repeats)
            self.results["reports"][kind] = {
                "cases": seeded.cases,
                "events": seeded.events,
                "seed_seconds": round(time.monotonic() - started, 1),
                "queries": {name: summarise(s).as_dict() for name, s in samples.items()},
            }

    def migration(self) -> None:
        self.results["migration"] = {
            kind: migration.run(self.database(kind), self.sizes.migration)
            for kind in ("sqlite", "postgresql")
        }

    def long(self) -> None:
        self.results["long_case"] = {
            kind: long_case.run(self.database(kind), self.sizes.life) for kind in ("sqlite", "postgresql")
        }


# --- targets and output ---------------------------------------------------------------------------


def targets(r: dict[str, Any]) -> list[tuple[str, float | None, str, bool | None]]:
    """(target, measured, limit, met) for every target of the benchmark issue that was measured."""
    found: list[tuple[str, float | None, str, bool | None]] = []

    def check(name: str, value: float | None, limit: str, ok: Callable[[float], bool]) -> None:
        found.append((name, value, limit, None if value is None else ok(value)))

    rest = r.get("rest", {})
    sqlite = rest.get("sqlite/1")
    if sqlite:
        check("REST step p50, SQLite (ms)", sqlite["latency"]["median"], "<= 3", lambda v: v <= 3)
        check("REST step p99, SQLite (ms)", sqlite["latency"]["p99"], "<= 15", lambda v: v <= 15)
        check("steps/s, 1 worker, SQLite", sqlite["steps_per_second"]["median"], ">= 400", lambda v: v >= 400)
    if "postgresql/1" in rest and "postgresql/4" in rest:
        ratio = (
            rest["postgresql/4"]["steps_per_second"]["median"]
            / rest["postgresql/1"]["steps_per_second"]["median"]
        )
        check("4 workers / 1 worker, PostgreSQL", ratio, ">= 1.6", lambda v: v >= 1.6)
    if sqlite and "floor" in r:
        ratio = sqlite["latency"]["median"] / r["floor"]["state"]["median"]
        check("REST step p50 / floor, SQLite", ratio, "<= 3", lambda v: v <= 3)
    for kind, t in r.get("timers", {}).items():
        check(
            f"timer lag max, {t['waiting']:,} waiting, {kind} (s)",
            t["lag"]["maximum"],
            "<= 2",
            lambda v: v <= 2,
        )
    for kind, rep in r.get("reports", {}).items():
        worst = max(q["median"] for q in rep["queries"].values())
        check(
            f"slowest report query median, {rep['cases']:,} cases, {kind} (ms)",
            worst,
            "<= 200",
            lambda v: v <= 200,
        )
    for kind, life in r.get("long_case", {}).items():
        check(
            f"long case: last / first follow-up step, {kind}",
            life["last_over_first"],
            "<= 1.5",
            lambda v: v <= 1.5,
        )
        check(
            f"long case: same, this process's CPU, {kind}",
            life["last_over_first_cpu"],
            "<= 1.5",
            lambda v: v <= 1.5,
        )
        check(
            f"long case: last step / fresh case's beside it, {kind}",
            life["end"]["over_control"],
            "<= 1.5",
            lambda v: v <= 1.5,
        )
        check(
            f"long case: end state / fresh placed case, {kind}",
            life["end_state_over_fresh"],
            "<= 2",
            lambda v: v <= 2,
        )
    return found


def _row(name: str, s: dict[str, Any], extra: str = "") -> str:
    return f"  {name:42s} {Summary(**s).short()}{extra}"


def _times_floor(r: dict[str, Any], s: dict[str, Any]) -> str:
    """How many floors (the spec-less SpiffWorkflow step of this run) a step's median is."""
    floor_ms = r.get("floor", {}).get("state", {}).get("median")
    return f"  = {s['median'] / floor_ms:.1f} x floor" if floor_ms else ""


def _steps_table(r: dict[str, Any]) -> list[str]:
    lines = []
    if "floor" in r:
        lines.append("SpiffWorkflow floor: load + complete + run + save, in memory")
        lines.append(_row("stock serializer (spec in every instance)", r["floor"]["stock"]))
        lines.append(_row("spec-less state (Sagsflow's form)", r["floor"]["state"]))
    if "in_process" in r:
        lines.append("Durable step in-process (Engine.complete_task, no HTTP)")
        lines += [_row(kind, s, _times_floor(r, s)) for kind, s in r["in_process"].items()]
    for name, run in r.get("rest", {}).items():
        tps = run["steps_per_second"]
        lines.append(f"REST step, {name} worker(s): latency with 1 client, throughput with {run['clients']}")
        lines.append(_row("latency", run["latency"], _times_floor(r, run["latency"])))
        lines.append(
            f"  {'steps/s':42s} {tps['median']:.0f} (min {tps['min']:.0f}, max {tps['max']:.0f}); "
            f"server CPU {run['server_cpu_ms_per_step']:.2f} ms/step; peak RSS {run['peak_rss_mb']:.0f} MB"
        )
        if "machine_busy" in run:
            lines.append(
                f"  {'':42s} load generator CPU {run['client_cpu_ms_per_step']:.2f} ms/step; "
                f"machine {run['machine_busy'] * 100:.0f} % busy ({_cpus()} cores)"
            )
    return lines


def _timers_and_reports_table(r: dict[str, Any]) -> list[str]:
    lines = []
    for kind, t in r.get("timers", {}).items():
        lines.append(f"Timer lag with {t['waiting']:,} timers waiting, {kind}")
        lines.append(_row("fired_at - due_at", t["lag"]))
    for kind, rep in r.get("reports", {}).items():
        lines.append(f"Reports over {rep['cases']:,} cases and {rep['events']:,} history entries, {kind}")
        lines += [_row(name, s) for name, s in rep["queries"].items()]
    for name, parts in r.get("decisions", {}).items():
        lines.append(f"DMN in memory: {name}")
        lines += [_row(what, s) for what, s in parts.items()]
    return lines


def table(r: dict[str, Any]) -> str:
    lines = _steps_table(r) + _timers_and_reports_table(r) + long_case.table(r.get("long_case", {}))
    lines += migration.table(r.get("migration", {}))
    found = targets(r)
    if found:
        lines.append("Targets")
        for name, value, limit, met in found:
            mark = "-" if met is None else ("met" if met else "MISSED")
            lines.append(f"  {name:62s} {value:10.2f}  {limit:>7s}  {mark}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run of the harness")
    parser.add_argument(
        "--only", default=",".join(PARTS), help=f"comma-separated parts of {', '.join(PARTS)}"
    )
    parser.add_argument("--out", type=Path, help="JSON file (default: benchmarks/results/<time>.json)")
    args = parser.parse_args(argv)
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    with tempfile.TemporaryDirectory(prefix="sagsflow-bench-") as workdir:
        bench = Bench(QUICK if args.quick else FULL, Path(workdir))
        try:
            for part in parts:
                print(f"… {part}", file=sys.stderr, flush=True)
                getattr(bench, part)()
        finally:
            bench.close()
    results = {
        "when": datetime.now(UTC).isoformat(),
        "machine": {"python": platform.python_version(), "cpus": _cpus(), "platform": platform.platform()},
        "sizes": {k: getattr(v, "__dict__", v) for k, v in (QUICK if args.quick else FULL).__dict__.items()},
        **bench.results,
    }
    floor_ms = results.get("floor", {}).get("state", {}).get("median")
    if floor_ms:  # every step figure also as a ratio to the floor of the same run
        steps_ = {f"in_process/{k}": v for k, v in results.get("in_process", {}).items()}
        steps_ |= {f"rest/{k}": v["latency"] for k, v in results.get("rest", {}).items()}
        results["times_floor"] = {k: round(v["median"] / floor_ms, 2) for k, v in steps_.items()}
    results["targets"] = [
        {"target": name, "measured": value, "limit": limit, "met": met}
        for name, value, limit, met in targets(results)
    ]
    out = args.out or RESULTS / f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(table(results))
    print(f"\nwritten to {out}")
    return 0


def _cpus() -> int:
    import os  # noqa: PLC0415

    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    raise SystemExit(main())
