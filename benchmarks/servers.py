"""The parts a benchmark runs against: a throwaway PostgreSQL on loopback (the test suite's own)
and Sagsflow itself as real uvicorn processes."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from support.live import free_port  # type: ignore[import-not-found]  # noqa: E402
from support.postgres import PostgresServer  # type: ignore[import-not-found]  # noqa: E402

TOKEN = "bench-token"

__all__ = ["TOKEN", "PostgresServer", "Sagsflow", "free_port", "sqlite_url"]


def sqlite_url(directory: Path, name: str) -> str:
    return f"sqlite:///{directory / name}"


class Sagsflow:
    """`uvicorn api.app:app_factory` with `workers` processes, dev mode on 127.0.0.1."""

    def __init__(self, database_url: str, *, workers: int = 1, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.workers = workers
        self.prefix = (env or {}).pop("_PREFIX", "").split()
        self.env = {
            **os.environ,
            "SAGSFLOW_DATABASE_URL": database_url,
            "SAGSFLOW_DEV_MODE": "1",
            "SAGSFLOW_DEV_TOKEN": TOKEN,
            "SAGSFLOW_DEV_MUNICIPALITY": "0101",
            "SAGSFLOW_DEPLOY_WORKFLOWS_ON_START": "0",
            "SAGSFLOW_LOG_LEVEL": "warning",
            **(env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.log = tempfile.NamedTemporaryFile(prefix="sagsflow-bench-", suffix=".log", delete=False)  # noqa: SIM115

    def start(self, timeout: float = 60) -> Sagsflow:
        command = [
            *self.prefix, sys.executable, "-m", "uvicorn", "api.app:app_factory", "--factory",
            "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers),
            "--no-access-log", "--log-level", "warning",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(Path(self.log.name).read_text(errors="replace")[-3000:])
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=1).status_code == 200:
                    time.sleep(0.5 if self.workers > 1 else 0)  # let every worker finish starting
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("Sagsflow did not start")

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        found = [int(p) for p in children.read_text().split()] if children.exists() else []
        return found or [self.process.pid]

    def peak_rss_mb(self) -> float:
        """The largest peak resident set (VmHWM) of the server's worker processes."""
        peaks = []
        for pid in self.worker_pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        return max(peaks) if peaks else 0.0

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.log.close()
        os.unlink(self.log.name)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time consumed so far by `pids` (from /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / ticks
