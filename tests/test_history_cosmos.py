"""The Cosmos DB store through the real azure-cosmos SDK, against a real Cosmos DB API server
(@vercel/cosmosdb-server, started by services/cosmos_fixture.py): saves whole and atomic,
per-user partitions, paging, limits, feedback, and a writer killed mid-write.

What that server does not emulate (docs/history.md): it checks no signature (so the keyless
path is exercised on the client side only), and it serves cross-partition ORDER BY itself, so
the SDK's query-plan path that Cosmos DB triggers for everyone's feedback is not run here.
"""

from __future__ import annotations

import asyncio
import os
import select
import signal
import subprocess
import sys
import time
from contextlib import AsyncExitStack
from typing import Any

import pytest
from azure.core.credentials import AccessToken
from services.cosmos_server import CosmosContainer, CosmosServer

from app.history.base import (
    Feedback,
    InvalidTokenError,
    SessionSummary,
    StoredSession,
    TooManySessionsError,
)
from app.history.cosmos import CosmosHistoryStore, open_cosmos_store
from app.settings import Settings, SettingsError, load_settings

pytest_plugins = ["services.cosmos_fixture"]

ALICE, BOB = "user-alice", "anon:bob-browser"


def _answers(tag: str, n: int = 2) -> list[Any]:
    return [
        [f"question {i} of {tag}", {"message": {"role": "assistant", "content": f"{tag}/{i}"}}]
        for i in range(n)
    ]


def _session(
    session_id: str, *, user: str = ALICE, at: int = 1000, tag: str = "a", title: str = "t"
) -> StoredSession:
    return StoredSession(
        id=session_id, user_id=user, title=title, created=at, timestamp=at, answers=_answers(tag)
    )


def _feedback(
    feedback_id: str, *, user: str = ALICE, at: int = 5000, rating: str = "up", comment: str = ""
) -> Feedback:
    return Feedback(
        id=feedback_id,
        user_id=user,
        session_id="s1",
        answer_index=0,
        rating=rating,  # type: ignore[arg-type]
        comment=comment,
        question="What does the Plus plan cover?",
        answer="It covers X [plan.pdf#page=2].",
        citations=["plan.pdf#page=2"],
        settings={"top": 3},
        timestamp=at,
    )


# --- Sessions ---------------------------------------------------------------------------------


async def test_save_get_and_replace_keep_created(cosmos_store: CosmosHistoryStore) -> None:
    first = await cosmos_store.save(_session("s1", at=1000, tag="one"), max_sessions=10)
    assert first.created == 1000
    assert await cosmos_store.get(ALICE, "s1") == first

    replaced = StoredSession(
        id="s1", user_id=ALICE, title="new", created=2000, timestamp=2000, answers=_answers("two")
    )
    stored = await cosmos_store.save(replaced, max_sessions=10)
    assert stored.created == 1000  # from the first save
    assert await cosmos_store.get(ALICE, "s1") == StoredSession(
        id="s1", user_id=ALICE, title="new", created=1000, timestamp=2000, answers=_answers("two")
    )


async def test_another_users_session_is_not_there(cosmos_store: CosmosHistoryStore) -> None:
    await cosmos_store.save(_session("s1"), max_sessions=10)
    assert await cosmos_store.get(BOB, "s1") is None
    assert await cosmos_store.get(ALICE, "missing") is None
    assert await cosmos_store.rename(BOB, "s1", "mine now", now=2000) is False
    assert await cosmos_store.delete(BOB, "s1") is False
    assert (await cosmos_store.sessions(BOB, count=10, continuation_token=None)).items == []
    assert await cosmos_store.get(ALICE, "s1") == _session("s1")


