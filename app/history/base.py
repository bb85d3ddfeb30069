"""What a conversation store keeps, and the protocol both stores (SQLite, Cosmos DB) implement.

A session is saved whole: one record per session, replaced atomically, so two tabs saving the
same session leave the last save complete, never a mix. Feedback is a copy of the answer it
rates (question, answer, citations, settings), so it outlives the session it came from.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, Protocol, TypeVar

Rating = Literal["up", "down"]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class StoredSession:
    """One conversation of one user; `answers` are `[question, response]` pairs, as JSON."""

    id: str
    user_id: str
    title: str
    created: int  # ms since the epoch, of the first save
    timestamp: int  # ms since the epoch, of the last save or rename
    answers: list[Any]


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """A session in a list: no answers."""

    id: str
    title: str
    timestamp: int


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list, newest first; `continuation_token` is None on the last page."""

    items: list[T]
    continuation_token: str | None = None


@dataclass(frozen=True, slots=True)
class Feedback:
    """A rating of one answer, with a copy of what was rated."""

    id: str
    user_id: str
    session_id: str
    answer_index: int
    rating: Rating
    comment: str
    question: str
    answer: str
    citations: list[str] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    timestamp: int = 0


def now_ms() -> int:
    """The time as stored: milliseconds since the epoch."""
    return int(time.time() * 1000)


class TooManySessionsError(Exception):
    """Saving a new session would pass the per-user limit."""


class InvalidTokenError(Exception):
    """A continuation token this store did not issue."""


class HistoryStore(Protocol):
    """Sessions and feedback, partitioned by user id; every method is one round of I/O.

    The stores (local.py, cosmos.py) repeat these signatures: that is what implementing a
    Protocol takes, not copied logic.
    """

    async def save(
        self, session: StoredSession, *, max_sessions: int, keep_title: bool = False
    ) -> StoredSession:
        """Insert or replace `session` whole; keeps `created` of an earlier save, and its title
        too with `keep_title` (a save that sends no title must not undo a rename). Raises
        TooManySessionsError for a new session when its user already has `max_sessions`."""
        ...

    async def get(self, user_id: str, session_id: str) -> StoredSession | None:
        """The user's session, or None (also for another user's id)."""
        ...

    async def sessions(
        self, user_id: str, *, count: int, continuation_token: str | None
    ) -> Page[SessionSummary]:
        """The user's sessions, newest `timestamp` first; InvalidTokenError for a bad token."""
        ...

    async def rename(self, user_id: str, session_id: str, title: str, *, now: int) -> bool:
        """Set the title (and the timestamp); False if the user has no such session."""
        ...

    async def delete(self, user_id: str, session_id: str) -> bool:
        """Delete the session; False if the user has no such session."""
        ...

    async def put_feedback(self, feedback: Feedback) -> None:
        """Insert or replace the feedback with this id."""
        ...

    async def feedback(
        self,
        *,
        user_id: str | None,
        rating: Rating | None,
        count: int,
        continuation_token: str | None,
    ) -> Page[Feedback]:
        """Feedback, newest first: one user's, or everyone's with `user_id=None`."""
        ...
