"""The configured conversation and feedback stores, for the server and the export command."""

from __future__ import annotations

from contextlib import AsyncExitStack

from azure.core.credentials_async import AsyncTokenCredential

from app.clients import uses_cosmos
from app.history.base import HistoryStore
from app.history.local import LocalHistoryStore
from app.settings import Settings


async def open_history(
    settings: Settings, credential: AsyncTokenCredential | None, stack: AsyncExitStack
) -> tuple[HistoryStore | None, HistoryStore]:
    """The conversation store (None with CHAT_HISTORY=browser) and the feedback store.

    Feedback is kept on the server in every mode: in Cosmos DB when it is configured, else
    in the local SQLite file.
    """
    backend = settings.history_backend
    store: HistoryStore
    if uses_cosmos(settings):
        from app.history.cosmos import open_cosmos_store  # loads azure-cosmos: only when used

        store = await open_cosmos_store(settings, credential, stack)
    else:
        local = await LocalHistoryStore.open(settings.local_index_dir / "history.sqlite3")
        stack.push_async_callback(local.close)
        store = local
    return (None if backend == "browser" else store), store
