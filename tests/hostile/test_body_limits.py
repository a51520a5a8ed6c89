"""Request size limits: a declared Content-Length over the limit and a chunked body that grows
past it both get 413 (problem+json), and nothing is stored."""

from __future__ import annotations

import socket
from collections.abc import Iterator

from fastapi.testclient import TestClient

from support import bpmn
from support.live import LiveServer

LIMIT = 5_000_000


def _chunks(total: int, size: int = 64_000) -> Iterator[bytes]:
    yield b'{"variables": {"x": "'
    sent = 0
    while sent < total:
        yield b"a" * size
        sent += size
    yield b'"}}'


def test_declared_oversize_body_is_refused(client: TestClient) -> None:
    client.post("/definitions", files=[("files", ("p.bpmn", bpmn.user_task_process("p"), "text/xml"))])
    response = client.post(
        "/processes/p/start",
        content=b"{" + b" " * (LIMIT + 10) + b"}",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413 and response.headers["content-type"] == "application/problem+json"
    assert client.get("/cases").json()["total"] == 0


def test_chunked_oversize_body_is_refused(client: TestClient) -> None:
    client.post("/definitions", files=[("files", ("p.bpmn", bpmn.user_task_process("p"), "text/xml"))])
    response = client.post(
        "/processes/p/start", content=_chunks(LIMIT + 100_000), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413 and "exceeds" in response.json()["detail"]
    assert client.get("/cases").json()["total"] == 0


def test_chunked_body_under_the_limit_passes_through(client: TestClient) -> None:
    client.post("/definitions", files=[("files", ("p.bpmn", bpmn.user_task_process("p"), "text/xml"))])
    response = client.post(
        "/processes/p/start", content=_chunks(1_000), headers={"content-type": "application/json"}
    )
    assert response.status_code == 201


def test_chunked_oversize_body_over_real_http(sqlite_url: str) -> None:
    """Raw HTTP/1.1 with Transfer-Encoding: chunked against a real uvicorn."""
    server = LiveServer(sqlite_url).start()
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as connection:
            head = (
                "POST /processes/p/start HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: Bearer {server.token}\r\nContent-Type: application/json\r\n"
                "Transfer-Encoding: chunked\r\n\r\n"
            )
            connection.sendall(head.encode())
            reply = b""
            try:
                for chunk in _chunks(LIMIT + 200_000):
                    connection.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                connection.sendall(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server answered and closed before the body ended
            while b"\r\n\r\n" not in reply:
                data = connection.recv(65536)
                if not data:
                    break
                reply += data
        assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
        with server.client() as http:
            assert http.get("/cases").json()["total"] == 0
    finally:
        server.stop()
