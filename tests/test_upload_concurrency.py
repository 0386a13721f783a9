"""A slow upload must not stall the server: other requests, reads and writes, go on."""

import socket
import time
from urllib.parse import urlsplit

import httpx

from tests.conftest import LiveServer


def test_writes_proceed_while_an_upload_streams(live_server: LiveServer) -> None:
    headers = {"Authorization": f"Bearer {live_server.admin_key}"}
    api = httpx.Client(base_url=f"{live_server.url}/api/v1", headers=headers, timeout=10)
    api.post("/projects", json={"name": "p"}).raise_for_status()
    model = api.post("/projects/p/models", json={"name": "m"}).json()
    version = api.post(
        "/projects/p/model-versions", json={"model_id": model["id"], "version": "1"}
    ).json()

    # Start an upload by hand and leave it half sent.
    parts = urlsplit(live_server.url)
    sock = socket.create_connection((parts.hostname, parts.port))
    try:
        sock.sendall(
            (
                f"PUT /api/v1/projects/p/model-versions/{version['id']}/artifact?filename=m.bin "
                f"HTTP/1.1\r\nHost: {parts.netloc}\r\nAuthorization: Bearer {live_server.admin_key}"
                "\r\nContent-Length: 2000\r\n\r\n"
            ).encode()
            + b"x" * 1000
        )
        time.sleep(0.3)  # let the server reach the streaming part of the upload

        started = time.monotonic()
        created = api.post("/projects/p/systems", json={"name": "during upload"})
        assert created.status_code == 201, created.text
        assert time.monotonic() - started < 5

        sock.sendall(b"x" * 1000)
        reply = sock.recv(65536).decode()
        assert reply.startswith("HTTP/1.1 200"), reply
    finally:
        sock.close()
    stored = api.get(f"/projects/p/model-versions/{version['id']}").json()
    assert stored["artifact_size"] == 2000
    api.close()