async def test_sessions_page_newest_first(cosmos_store: CosmosHistoryStore) -> None:
    for i in range(7):
        await cosmos_store.save(_session(f"s{i}", at=1000 + i, title=f"t{i}"), max_sessions=10)
    await cosmos_store.save(_session("bobs", user=BOB, at=9999), max_sessions=10)

    pages: list[list[SessionSummary]] = []
    token = None
    while True:
        page = await cosmos_store.sessions(ALICE, count=3, continuation_token=token)
        pages.append(page.items)
        token = page.continuation_token
        if token is None:
            break
        assert len(pages) < 5, "the continuation tokens never ended"
    assert [len(items) for items in pages] == [3, 3, 1]
    assert [s.id for items in pages for s in items] == [f"s{i}" for i in reversed(range(7))]
    assert pages[0][0] == SessionSummary(id="s6", title="t6", timestamp=1006)


async def test_a_token_this_listing_did_not_issue_is_refused(
    cosmos_store: CosmosHistoryStore,
) -> None:
    for i in range(3):
        await cosmos_store.save(_session(f"s{i}", at=1000 + i), max_sessions=10)
        await cosmos_store.put_feedback(_feedback(f"f{i}", at=1000 + i))
    alices = (
        await cosmos_store.sessions(ALICE, count=1, continuation_token=None)
    ).continuation_token
    feedback = await cosmos_store.feedback(
        user_id=ALICE, rating=None, count=1, continuation_token=None
    )
    assert alices
    assert feedback.continuation_token
    for bad in ["garbage", "e30", "!!!", "", feedback.continuation_token]:
        with pytest.raises(InvalidTokenError):
            await cosmos_store.sessions(ALICE, count=1, continuation_token=bad)
    with pytest.raises(InvalidTokenError):  # another user's token
        await cosmos_store.sessions(BOB, count=1, continuation_token=alices)
    for bad in ["garbage", alices]:
        with pytest.raises(InvalidTokenError):
            await cosmos_store.feedback(user_id=ALICE, rating=None, count=1, continuation_token=bad)
    with pytest.raises(InvalidTokenError):  # the same user, another filter
        await cosmos_store.feedback(
            user_id=ALICE, rating="up", count=1, continuation_token=feedback.continuation_token
        )
    # The store still answers, and a good token still works.
    second = await cosmos_store.sessions(ALICE, count=1, continuation_token=alices)
    assert [s.id for s in second.items] == ["s1"]


async def test_a_page_has_at_least_one_item(cosmos_store: CosmosHistoryStore) -> None:
    with pytest.raises(ValueError, match="count"):
        await cosmos_store.sessions(ALICE, count=0, continuation_token=None)
    with pytest.raises(ValueError, match="count"):
        await cosmos_store.feedback(user_id=None, rating=None, count=0, continuation_token=None)


async def test_rename_sets_the_title_and_moves_it_first(cosmos_store: CosmosHistoryStore) -> None:
    await cosmos_store.save(_session("old", at=1000), max_sessions=10)
    await cosmos_store.save(_session("new", at=2000), max_sessions=10)
    assert await cosmos_store.rename(ALICE, "old", "Renamed", now=3000) is True
    renamed = await cosmos_store.get(ALICE, "old")
    assert renamed is not None
    assert (renamed.title, renamed.timestamp, renamed.created) == ("Renamed", 3000, 1000)
    assert renamed.answers == _answers("a")
    listed = await cosmos_store.sessions(ALICE, count=10, continuation_token=None)
    assert [(s.id, s.title) for s in listed.items] == [("old", "Renamed"), ("new", "t")]
    assert await cosmos_store.rename(ALICE, "missing", "x", now=4000) is False


async def test_delete(cosmos_store: CosmosHistoryStore) -> None:
    await cosmos_store.save(_session("s1"), max_sessions=10)
    assert await cosmos_store.delete(ALICE, "s1") is True
    assert await cosmos_store.get(ALICE, "s1") is None
    assert await cosmos_store.delete(ALICE, "s1") is False


