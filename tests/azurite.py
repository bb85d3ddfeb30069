"""Blob Storage fixtures, as a plugin: `pytest_plugins = ["azurite"]`.

    azurite        (session) one Azurite blob service for the whole run
    blob_storage   (test) its account emptied for this test, behind a proxy of the test's own
                   that records requests and injects faults; closed after the test

Azurite, BlobStorage and the proxy are in services/azurite/ (emulator.py, proxy.py); import
them from there, not from this module, so that pytest can load this one as a plugin (it must
not be imported first).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from services.azurite.emulator import Azurite, BlobStorage, start_azurite
from services.azurite.proxy import BlobProxy


@pytest.fixture(scope="session")
def azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Azurite]:
    """One Azurite for the session; its log is kept in the session's temporary directory."""
    log = tmp_path_factory.mktemp("azurite") / "azurite.log"
    with start_azurite(log=log) as server:
        yield server


@pytest.fixture
async def blob_storage(azurite: Azurite) -> AsyncIterator[BlobStorage]:
    """An empty account (no container) for this test, and a proxy in front of it."""
    async with BlobProxy(upstream=azurite.endpoint) as proxy:
        storage = BlobStorage(azurite=azurite, proxy=proxy)
        try:
            await storage.empty()
            yield storage
        finally:
            await storage.close()
