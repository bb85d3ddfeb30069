"""Azurite, Microsoft's Blob Storage emulator (Node), in a subprocess for the tests.

    start_azurite(log=None) -> Azurite    on 127.0.0.1, a free port; `stop()` ends it
    Azurite.service() -> BlobServiceClient    aio, signed with the development account key
    BlobStorage    a test's account: `container(name)` is a client through a BlobProxy
                   (services/azurite/proxy.py: requests recorded, faults injected), for the
                   code under test; `blob_names`, `blob`, ... read what Azurite holds, directly

The package is pinned in tests/services/azurite/package.json; `make pytest` installs its
node_modules, and without them a test that needs Azurite is skipped, or fails when CI is set.
Azurite keeps its data in memory and checks shared-key signatures, so clients sign with its
well-known development account (devstoreaccount1 and the key Microsoft publishes for it) over
plain http, where azure-core allows shared keys but refuses bearer tokens. That is also why
the tests build ContainerClients themselves: the app signs in to storage with a token only.

The session fixture `azurite` and the per-test `blob_storage` are in tests/azurite.py (a pytest
plugin); import the classes from here, not from there, so that pytest can load it as a plugin.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2 as httpx
from azure.storage.blob import BlobType, ContentSettings
from azure.storage.blob.aio import BlobServiceClient, ContainerClient
from services.azurite.proxy import BlobProxy
from services.node_service import NodeProcess, endpoint_of, launch, node_for

AZURITE_DIR = Path(__file__).resolve().parent
MAIN = AZURITE_DIR / "node_modules" / "azurite" / "dist" / "src" / "blob" / "main.js"
ACCOUNT_NAME = "devstoreaccount1"
# Azurite's development account key, published in its README and Microsoft's docs.
ACCOUNT_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)
CREDENTIAL = {"account_name": ACCOUNT_NAME, "account_key": ACCOUNT_KEY}
START_TIMEOUT = 20.0
_LISTENING = re.compile(r"Blob service successfully listens on (http://\S+)")


@dataclass(kw_only=True)
class Azurite(NodeProcess):
    """A running Azurite blob service; `stop()` (or leaving `with`) ends the process."""

    endpoint: str  # http://127.0.0.1:<port>

    @property
    def account_url(self) -> str:
        """Path style, as for any emulator: http://127.0.0.1:<port>/devstoreaccount1."""
        return f"{self.endpoint}/{ACCOUNT_NAME}"

    def service(self) -> BlobServiceClient:
        """A new client of the whole account (the caller closes it)."""
        return BlobServiceClient(self.account_url, credential=CREDENTIAL, retry_total=0)


@dataclass(frozen=True, slots=True)
class StoredBlob:
    """A blob as Azurite holds it."""

    data: bytes
    content_type: str | None
    metadata: dict[str, str]
    blob_type: BlobType


class BlobStorage:
    """One test's account: empty at the start, reached through `proxy` by the code under test."""

    def __init__(self, *, azurite: Azurite, proxy: BlobProxy) -> None:
        self.proxy = proxy
        self._service = azurite.service()  # straight to Azurite: not recorded, never faulted

    @property
    def account_url(self) -> str:
        """The proxy's address of the account, for the SDK's `account_url`."""
        return f"{self.proxy.url}/{ACCOUNT_NAME}"

    def container(self, name: str, **kwargs: Any) -> ContainerClient:
        """A new client of container `name` through the proxy, by default without retries
        (the SDK's own back off for seconds between them); the caller closes it."""
        kwargs.setdefault("retry_total", 0)
        return ContainerClient(self.account_url, name, credential=CREDENTIAL, **kwargs)

    async def empty(self) -> None:
        """Delete every container (tests share one Azurite)."""
        for name in await self.container_names():
            await self._service.delete_container(name)

    async def create_container(self, name: str) -> None:
        """Make a container, as infra/ would have."""
        await self._service.create_container(name)

    async def delete_container(self, name: str) -> None:
        """Delete a container."""
        await self._service.delete_container(name)

    async def container_names(self) -> list[str]:
        """The account's containers, sorted."""
        return sorted([c.name async for c in self._service.list_containers()])

    async def blob_names(self, container: str) -> list[str]:
        """The names of the blobs in `container`, sorted."""
        names = self._service.get_container_client(container).list_blob_names()
        return sorted([name async for name in names])

    async def blob(self, container: str, name: str) -> StoredBlob:
        """A stored blob's bytes and properties (ResourceNotFoundError if it is not there)."""
        client = self._service.get_blob_client(container, name)
        download = await client.download_blob()
        properties = download.properties
        return StoredBlob(
            data=await download.readall(),
            content_type=properties.content_settings.content_type,
            metadata=dict(properties.metadata or {}),
            blob_type=properties.blob_type,
        )

    async def set_content_type(self, container: str, name: str, content_type: str) -> None:
        """Change a stored blob's Content-Type, as the portal or azcopy may."""
        client = self._service.get_blob_client(container, name)
        await client.set_http_headers(ContentSettings(content_type=content_type))

    async def close(self) -> None:
        """Close the direct client."""
        await self._service.close()


def start_azurite(*, log: Path | None = None) -> Azurite:
    """Start Azurite's blob service on a free 127.0.0.1 port; return once it answers."""
    node = node_for("Azurite blob service", AZURITE_DIR, "azurite")
    args = [
        node,
        str(MAIN),
        *("--blobHost", "127.0.0.1", "--blobPort", "0"),  # port 0: it prints the one it got
        "--inMemoryPersistence",  # nothing on disk (and so no --location)
        *("--extentMemoryLimit", "256"),  # MB; its default is half the machine's memory
        "--disableTelemetry",  # on by default, and there is nowhere to send it
        "--skipApiVersionCheck",  # azure-storage-blob may speak a newer API version
        "--silent",  # no access log
    ]
    # AZURITE_ACCOUNTS would replace the development account.
    env = {k: v for k, v in os.environ.items() if not k.startswith("AZURITE_")}
    started = launch(args, cwd=AZURITE_DIR, log=log, prefix="azurite-", env=env)
    return Azurite(
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
            raise RuntimeError(f"Azurite exited:\n{log.read_text(errors='replace')}")
        if endpoint is None and (found := _LISTENING.search(log.read_text(errors="replace"))):
            endpoint = found.group(1).rstrip("/")
        if endpoint is not None:
            try:
                # Unsigned, so refused; any answer means it serves requests.
                httpx.get(f"{endpoint}/{ACCOUNT_NAME}?comp=list", timeout=2)
            except httpx.TransportError:
                pass
            else:
                return endpoint
        time.sleep(0.02)
    raise RuntimeError(f"Azurite did not start in time:\n{log.read_text(errors='replace')}")