async def test_the_session_limit_applies_to_new_sessions_only(
    cosmos_store: CosmosHistoryStore,
) -> None:
    await cosmos_store.save(_session("s1"), max_sessions=2)
    await cosmos_store.save(_session("s2"), max_sessions=2)
    await cosmos_store.put_feedback(_feedback("f1"))  # feedback is not a session
    with pytest.raises(TooManySessionsError):
        await cosmos_store.save(_session("s3"), max_sessions=2)
    assert await cosmos_store.get(ALICE, "s3") is None
    # Replacing one is fine, and so is another user's first.
    await cosmos_store.save(_session("s2", tag="again"), max_sessions=2)
    await cosmos_store.save(_session("s3", user=BOB), max_sessions=2)
    assert await cosmos_store.delete(ALICE, "s1")
    await cosmos_store.save(_session("s3"), max_sessions=2)


async def test_feedback_items_are_out_of_reach_of_the_session_methods(
    cosmos_store: CosmosHistoryStore,
) -> None:
    await cosmos_store.put_feedback(_feedback("f1"))
    await cosmos_store.save(_session("f1"), max_sessions=10)  # the same id: no clash
    assert await cosmos_store.get(ALICE, "feedback:f1") is None
    assert await cosmos_store.delete(ALICE, "feedback:f1") is False
    assert await cosmos_store.rename(ALICE, "feedback:f1", "x", now=1) is False
    listed = await cosmos_store.sessions(ALICE, count=10, continuation_token=None)
    assert [s.id for s in listed.items] == ["f1"]
    page = await cosmos_store.feedback(
        user_id=ALICE, rating=None, count=10, continuation_token=None
    )
    assert page.items == [_feedback("f1")]
    with pytest.raises(ValueError, match="session id"):
        await cosmos_store.save(_session("a:b"), max_sessions=10)


async def test_concurrent_saves_of_one_session_leave_one_whole(
    cosmos_container: CosmosContainer,
) -> None:
    """Twenty saves from two clients (two tabs, two replicas) at once: one of them, complete."""
    async with cosmos_container.store() as one, cosmos_container.store() as other:
        tabs = [one, other]
        saves = [
            StoredSession(
                id="shared",
                user_id=ALICE,
                title=f"save {n}",
                created=n,
                timestamp=n,
                answers=_answers(f"save-{n}", n=30),
            )
            for n in range(20)
        ]
        await asyncio.gather(*(tabs[n % 2].save(s, max_sessions=10) for n, s in enumerate(saves)))
        stored = await tabs[0].get(ALICE, "shared")
    assert stored is not None
    (winner,) = [s for s in saves if s.answers == stored.answers]
    assert (stored.title, stored.timestamp) == (winner.title, winner.timestamp)


# --- Feedback ---------------------------------------------------------------------------------


async def test_feedback_is_replaced_by_id(cosmos_store: CosmosHistoryStore) -> None:
    await cosmos_store.put_feedback(_feedback("f1", rating="up", at=1000))
    await cosmos_store.put_feedback(_feedback("f1", rating="down", comment="wrong", at=2000))
    page = await cosmos_store.feedback(
        user_id=ALICE, rating=None, count=10, continuation_token=None
    )
    assert page.items == [_feedback("f1", rating="down", comment="wrong", at=2000)]
    assert page.continuation_token is None


