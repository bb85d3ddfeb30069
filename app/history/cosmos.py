"""Conversations and feedback in Azure Cosmos DB for NoSQL (CHAT_HISTORY=cosmos), async.

One container, partitioned by `/user_id`, holds two kinds of item:

    {"id": <session id>, "type": "session", "user_id", "title", "created", "timestamp",
     "answers"}
    {"id": "feedback:<feedback id>", "type": "feedback", "feedback_id", "user_id",
     "session_id", "answer_index", "rating", "comment", "question", "answer", "citations",
     "settings", "timestamp", "sort_key"}

A save is one upsert of the whole session item, so it is atomic (a query for the stored
`created` and, for a new id, a COUNT against the limit come before it). Ids are unique per
partition, and session ids never contain ":" (the routes allow `[A-Za-z0-9_-]`), so the prefix
keeps a feedback item from ever taking a session's place; the session methods refuse ":".

Sessions are listed with the SDK's continuation token (a query in one partition). Feedback is
listed by keyset instead (`sort_key` below the last one seen): listing everyone's feedback is a
cross-partition ORDER BY query, for which azure-cosmos (Python) cannot resume from a
continuation token. Tokens handed out are wrapped with what they list, so a token from another
listing, or one this store did not issue, is an InvalidTokenError before any request.

Errors other than "not found" are azure-core errors and go through `app.errors.to_app_error`.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast

from azure.core.async_paging import AsyncPageIterator
from azure.cosmos.aio import ContainerProxy, CosmosClient
from azure.cosmos.exceptions import CosmosHttpResponseError, CosmosResourceNotFoundError

from app.history.base import (
    Feedback,
    InvalidTokenError,
    Page,
    Rating,
    SessionSummary,
    StoredSession,
    TooManySessionsError,
)

if TYPE_CHECKING:
    from contextlib import AsyncExitStack

    from azure.core.credentials_async import AsyncTokenCredential

    from app.settings import Settings

PARTITION_KEY_PATH = "/user_id"
_FEEDBACK_PREFIX = "feedback:"
# Characters Cosmos DB refuses in an id, and the one this store reserves for feedback.
_NOT_IN_SESSION_IDS = frozenset("/\\?#:")


class CosmosHistoryStore:
    """The HistoryStore on one Cosmos DB container, through `client` (closed by its maker)."""

    def __init__(self, *, client: CosmosClient, database: str, container: str) -> None:
        self._client = client
        self._container = client.get_database_client(database).get_container_client(container)
        self._opened = False
        self._opening = asyncio.Lock()

    async def _items(self) -> ContainerProxy:
        # The first call reads the account (its endpoints, its consistency); a failure is retried
        # by the next call, so the app starts while Cosmos DB is unreachable.
        if not self._opened:
            async with self._opening:
                if not self._opened:
                    await self._client.__aenter__()
                    self._opened = True
        return self._container

    async def save(
        self, session: StoredSession, *, max_sessions: int, keep_title: bool = False
    ) -> StoredSession:
        """Upsert the whole session, keeping `created` (and with `keep_title` the title) of an
        earlier save."""
        if not _usable_session_id(session.id):
            raise ValueError(f"not a session id: {session.id!r}")
        items = await self._items()
        earlier = await self._earlier(items, session)
        if earlier is not None:
            created, title = earlier
            stored = replace(session, created=created, title=title if keep_title else session.title)
        elif await self._count_sessions(items, session.user_id) >= max_sessions:
            raise TooManySessionsError
        else:
            stored = session
        await items.upsert_item(
            {
                "id": stored.id,
                "type": "session",
                "user_id": stored.user_id,
                "title": stored.title,
                "created": stored.created,
                "timestamp": stored.timestamp,
                "answers": stored.answers,
            }
        )
        return stored

    async def _earlier(
        self, items: ContainerProxy, session: StoredSession
    ) -> tuple[int, str] | None:
        # Only `created` and the title: a point read would fetch the stored answers too (up
        # to 2 MB, and request units by size) on every save.
        query = (
            "SELECT c.created, c.title FROM c"
            " WHERE c.user_id = @user_id AND c.id = @id AND c.type = 'session'"
        )
        parameters: list[dict[str, object]] = [
            {"name": "@user_id", "value": session.user_id},
            {"name": "@id", "value": session.id},
        ]
        results = items.query_items(query, parameters=parameters, partition_key=session.user_id)
        found = [(int(item["created"]), str(item["title"])) async for item in results]
        return found[0] if found else None

    async def _count_sessions(self, items: ContainerProxy, user_id: str) -> int:
        query = "SELECT VALUE COUNT(1) FROM c WHERE c.user_id = @user_id AND c.type = 'session'"
        results = items.query_items(
            query, parameters=[{"name": "@user_id", "value": user_id}], partition_key=user_id
        )
        return sum([int(cast(int, count)) async for count in results])

    async def get(self, user_id: str, session_id: str) -> StoredSession | None:
        """The user's session, or None."""
        if not _usable_session_id(session_id):
            return None
        items = await self._items()
        try:
            item = await items.read_item(session_id, partition_key=user_id)
        except CosmosResourceNotFoundError:
            return None
        return StoredSession(
            id=item["id"],
            user_id=item["user_id"],
            title=item["title"],
            created=int(item["created"]),
            timestamp=int(item["timestamp"]),
            answers=item["answers"],
        )

    async def sessions(
        self, user_id: str, *, count: int, continuation_token: str | None
    ) -> Page[SessionSummary]:
        """The user's sessions, newest first, `count` at most per page."""
        _check_count(count)
        listing = _listing("sessions", user_id)
        inner = _unwrap(continuation_token, listing)
        query = (
            "SELECT c.id, c.title, c.timestamp FROM c"
            " WHERE c.user_id = @user_id AND c.type = 'session' ORDER BY c.timestamp DESC"
        )
        items = await self._items()
        pages = cast(
            AsyncPageIterator[dict[str, Any]],
            items.query_items(
                query,
                parameters=[{"name": "@user_id", "value": user_id}],
                partition_key=user_id,
                max_item_count=count,
            ).by_page(inner),
        )
        found: list[dict[str, Any]] = []
        try:
            # A page may come back empty with a token (Cosmos DB stops early at its own limits).
            async for page in pages:
                found = [row async for row in page]
                if found or pages.continuation_token is None:
                    break
        except CosmosHttpResponseError as error:
            if inner is not None and error.status_code == 400:
                raise InvalidTokenError from error  # Cosmos DB: "Invalid Continuation Token"
            raise
        summaries = [
            SessionSummary(id=row["id"], title=row["title"], timestamp=int(row["timestamp"]))
            for row in found
        ]
        next_token = pages.continuation_token
        return Page(summaries, _wrap(next_token, listing) if next_token else None)

    async def rename(self, user_id: str, session_id: str, title: str, *, now: int) -> bool:
        """Set the title and the timestamp in one patch; False if there is no such session."""
        if not _usable_session_id(session_id):
            return False
        items = await self._items()
        try:
            await items.patch_item(
                session_id,
                partition_key=user_id,
                patch_operations=[
                    {"op": "set", "path": "/title", "value": title},
                    {"op": "set", "path": "/timestamp", "value": now},
                ],
            )
        except CosmosResourceNotFoundError:
            return False
        return True

    async def delete(self, user_id: str, session_id: str) -> bool:
        """Delete the session; False if there is no such session."""
        if not _usable_session_id(session_id):
            return False
        items = await self._items()
        try:
            await items.delete_item(session_id, partition_key=user_id)
        except CosmosResourceNotFoundError:
            return False
        return True

    async def put_feedback(self, feedback: Feedback) -> None:
        """Upsert the feedback with this id (in its user's partition)."""
        items = await self._items()
        await items.upsert_item(
            {
                "id": _FEEDBACK_PREFIX + feedback.id,
                "type": "feedback",
                "feedback_id": feedback.id,
                "user_id": feedback.user_id,
                "session_id": feedback.session_id,
                "answer_index": feedback.answer_index,
                "rating": feedback.rating,
                "comment": feedback.comment,
                "question": feedback.question,
                "answer": feedback.answer,
                "citations": feedback.citations,
                "settings": feedback.settings,
                "timestamp": feedback.timestamp,
                "sort_key": _sort_key(feedback),
            }
        )

    async def feedback(
        self,
        *,
        user_id: str | None,
        rating: Rating | None,
        count: int,
        continuation_token: str | None,
    ) -> Page[Feedback]:
        """Feedback, newest first: one user's (one partition), or everyone's (all of them)."""
        _check_count(count)
        listing = _listing("feedback", user_id, rating)
        after = _unwrap(continuation_token, listing)
        conditions = ["c.type = 'feedback'"]
        parameters: list[dict[str, object]] = []
        for name, value in (("user_id", user_id), ("rating", rating), ("sort_key", after)):
            if value is not None:
                operator = "<" if name == "sort_key" else "="
                conditions.append(f"c.{name} {operator} @{name}")
                parameters.append({"name": f"@{name}", "value": value})
        # One more than a page tells whether there is a next one. (`count` is a checked int.)
        query = (
            f"SELECT TOP {count + 1} * FROM c WHERE {' AND '.join(conditions)}"  # noqa: S608
            " ORDER BY c.sort_key DESC"
        )
        items = await self._items()
        results = items.query_items(query, parameters=parameters, partition_key=user_id)
        rows = [row async for row in results]
        page = [_feedback(row) for row in rows[:count]]
        more = len(rows) > count
        return Page(page, _wrap(rows[count - 1]["sort_key"], listing) if more else None)


