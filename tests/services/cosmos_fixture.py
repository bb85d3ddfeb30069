"""Cosmos DB fixtures, as a plugin: `pytest_plugins = ["services.cosmos_fixture"]`.

    cosmos_server      (session) one server for the whole run
    cosmos_container   (test) a fresh database and container, partitioned by /user_id, dropped
                       after the test: tests never see each other's items
    cosmos_store       (test) a CosmosHistoryStore on that container, closed after the test

The server and CosmosContainer are in services/cosmos_server.py; import them from there, not
from this module, so that pytest can load this one as a plugin (it must not be imported first).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from azure.cosmos import PartitionKey

from app.history.cosmos import PARTITION_KEY_PATH, CosmosHistoryStore
from services.cosmos_server import CosmosContainer, CosmosServer, start_cosmos_server


@pytest.fixture(scope="session")
def cosmos_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CosmosServer]:
    """One server for the session; its log is kept in the session's temporary directory."""
    log = tmp_path_factory.mktemp("cosmosdb-server") / "server.log"
    with start_cosmos_server(log=log) as server:
        yield server


@pytest.fixture
async def cosmos_container(cosmos_server: CosmosServer) -> AsyncIterator[CosmosContainer]:
    """A database and container made for this test (as infra/ makes them), dropped after it."""
    name = f"test-{uuid.uuid4().hex[:12]}"
    async with cosmos_server.client() as client:
        database = await client.create_database(name)
        await database.create_container("chat-history", PartitionKey(path=PARTITION_KEY_PATH))
        yield CosmosContainer(server=cosmos_server, database=name, container="chat-history")
        await client.delete_database(name)


@pytest.fixture
async def cosmos_store(cosmos_container: CosmosContainer) -> AsyncIterator[CosmosHistoryStore]:
    """The store under test, on the test's own container."""
    async with cosmos_container.store() as store:
        yield store
