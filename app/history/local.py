"""Sessions and feedback in SQLite (`LOCAL_INDEX_DIR/history.sqlite3`), through aiosqlite.

Every statement runs on aiosqlite's thread, never on the event loop. WAL lets readers go on
while a save commits; each save is one statement (one transaction), so a process killed
mid-write loses at most that save and leaves the file readable. Every write is a single
statement in autocommit mode: no transaction stays open across an await, and several workers
may share the file.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiosqlite
from pydantic_core import to_json

from app.history.base import (
    Feedback,
    InvalidTokenError,
    Page,
    Rating,
    SessionSummary,
    StoredSession,
    TooManySessionsError,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    user_id TEXT NOT NULL,
    id TEXT NOT NULL,
    title TEXT NOT NULL,
    created INTEGER NOT NULL,
    timestamp INTEGER NOT NULL,
    answers TEXT NOT NULL,
    PRIMARY KEY (user_id, id)
);
CREATE INDEX IF NOT EXISTS sessions_newest ON sessions(user_id, timestamp DESC, id DESC);
CREATE TABLE IF NOT EXISTS feedback (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    answer_index INTEGER NOT NULL,
    rating TEXT NOT NULL,
    comment TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    settings TEXT NOT NULL,
    timestamp INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_newest ON feedback(timestamp DESC, id DESC);
CREATE INDEX IF NOT EXISTS feedback_by_user ON feedback(user_id, timestamp DESC, id DESC);
"""

_FEEDBACK_COLUMNS = (
    "id, user_id, session_id, answer_index, rating, comment, question, answer, citations,"
    " settings, timestamp"
)