async def open_cosmos_store(
    settings: Settings, credential: AsyncTokenCredential | None, stack: AsyncExitStack
) -> CosmosHistoryStore:
    """The store for AZURE_COSMOSDB_ENDPOINT: keyless with `credential`, unless a key is set;
    its client is closed with `stack`.

    Nothing connects yet (the store's first call does), so the app starts while Cosmos DB or
    a new role assignment is not ready.
    """
    from app.clients import azure_transport

    assert settings.azure_cosmosdb_endpoint, "Settings checks AZURE_COSMOSDB_ENDPOINT"
    signer: str | AsyncTokenCredential
    if settings.azure_cosmosdb_key is not None:
        signer = settings.azure_cosmosdb_key.get_secret_value()
    elif credential is not None:
        signer = credential
    else:
        raise ValueError("the Cosmos DB store needs a credential, or AZURE_COSMOSDB_KEY")
    client = CosmosClient(
        settings.azure_cosmosdb_endpoint,
        credential=signer,
        transport=azure_transport(),
        # UPSTREAM_TIMEOUT_SECONDS, as for the other services. (The client-level `timeout`
        # keyword does not reach item operations in azure-cosmos 4.17.)
        read_timeout=settings.upstream_timeout_seconds,
    )
    stack.push_async_callback(client.close)
    return CosmosHistoryStore(
        client=client,
        database=settings.azure_chat_history_database,
        container=settings.azure_chat_history_container,
    )


