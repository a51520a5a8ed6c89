"""Durable steps: complete a task, commit the next wait state.

- in-process: `Engine.complete_task` called directly (no HTTP), one at a time;
- REST latency: one client completing tasks one after another over a keep-alive connection;
- REST throughput: `clients` concurrent clients, each driving its own cases, for a fixed time.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from benchmarks.diagrams import PROCESS_KEY, VARIABLES, linear_process
from benchmarks.http import Connection
from benchmarks.servers import TOKEN, Sagsflow, cpu_seconds, machine_jiffies
from engine.bootstrap import build_engine
from engine.clock import SystemClock
from engine.config import EngineSettings
from engine.definitions import DeployRequest
from engine.model import Actor, Role

ADMIN = Actor("bench", "0101", frozenset({Role.ADMIN}), frozenset({"team-a"}))


def in_process(database_url: str, instances: int, **overrides: Any) -> list[float]:
    """`overrides`: engine settings, e.g. `sqlite_synchronous="NORMAL"`."""
    settings = EngineSettings(
        database_url=database_url, run_scheduler=False, deploy_workflows_on_start=False, **overrides
    )
    engine = build_engine(settings, SystemClock())
    engine.deploy(DeployRequest([("bench.bpmn", linear_process())], name="bench"), actor=ADMIN)
    samples: list[float] = []
    try:
        for i in range(instances):
            case = engine.start_instance(actor=ADMIN, key=PROCESS_KEY, business_key=f"in-{i}")
            while case.tasks:
                started = time.perf_counter()
                case = engine.complete_task(case.tasks[0].id, dict(VARIABLES), actor=ADMIN)
                samples.append(time.perf_counter() - started)
    finally:
        engine.store.dispose()
    return samples


def deploy_over_http(server: Sagsflow) -> None:
    import httpx  # noqa: PLC0415 - only the setup uses a full client

    response = httpx.post(
        f"http://127.0.0.1:{server.port}/definitions",
        headers={"Authorization": f"Bearer {TOKEN}"},
        files={"files": ("bench.bpmn", linear_process(), "application/xml")},
        timeout=60,
    )
    response.raise_for_status()


def _start(connection: Connection, key: str) -> str | None:
    status, case = connection.request("POST", f"/processes/{PROCESS_KEY}/start", {"business_key": key})
    if status != 201:
        raise RuntimeError(f"start answered {status}: {case}")
    return _next_task(case)


def _next_task(case: dict[str, object]) -> str | None:
    tasks = case.get("tasks") or []
    assert isinstance(tasks, list)
    return str(tasks[0]["id"]) if tasks else None


def _complete(connection: Connection, task_id: str) -> str | None:
    status, case = connection.request("POST", f"/tasks/{task_id}/complete", {"variables": VARIABLES})
    if status != 200:
        raise RuntimeError(f"complete answered {status}: {case}")
    return _next_task(case)


def rest_latency(server: Sagsflow, instances: int) -> list[float]:
    connection = Connection("127.0.0.1", server.port, TOKEN)
    samples: list[float] = []
    try:
        for i in range(instances):
            task = _start(connection, f"lat-{i}")
            while task:
                started = time.perf_counter()
                task = _complete(connection, task)
                samples.append(time.perf_counter() - started)
    finally:
        connection.close()
    return samples


@dataclass(frozen=True)
class Throughput:
    steps: int
    seconds: float
    errors: int
    server_cpu_seconds: float
    client_cpu_seconds: float  # the load generator (this process)
    machine_busy: float  # share of all cores busy during the run, 0..1

    @property
    def per_second(self) -> float:
        return self.steps / self.seconds

    @property
    def cpu_ms_per_step(self) -> float:
        return self.server_cpu_seconds / max(1, self.steps) * 1000

    @property
    def client_cpu_ms_per_step(self) -> float:
        return self.client_cpu_seconds / max(1, self.steps) * 1000


def rest_throughput(server: Sagsflow, clients: int, seconds: float, tag: str, cases: int = 120) -> Throughput:
    """`clients` threads, each completing the tasks of its own `cases` (started before the clock
    starts) in turn, as fast as the answers come; a client that finishes them starts more."""
    counts = [0] * clients
    errors = [0] * clients
    ready = threading.Barrier(clients + 1)
    window: list[float] = []

    def client(index: int) -> None:
        connection = Connection("127.0.0.1", server.port, TOKEN)
        serial = iter(range(10**9))
        open_tasks = [_start(connection, f"{tag}-{index}-{next(serial)}") for _ in range(cases)]
        connection.close()
        ready.wait()
        connection = Connection("127.0.0.1", server.port, TOKEN)  # idle ones were closed meanwhile
        while time.perf_counter() < window[0]:
            task = open_tasks.pop(0) if open_tasks else _start(connection, f"{tag}-{index}-{next(serial)}")
            try:
                following = _complete(connection, task) if task else None
                counts[index] += 1
            except (RuntimeError, ConnectionError):
                errors[index] += 1
                following = None
                connection = Connection("127.0.0.1", server.port, TOKEN)
            if following:
                open_tasks.append(following)
        connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    window.append(float("inf"))
    for thread in threads:
        thread.start()
    ready.wait()
    cpu, client_cpu, (busy, total) = cpu_seconds(server.worker_pids()), time.process_time(), machine_jiffies()
    began = time.perf_counter()
    window[0] = began + seconds
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    busy_after, total_after = machine_jiffies()
    return Throughput(
        sum(counts),
        elapsed,
        sum(errors),
        server_cpu_seconds=cpu_seconds(server.worker_pids()) - cpu,
        client_cpu_seconds=time.process_time() - client_cpu,
        machine_busy=(busy_after - busy) / max(1, total_after - total),
    )