class LocalHistoryStore:
    """The SQLite store; one instance (one connection) per worker."""

    def __init__(self, db: aiosqlite.Connection) -> None:
        self._db = db

    @classmethod
    async def open(cls, path: Path) -> LocalHistoryStore:
        """Open (creating if needed) the store at `path`."""
        path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode: each transaction below is opened and closed explicitly.
        db = await aiosqlite.connect(path, isolation_level=None, timeout=30)
        await db.execute("PRAGMA journal_mode=WAL")
        await db.execute("PRAGMA synchronous=NORMAL")  # with WAL: safe against a killed process
        await db.executescript(SCHEMA)
        return cls(db)

    async def close(self) -> None:
        """Close the connection."""
        await self._db.close()

    # -- sessions -------------------------------------------------------------------------

    async def save(
        self, session: StoredSession, *, max_sessions: int, keep_title: bool = False
    ) -> StoredSession:
        """Insert or replace the session in one statement (one transaction, one round trip to
        aiosqlite's thread); `created` stays the first one, and the title too with `keep_title`.

        A write statement takes SQLite's write lock before it reads, so the count against
        `max_sessions` and the insert are one step, across workers too.
        """
        answers = to_json(session.answers).decode()
        rows = await self._db.execute_fetchall(
            "INSERT INTO sessions (user_id, id, title, created, timestamp, answers)"
            " SELECT :user_id, :id, :title, :created, :timestamp, :answers"
            " WHERE EXISTS (SELECT 1 FROM sessions WHERE user_id = :user_id AND id = :id)"
            " OR (SELECT COUNT(*) FROM sessions WHERE user_id = :user_id) < :max_sessions"
            " ON CONFLICT (user_id, id) DO UPDATE SET"
            " title = CASE WHEN :keep_title THEN sessions.title ELSE excluded.title END,"
            " timestamp = excluded.timestamp, answers = excluded.answers"
            " RETURNING created, title",
            {
                "user_id": session.user_id,
                "id": session.id,
                "title": session.title,
                "created": session.created,
                "timestamp": session.timestamp,
                "answers": answers,
                "max_sessions": max_sessions,
                "keep_title": keep_title,
            },
        )
        if not rows:
            raise TooManySessionsError
        [(created, title)] = rows
        return replace(session, created=int(created), title=str(title))

    async def get(self, user_id: str, session_id: str) -> StoredSession | None:
        """The user's session, or None."""
        async with self._db.execute(
            "SELECT id, user_id, title, created, timestamp, answers FROM sessions"
            " WHERE user_id = ? AND id = ?",
            (user_id, session_id),
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None
        return StoredSession(
            str(row[0]), str(row[1]), str(row[2]), int(row[3]), int(row[4]), json.loads(row[5])
        )

    async def sessions(
        self, user_id: str, *, count: int, continuation_token: str | None
    ) -> Page[SessionSummary]:
        """The user's sessions, newest first, `count` at a time."""
        after, params = _after(continuation_token)
        async with self._db.execute(
            f"SELECT id, title, timestamp FROM sessions WHERE user_id = ?{after}"  # noqa: S608
            " ORDER BY timestamp DESC, id DESC LIMIT ?",
            (user_id, *params, count + 1),
        ) as cursor:
            rows = list(await cursor.fetchall())
        items = [SessionSummary(str(r[0]), str(r[1]), int(r[2])) for r in rows[:count]]
        token = _token(items[-1].timestamp, items[-1].id) if len(rows) > count else None
        return Page(items, token)

    async def rename(self, user_id: str, session_id: str, title: str, *, now: int) -> bool:
        """Set the title and the timestamp."""
        cursor = await self._db.execute(
            "UPDATE sessions SET title = ?, timestamp = ? WHERE user_id = ? AND id = ?",
            (title, now, user_id, session_id),
        )
        return cursor.rowcount > 0

    async def delete(self, user_id: str, session_id: str) -> bool:
        """Delete the session."""
        cursor = await self._db.execute(
            "DELETE FROM sessions WHERE user_id = ? AND id = ?", (user_id, session_id)
        )
        return cursor.rowcount > 0

    # -- feedback -------------------------------------------------------------------------

    async def put_feedback(self, feedback: Feedback) -> None:
        """Insert or replace the feedback with this id."""
        row = (
            feedback.id,
            feedback.user_id,
            feedback.session_id,
            feedback.answer_index,
            feedback.rating,
            feedback.comment,
            feedback.question,
            feedback.answer,
            json.dumps(feedback.citations, ensure_ascii=False),
            json.dumps(feedback.settings, ensure_ascii=False),
            feedback.timestamp,
        )
        await self._db.execute(
            f"INSERT OR REPLACE INTO feedback ({_FEEDBACK_COLUMNS})"  # noqa: S608
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            row,
        )

    async def feedback(
        self,
        *,
        user_id: str | None,
        rating: Rating | None,
        count: int,
        continuation_token: str | None,
    ) -> Page[Feedback]:
        """Feedback, newest first: one user's, or everyone's."""
        clauses, params = [], []
        if user_id is not None:
            clauses.append(" AND user_id = ?")
            params.append(user_id)
        if rating is not None:
            clauses.append(" AND rating = ?")
            params.append(rating)
        after, after_params = _after(continuation_token)
        async with self._db.execute(
            f"SELECT {_FEEDBACK_COLUMNS} FROM feedback WHERE 1 = 1"  # noqa: S608
            f"{''.join(clauses)}{after} ORDER BY timestamp DESC, id DESC LIMIT ?",
            (*params, *after_params, count + 1),
        ) as cursor:
            rows = list(await cursor.fetchall())
        items = [_feedback(row) for row in rows[:count]]
        token = _token(items[-1].timestamp, items[-1].id) if len(rows) > count else None
        return Page(items, token)


def _feedback(row: Sequence[Any]) -> Feedback:
    return Feedback(
        id=str(row[0]),
        user_id=str(row[1]),
        session_id=str(row[2]),
        answer_index=int(row[3]),
        rating="up" if row[4] == "up" else "down",
        comment=str(row[5]),
        question=str(row[6]),
        answer=str(row[7]),
        citations=list(json.loads(row[8])),
        settings=dict(json.loads(row[9])),
        timestamp=int(row[10]),
    )


def _token(timestamp: int, item_id: str) -> str:
    """An opaque continuation token: where the next page starts (keyset, not an offset, so
    a save between two pages neither skips nor repeats an item of the older ones)."""
    return base64.urlsafe_b64encode(json.dumps([timestamp, item_id]).encode()).decode()


def _after(token: str | None) -> tuple[str, list[Any]]:
    """` AND ...` for the rows after `token`; InvalidTokenError if it is not one of ours."""
    if token is None:
        return "", []
    try:
        timestamp, item_id = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, TypeError) as exc:
        raise InvalidTokenError from exc
    if not isinstance(timestamp, int) or not isinstance(item_id, str):
        raise InvalidTokenError
    return " AND (timestamp < ? OR (timestamp = ? AND id < ?))", [timestamp, timestamp, item_id]