def _check_count(count: int) -> None:
    if not isinstance(count, int) or count < 1:
        raise ValueError(f"count must be a positive int, not {count!r}")


def _usable_session_id(session_id: str) -> bool:
    return 0 < len(session_id) <= 255 and not _NOT_IN_SESSION_IDS.intersection(session_id)


def _sort_key(feedback: Feedback) -> str:
    # Newest first with a total order: ms timestamp (fixed width, so text order is time order),
    # then the id for feedback given in the same millisecond.
    return f"{max(feedback.timestamp, 0):015d}:{feedback.id}"


def _feedback(row: dict[str, Any]) -> Feedback:
    return Feedback(
        id=row["feedback_id"],
        user_id=row["user_id"],
        session_id=row["session_id"],
        answer_index=int(row["answer_index"]),
        rating=row["rating"],
        comment=row["comment"],
        question=row["question"],
        answer=row["answer"],
        citations=list(row["citations"]),
        settings=dict(row["settings"]),
        timestamp=int(row["timestamp"]),
    )


def _listing(*parts: str | None) -> str:
    """A short digest of what a token lists (kind, user, filter): a token fits only there."""
    text = "\0".join("" if part is None else part for part in parts)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _wrap(inner: str, listing: str) -> str:
    raw = json.dumps({"l": listing, "c": inner}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unwrap(token: str | None, listing: str) -> str | None:
    if token is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
    except (binascii.Error, ValueError) as error:
        raise InvalidTokenError from error
    if not isinstance(data, dict) or data.get("l") != listing:
        raise InvalidTokenError
    inner = data.get("c")
    if not isinstance(inner, str) or not inner:
        raise InvalidTokenError
    return inner
