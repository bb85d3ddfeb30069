"""The SQLite conversation store: whole saves, per-user partitions, keyset paging, and a
process killed mid-write (SIGKILL) that loses at most the save in flight."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.history.base import (
    Feedback,
    InvalidTokenError,
    StoredSession,
    TooManySessionsError,
)
from app.history.local import LocalHistoryStore

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[LocalHistoryStore]:
    opened = await LocalHistoryStore.open(tmp_path / "history.sqlite3")
    yield opened
    await opened.close()


def _session(
    session_id: str, user: str = "alice", *, at: int = 1000, marker: str = "a"
) -> StoredSession:
    answers = [[f"question {marker}", {"message": {"role": "assistant", "content": marker}}]]
    return StoredSession(session_id, user, f"title {marker}", at, at, answers)


async def test_a_save_replaces_the_whole_session_and_keeps_created(
    store: LocalHistoryStore,
) -> None:
    await store.save(_session("s1", at=1000, marker="first"), max_sessions=10)
    saved = await store.save(_session("s1", at=2000, marker="second"), max_sessions=10)
    assert (saved.created, saved.timestamp) == (1000, 2000)
    got = await store.get("alice", "s1")
    assert got is not None
    assert (got.title, got.created, got.timestamp) == ("title second", 1000, 2000)
    assert got.answers == _session("s1", marker="second").answers


async def test_sessions_belong_to_their_user(store: LocalHistoryStore) -> None:
    await store.save(_session("s1", "alice", marker="alice's"), max_sessions=10)
    await store.save(_session("s1", "bob", marker="bob's"), max_sessions=10)  # same id, no clash
    alice, bob = await store.get("alice", "s1"), await store.get("bob", "s1")
    assert alice is not None
    assert bob is not None
    assert (alice.title, bob.title) == ("title alice's", "title bob's")
    assert await store.get("carol", "s1") is None
    assert not await store.rename("carol", "s1", "stolen", now=5000)
    assert not await store.delete("carol", "s1")
    assert (await store.get("alice", "s1")) == alice


async def test_pages_are_newest_first_and_complete(store: LocalHistoryStore) -> None:
    for n in range(23):  # timestamps with ties, so the order needs the id too
        await store.save(_session(f"s{n:02d}", at=1000 + n // 2), max_sessions=100)
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        page = await store.sessions("alice", count=5, continuation_token=token)
        seen += [s.id for s in page.items]
        pages += 1
        token = page.continuation_token
        if token is None:
            break
    assert pages == 5
    assert len(seen) == len(set(seen)) == 23
    stamps = [(1000 + int(i[1:]) // 2, i) for i in seen]
    assert stamps == sorted(stamps, reverse=True)
    assert (await store.sessions("bob", count=5, continuation_token=None)).items == []


@pytest.mark.parametrize("token", ["nonsense", "W10=", "WyJhIiwgMV0=", "!!!"])
async def test_a_foreign_token_is_refused(store: LocalHistoryStore, token: str) -> None:
    with pytest.raises(InvalidTokenError):
        await store.sessions("alice", count=5, continuation_token=token)


async def test_rename_moves_the_session_to_the_top(store: LocalHistoryStore) -> None:
    await store.save(_session("old", at=1000), max_sessions=10)
    await store.save(_session("new", at=2000), max_sessions=10)
    assert await store.rename("alice", "old", "Renamed", now=3000)
    page = await store.sessions("alice", count=10, continuation_token=None)
    assert [(s.id, s.title) for s in page.items] == [("old", "Renamed"), ("new", "title a")]


async def test_the_limit_counts_new_sessions_only(store: LocalHistoryStore) -> None:
    await store.save(_session("s1"), max_sessions=2)
    await store.save(_session("s2"), max_sessions=2)
    with pytest.raises(TooManySessionsError):
        await store.save(_session("s3"), max_sessions=2)
    await store.save(_session("s2", marker="again"), max_sessions=2)  # a replacement
    await store.save(_session("s3", "bob"), max_sessions=2)  # another user
    assert await store.delete("alice", "s1")
    await store.save(_session("s3"), max_sessions=2)
    assert await store.get("alice", "s3") is not None


async def test_concurrent_saves_of_one_session_leave_one_of_them_whole(
    store: LocalHistoryStore,
) -> None:
    def version(n: int) -> StoredSession:
        answers = [[f"q{n}-{i}", {"message": {"content": f"a{n}-{i}"}}] for i in range(20)]
        return StoredSession("shared", "alice", f"v{n}", 1000 + n, 1000 + n, answers)

    await asyncio.gather(*(store.save(version(n), max_sessions=10) for n in range(20)))
    got = await store.get("alice", "shared")
    assert got is not None
    n = int(got.title[1:])
    assert got.answers == version(n).answers


async def test_feedback_is_replaced_by_id_and_listed_per_user_or_for_all(
    store: LocalHistoryStore,
) -> None:
    def rating(fid: str, user: str, rating: str, at: int) -> Feedback:
        return Feedback(
            id=fid,
            user_id=user,
            session_id="s1",
            answer_index=0,
            rating="up" if rating == "up" else "down",
            comment=f"{rating} by {user}",
            question="q",
            answer="a",
            citations=["a.pdf#page=1"],
            settings={"top": 3},
            timestamp=at,
        )

    await store.put_feedback(rating("f1", "alice", "up", 1000))
    await store.put_feedback(rating("f1", "alice", "down", 2000))  # changed her mind
    await store.put_feedback(rating("f2", "bob", "up", 1500))
    mine = await store.feedback(user_id="alice", rating=None, count=10, continuation_token=None)
    assert [(f.id, f.rating, f.comment) for f in mine.items] == [("f1", "down", "down by alice")]
    assert mine.items[0].citations == ["a.pdf#page=1"]
    assert mine.items[0].settings == {"top": 3}
    everyone = await store.feedback(user_id=None, rating=None, count=1, continuation_token=None)
    assert [f.id for f in everyone.items] == ["f1"]
    rest = await store.feedback(
        user_id=None, rating=None, count=1, continuation_token=everyone.continuation_token
    )
    assert [f.id for f in rest.items] == ["f2"]
    assert rest.continuation_token is None
    ups = await store.feedback(user_id=None, rating="up", count=10, continuation_token=None)
    assert [f.id for f in ups.items] == ["f2"]


WRITER = textwrap.dedent(
    """
    import asyncio, sys
    from pathlib import Path
    from app.history.base import StoredSession
    from app.history.local import LocalHistoryStore

    async def main() -> None:
        store = await LocalHistoryStore.open(Path(sys.argv[1]))
        n = 0
        while True:
            answers = [[f"q{n}-{i}", {"message": {"content": "x" * 2000 + str(n)}}] for i in range(50)]
            await store.save(StoredSession(f"s{n % 7}", "alice", f"v{n}", n, n, answers), max_sessions=100)
            n += 1
            if n == 30:
                print("saving", flush=True)

    asyncio.run(main())
    """
)


async def test_a_writer_killed_mid_save_leaves_every_session_whole(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    writer = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        WRITER,
        str(path),
        stdout=asyncio.subprocess.PIPE,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert writer.stdout is not None
        line = await asyncio.wait_for(writer.stdout.readline(), timeout=60)
        assert line.strip() == b"saving"
    finally:
        writer.send_signal(signal.SIGKILL)
        await asyncio.wait_for(writer.wait(), timeout=30)

    store = await LocalHistoryStore.open(path)
    try:
        page = await store.sessions("alice", count=100, continuation_token=None)
        assert len(page.items) == 7
        for summary in page.items:
            got = await store.get("alice", summary.id)
            assert got is not None
            n = int(got.title[1:])
            assert len(got.answers) == 50
            assert all(a[1]["message"]["content"].endswith(str(n)) for a in got.answers)
            assert all(a[0].startswith(f"q{n}-") for a in got.answers)
        # Still writable.
        await store.save(_session("after"), max_sessions=100)
        assert await store.get("alice", "after") is not None
    finally:
        await store.close()