async def test_feedback_lists_one_user_or_everyone_newest_first(
    cosmos_store: CosmosHistoryStore,
) -> None:
    given = [
        _feedback("a1", user=ALICE, at=1000, rating="up"),
        _feedback("b1", user=BOB, at=2000, rating="down"),
        _feedback("a2", user=ALICE, at=3000, rating="down"),
        _feedback("b2", user=BOB, at=3000, rating="up"),  # the same millisecond as a2
        _feedback("a3", user=ALICE, at=4000, rating="down"),
    ]
    for item in given:
        await cosmos_store.put_feedback(item)

    async def everything(user: str | None, rating: Any = None, count: int = 2) -> list[str]:
        ids: list[str] = []
        token = None
        for _ in range(10):
            page = await cosmos_store.feedback(
                user_id=user, rating=rating, count=count, continuation_token=token
            )
            assert len(page.items) <= count
            ids += [item.id for item in page.items]
            token = page.continuation_token
            if token is None:
                return ids
        raise AssertionError("the continuation tokens never ended")

    assert await everything(ALICE) == ["a3", "a2", "a1"]
    assert await everything(BOB) == ["b2", "b1"]
    assert await everything(None) == ["a3", "b2", "a2", "b1", "a1"]  # ties: by id, descending
    assert await everything(None, count=1) == ["a3", "b2", "a2", "b1", "a1"]
    assert await everything(None, count=5) == ["a3", "b2", "a2", "b1", "a1"]
    assert await everything(None, "down") == ["a3", "a2", "b1"]
    assert await everything(ALICE, "up") == ["a1"]
    first = await cosmos_store.feedback(user_id=None, rating=None, count=1, continuation_token=None)
    assert first.items == [given[4]]  # every field comes back


# --- A writer killed mid-write ----------------------------------------------------------------

# Saves five sessions round-robin, ~100 KB each, and prints each save's number once it is done.
WRITER = """
import asyncio, sys
from azure.cosmos.aio import CosmosClient
from app.history.base import StoredSession
from app.history.cosmos import CosmosHistoryStore

async def main(endpoint, key, database, container):
    client = CosmosClient(endpoint, credential=key)
    store = CosmosHistoryStore(client=client, database=database, container=container)
    n = 0
    while True:
        n += 1
        answers = [
            [f"question {i}", {"save": n, "message": {"role": "assistant", "content": "x" * 2000}}]
            for i in range(50)
        ]
        session = StoredSession(
            id=f"s{n % 5}", user_id="writer", title=f"save {n}", created=n, timestamp=n,
            answers=answers,
        )
        await store.save(session, max_sessions=100)
        print(n, flush=True)

asyncio.run(main(*sys.argv[1:]))
"""
SAVES_BEFORE_KILL = 12
DEADLINE_SECONDS = 30.0


def _read_saves(process: subprocess.Popen[bytes], at_least: int) -> list[int]:
    """The save numbers the writer reported, once there are `at_least` (bounded in time)."""
    assert process.stdout is not None
    done: list[int] = []
    buffer = b""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while len(done) < at_least:
        left = deadline - time.monotonic()
        assert left > 0, f"the writer reported {done} in {DEADLINE_SECONDS} s"
        ready, _, _ = select.select([process.stdout], [], [], left)
        if not ready:
            continue
        chunk = os.read(process.stdout.fileno(), 4096)
        assert chunk, f"the writer exited ({process.poll()}) after {done}"
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        done += [int(line) for line in lines if line.strip()]
    return done


def _run_writer_until_killed(container: CosmosContainer) -> list[int]:
    """Start the writer, SIGKILL it once it reported SAVES_BEFORE_KILL saves (it is then in the
    middle of the next one); the saves it reported."""
    server = container.server
    args = [sys.executable, "-c", WRITER, server.endpoint, server.key]
    args += [container.database, container.container]
    with subprocess.Popen(args, stdout=subprocess.PIPE) as process:  # noqa: S603 - our script
        try:
            done = _read_saves(process, SAVES_BEFORE_KILL)
            process.send_signal(signal.SIGKILL)
        finally:
            process.kill()
            process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL
    return done


async def test_a_writer_killed_mid_write_leaves_every_session_whole(
    cosmos_container: CosmosContainer,
) -> None:
    done = await asyncio.to_thread(_run_writer_until_killed, cosmos_container)

    async with cosmos_container.store() as store:  # a fresh client
        listed = await store.sessions("writer", count=100, continuation_token=None)
        assert sorted(s.id for s in listed.items) == [f"s{i}" for i in range(5)]
        for summary in listed.items:
            session = await store.get("writer", summary.id)
            assert session is not None
            n = session.timestamp
            assert session.title == f"save {n}"
            assert len(session.answers) == 50
            assert {answer[1]["save"] for answer in session.answers} == {n}  # one save, whole
            # At most the save in flight is lost: each session is its last reported save or later.
            assert n >= max(d for d in done if d % 5 == int(summary.id[1:]))
        # It still reads and writes.
        await store.save(_session("after", user="writer"), max_sessions=100)
        assert await store.get("writer", "after") == _session("after", user="writer")


