"""A real Sagsflow server (uvicorn in a subprocess) on a free loopback port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    def __init__(
        self,
        database_url: str,
        *,
        token: str = "live-token",
        workers: int = 1,
        env: dict[str, str] | None = None,
        port: int | None = None,
        access_log: bool = True,
    ) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = token
        self.env = {
            **os.environ,
            "SAGSFLOW_DATABASE_URL": database_url,
            "SAGSFLOW_DEV_MODE": "1",
            "SAGSFLOW_DEV_TOKEN": token,
            "SAGSFLOW_DEV_MUNICIPALITY": "0101",
            "SAGSFLOW_HOST": "127.0.0.1",
            "SAGSFLOW_PORT": str(self.port),
            "SAGSFLOW_DEPLOY_WORKFLOWS_ON_START": "0",
            "SAGSFLOW_TICK_SECONDS": "0.2",
            **(env or {}),
        }
        self.workers = workers
        self.access_log = access_log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30) -> LiveServer:
        self.spawn()
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.output()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("server did not start")

    def spawn(self) -> LiveServer:
        """Start the server process without waiting for it to answer (it may be meant to crash)."""
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "api.app:app_factory",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            "--log-level",
            "warning",
            *([] if self.access_log else ["--no-access-log"]),
        ]
        self.log = tempfile.NamedTemporaryFile(prefix="sagsflow-live-", suffix=".log", delete=False)  # noqa: SIM115
        self.process = subprocess.Popen(  # its own process group, so kill() reaches every worker
            command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        return self

    def wait_exit(self, timeout: float = 30) -> int:
        """The server's exit status, once it has exited by itself."""
        assert self.process is not None
        code = self.process.wait(timeout)
        self.log.close()
        return code

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {self.token}"}, timeout=30, **kwargs
        )  # type: ignore[arg-type]

    def kill(self) -> None:
        """kill -9 of the server and all its worker processes."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self.log.close()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.log.close()
