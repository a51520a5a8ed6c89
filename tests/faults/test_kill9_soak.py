"""kill -9 under load: clients complete tasks and timers fall due while the whole server (every
worker process) is SIGKILLed at random moments and restarted. Afterwards every acknowledged
completion is persisted, every due timer fired exactly once, and every case is whole.
Bounded: SOAK_SECONDS of load per database (longer, up to a minute more, until the server was
killed MIN_KILLS times), loopback only."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx
from sqlmodel import select

from engine.bootstrap import build_engine
from engine.clock import SystemClock
from engine.definitions import DeployRequest
from engine.service import Engine
from engine.store.tables import Event, Instance, Task, Timer

from support import bpmn
from support.actors import PROCESS_OWNER
from support.consistency import problems
from support.live import LiveServer, free_port
from support.settings import engine_settings

SOAK_SECONDS = 20
MIN_KILLS = 3
CLIENTS = 4
SERVER_ENV = {"SAGSFLOW_TICK_SECONDS": "0.2", "SAGSFLOW_TIMER_LEASE_SECONDS": "2"}


class Soak:
    def __init__(self, url: str, workers: int) -> None:
        self.url, self.workers, self.port = url, workers, free_port()
        self.acknowledged: set[str] = set()  # task ids whose completion was answered 200
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.kills = 0
        self.server = self._server().start()

    def _server(self) -> LiveServer:
        return LiveServer(self.url, workers=self.workers, port=self.port, env=SERVER_ENV)

    def killer(self) -> None:
        rng = random.Random(9)
        while not self.stop.wait(rng.uniform(1.0, 2.5)):
            self.server.kill()
            self.kills += 1
            self.server = self._server().start(timeout=60)

    def client(self, seed: int) -> None:
        rng = random.Random(seed)
        http = httpx.Client(
            base_url=f"http://127.0.0.1:{self.port}",
            headers={"Authorization": "Bearer live-token"},
            timeout=10,
        )
        while not self.stop.is_set():
            try:
                self._work(http, rng)
            except httpx.TransportError:  # the server is being killed: try again in a moment
                time.sleep(0.05)
        http.close()

    def _work(self, http: httpx.Client, rng: random.Random) -> None:
        due = datetime.now(UTC) + timedelta(seconds=rng.uniform(0.3, 2.0))
        started = http.post("/processes/soak/start", json={"variables": {"due": due.isoformat()}})
        open_tasks = started.json()["tasks"] if started.status_code == 201 else []
        listed = http.get("/tasks", params={"limit": 500})
        if listed.status_code == 200:
            open_tasks += [t for t in listed.json()["items"] if t["element_id"] == "second"]
        for task in open_tasks[:5]:
            done = http.post(f"/tasks/{task['id']}/complete", json={"variables": {}})
            if done.status_code == 200:
                with self.lock:
                    self.acknowledged.add(task["id"])

    def run(self) -> None:
        threads = [threading.Thread(target=self.client, args=(i,)) for i in range(CLIENTS)]
        threads.append(threading.Thread(target=self.killer))
        for thread in threads:
            thread.start()
        time.sleep(SOAK_SECONDS)
        # On a slow machine restarts take longer: go on (bounded) until the server died often enough.
        deadline = time.monotonic() + 60
        while self.kills < MIN_KILLS and time.monotonic() < deadline:
            time.sleep(0.2)
        self.stop.set()
        for thread in threads:
            thread.join(90)


def _engine(url: str) -> Engine:
    engine = build_engine(engine_settings(url), SystemClock(), migrate=False)
    engine.deploy(
        DeployRequest([("soak.bpmn", bpmn.task_timer_task_process("soak"))], name="soak"), actor=PROCESS_OWNER
    )
    return engine


def _pending(engine: Engine) -> int:
    """Timers not fired yet (every soak timer falls due within 2 s of its creation)."""
    with engine.store.read() as session:
        return len(session.exec(select(Timer).where(Timer.status == "pending")).all())


def test_kill_nine_under_load_loses_nothing_acknowledged_and_fires_each_timer_once(database_url: str) -> None:
    engine = _engine(database_url)
    soak = Soak(database_url, workers=1 if database_url.startswith("sqlite") else 2)
    try:
        soak.run()
        deadline = time.monotonic() + 60  # the surviving server catches up on every timer
        while _pending(engine) and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1)  # more ticks: nothing may fire twice
    finally:
        soak.server.kill()
    assert soak.kills >= MIN_KILLS and len(soak.acknowledged) >= 20, (soak.kills, len(soak.acknowledged))
    with engine.store.read() as session:
        completed = set(session.exec(select(Task.id).where(Task.state == "completed")).all())
        completions = Counter(session.exec(select(Event.task_id).where(Event.kind == "task_completed")).all())
        fired = Counter(session.exec(select(Event.task_id).where(Event.kind == "timer_fired")).all())
        fired_rows = Counter(session.exec(select(Timer.task_id).where(Timer.status == "fired")).all())
        cases = list(session.exec(select(Instance.id)).all())
    assert soak.acknowledged <= completed, "an acknowledged completion was lost"
    assert all(completions[t] == 1 for t in completed), "a task was completed twice"
    assert _pending(engine) == 0, "a due timer never fired"
    assert fired == fired_rows and set(fired.values()) <= {1}, "a timer fired twice"
    assert [(case, p) for case in cases for p in problems(engine, case)] == []
    print(f"{soak.kills} kills, {len(soak.acknowledged)} acknowledged, {sum(fired.values())} timers fired")  # noqa: T201
    engine.store.dispose()