# --- The factory and its settings -------------------------------------------------------------


class FakeTokenCredential:
    """An AsyncTokenCredential that hands out a fixed token and records the scopes asked for."""

    def __init__(self) -> None:
        self.scopes: list[tuple[str, ...]] = []

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.scopes.append(scopes)
        return AccessToken("not-a-real-token", int(time.time()) + 3600)

    async def close(self) -> None:
        pass

    async def __aenter__(self) -> FakeTokenCredential:
        return self

    async def __aexit__(self, *args: object) -> None:
        pass


def _cosmos_settings(container: CosmosContainer, **overrides: Any) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        chat_history="cosmos",
        azure_cosmosdb_endpoint=container.server.endpoint,
        azure_chat_history_database=container.database,
        azure_chat_history_container=container.container,
        **overrides,
    )


async def test_the_factory_signs_with_the_key_when_one_is_set(
    cosmos_container: CosmosContainer,
) -> None:
    credential = FakeTokenCredential()
    settings = _cosmos_settings(cosmos_container, azure_cosmosdb_key=cosmos_container.server.key)
    async with AsyncExitStack() as stack:
        store = await open_cosmos_store(settings, credential, stack)  # type: ignore[arg-type]
        await store.save(_session("s1"), max_sessions=10)
        assert await store.get(ALICE, "s1") == _session("s1")
    assert credential.scopes == []


async def test_the_factory_is_keyless_with_the_apps_credential(
    cosmos_container: CosmosContainer,
) -> None:
    """The SDK's Entra ID path: it asks the credential for a token for the account (the server
    accepts any token; Cosmos DB checks it against the data-plane role assignment)."""
    credential = FakeTokenCredential()
    async with AsyncExitStack() as stack:
        settings = _cosmos_settings(cosmos_container)
        store = await open_cosmos_store(settings, credential, stack)  # type: ignore[arg-type]
        await store.save(_session("s1"), max_sessions=10)
        assert await store.get(ALICE, "s1") == _session("s1")
    assert credential.scopes
    assert set(credential.scopes) == {("https://127.0.0.1/.default",)}


async def test_the_factory_needs_a_credential_or_a_key(cosmos_server: CosmosServer) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        chat_history="cosmos",
        azure_cosmosdb_endpoint=cosmos_server.endpoint,
    )
    with pytest.raises(ValueError, match="AZURE_COSMOSDB_KEY"):
        async with AsyncExitStack() as stack:
            await open_cosmos_store(settings, None, stack)


def test_cosmos_needs_its_endpoint() -> None:
    with pytest.raises(SettingsError, match="AZURE_COSMOSDB_ENDPOINT"):
        load_settings(_env_file=None, chat_history="cosmos")


@pytest.mark.parametrize(
    ("values", "backend"),
    [
        ({}, "local"),
        ({"search_backend": "azure", "azure_search_endpoint": "https://s"}, "browser"),
        ({"chat_history": "browser"}, "browser"),
        ({"chat_history": "cosmos", "azure_cosmosdb_endpoint": "https://c"}, "cosmos"),
        (
            {
                "chat_history": "local",
                "search_backend": "azure",
                "azure_search_endpoint": "https://s",
            },
            "local",
        ),
    ],
)
def test_history_backend_follows_chat_history_or_the_search_backend(
    values: dict[str, Any], backend: str
) -> None:
    assert load_settings(_env_file=None, **values).history_backend == backend
