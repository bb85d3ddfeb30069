"""A Cosmos DB API server for the tests: @vercel/cosmosdb-server (Node) in a subprocess.

    start_cosmos_server(log=None) -> CosmosServer    on 127.0.0.1, a free port; `stop()` ends it
    CosmosServer.client() -> azure.cosmos.aio.CosmosClient    signed with the account key
    CosmosContainer         a test's own database and container; .store() -> CosmosHistoryStore

The server is tests/services/cosmos/server.js (the package plus one fix, see there), over HTTPS
with a self-signed certificate: azure-cosmos does not verify certificates for 127.0.0.1 and
localhost (its rule for Microsoft's emulator), so clients need no TLS option. It keeps its data
in memory and checks no signature: any key, or any bearer token, is accepted. `make pytest`
installs its node_modules; without them a test that needs it is skipped, or fails when CI is set.

The session fixture `cosmos_server` and the per-test `cosmos_container` are in
services/cosmos_fixture.py (a pytest plugin).
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import NoReturn

import httpx2 as httpx
import pytest
from azure.cosmos.aio import CosmosClient

from app.history.cosmos import CosmosHistoryStore

COSMOS_DIR = Path(__file__).resolve().parent / "cosmos"
SERVER = COSMOS_DIR / "server.js"
# The SDK signs each request with a base64 account key; the server checks no signature.
KEY = base64.b64encode(b"ragchat tests: any key will do").decode()
START_TIMEOUT = 15.0


@dataclass
class CosmosServer:
    """A running server; `stop()` (or leaving `with`) ends the process."""

    endpoint: str  # https://127.0.0.1:<port>/
    process: subprocess.Popen[bytes]
    log: Path  # the server's output; a temporary one is deleted by stop()
    temporary_log: bool = False
    key: str = KEY

    def client(self) -> CosmosClient:
        """A new aio client of this server (the caller closes it)."""
        return CosmosClient(self.endpoint, credential=self.key)

    def stop(self) -> None:
        """End the server (idempotent)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:  # pragma: no cover - only if the server hangs
                self.process.kill()
                self.process.wait()
        if self.temporary_log:
            self.log.unlink(missing_ok=True)

    def __enter__(self) -> CosmosServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


@dataclass(frozen=True, slots=True)
class CosmosContainer:
    """Where a test's items go: the server, a database and a container of its own."""

    server: CosmosServer
    database: str
    container: str

    def store(self) -> CosmosHistoryStore:
        """A new store on this container, with its own client (the caller closes it)."""
        return CosmosHistoryStore(
            client=self.server.client(), database=self.database, container=self.container
        )


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI"):
        # `make pytest` installs the server: in CI a skip would hide a broken setup.
        pytest.fail(f"the test Cosmos DB server cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


def start_cosmos_server(*, log: Path | None = None) -> CosmosServer:
    """Start server.js on a free 127.0.0.1 port; return once it answers over HTTPS."""
    node = shutil.which("node")
    if node is None:
        _unavailable("no `node` on PATH (Node.js 20 or newer runs the test Cosmos DB server)")
    if not (COSMOS_DIR / "node_modules" / "@vercel" / "cosmosdb-server").is_dir():
        _unavailable(
            "the test Cosmos DB server is not installed (make pytest, or "
            "cd tests/services/cosmos && npm ci)"
        )
    temporary_log = log is None
    if log is None:
        handle, name = tempfile.mkstemp(prefix="cosmosdb-server-", suffix=".log")
        os.close(handle)
        log = Path(name)
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own script and arguments
            [node, str(SERVER), "--host", "127.0.0.1", "--port", "0"],
            cwd=COSMOS_DIR,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        endpoint = _wait_until_it_answers(process, log)
    except BaseException:
        process.kill()
        process.wait()
        if temporary_log:
            log.unlink(missing_ok=True)
        raise
    return CosmosServer(endpoint=endpoint, process=process, log=log, temporary_log=temporary_log)


def _wait_until_it_answers(process: subprocess.Popen[bytes], log: Path) -> str:
    deadline = time.monotonic() + START_TIMEOUT
    endpoint = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the Cosmos DB server exited:\n{log.read_text(errors='replace')}")
        if endpoint is None:
            for line in log.read_text(errors="replace").splitlines():
                if line.startswith("listening https://"):
                    endpoint = line.removeprefix("listening ").strip()
        if endpoint is not None:
            try:
                # The account document, as the SDK reads it first (self-signed: not verified).
                response = httpx.get(endpoint, verify=False, timeout=2)
            except httpx.TransportError:
                pass
            else:
                if response.status_code == 200 and "writableLocations" in response.json():
                    return endpoint
        time.sleep(0.02)
    raise RuntimeError(
        f"the Cosmos DB server did not start in time:\n{log.read_text(errors='replace')}"
    )
