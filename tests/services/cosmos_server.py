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
import contextlib
import subprocess
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx
from azure.cosmos.aio import CosmosClient

from app.history.cosmos import CosmosHistoryStore
from services.node_service import NodeProcess, endpoint_of, launch, node_for

COSMOS_DIR = Path(__file__).resolve().parent / "cosmos"
SERVER = COSMOS_DIR / "server.js"
# The SDK signs each request with a base64 account key; the server checks no signature.
KEY = base64.b64encode(b"ragchat tests: any key will do").decode()
START_TIMEOUT = 15.0


@dataclass(kw_only=True)
class CosmosServer(NodeProcess):
    """A running server; `stop()` (or leaving `with`) ends the process."""

    endpoint: str  # https://127.0.0.1:<port>/
    key: str = KEY

    def client(self) -> CosmosClient:
        """A new aio client of this server (the caller closes it)."""
        return CosmosClient(self.endpoint, credential=self.key)


@dataclass(frozen=True, slots=True)
class CosmosContainer:
    """Where a test's items go: the server, a database and a container of its own."""

    server: CosmosServer
    database: str
    container: str

    @contextlib.asynccontextmanager
    async def store(self) -> AsyncIterator[CosmosHistoryStore]:
        """A new store on this container, with a client of its own, closed on leaving."""
        async with self.server.client() as client:
            yield CosmosHistoryStore(
                client=client, database=self.database, container=self.container
            )


def start_cosmos_server(*, log: Path | None = None) -> CosmosServer:
    """Start server.js on a free 127.0.0.1 port; return once it answers over HTTPS."""
    node = node_for("Cosmos DB server", COSMOS_DIR, "@vercel/cosmosdb-server")
    started = launch(
        [node, str(SERVER), "--host", "127.0.0.1", "--port", "0"],
        cwd=COSMOS_DIR,
        log=log,
        prefix="cosmosdb-server-",
    )
    return CosmosServer(
        endpoint=endpoint_of(started, _wait_until_it_answers),
        process=started.process,
        log=started.log,
        temporary_log=started.temporary_log,
    )


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
