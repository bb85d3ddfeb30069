"""Deadlines for whole upstream calls: past one, the call fails with a message a person reads.

The clients' own timeouts bound each silence (connecting, waiting for bytes); these bound the
call as a whole, retries included (MODEL_TIMEOUT_SECONDS, SEARCH_TIMEOUT_SECONDS).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from app.errors import UpstreamTimeoutError

MODEL_TOO_SLOW = UpstreamTimeoutError.message
SEARCH_TOO_SLOW = "The search service took too long to answer. Try again."
ANSWER_TOO_LONG = (
    "The language model took longer than this server allows for one answer, so the answer is "
    "incomplete. Try again, or ask for a shorter answer."
)


@asynccontextmanager
async def within(seconds: float | None, message: str) -> AsyncIterator[None]:
    """Run the block for at most `seconds` (None: no limit); then raise
    UpstreamTimeoutError(`message`)."""
    try:
        async with asyncio.timeout(seconds):
            yield
    except TimeoutError as exc:
        raise UpstreamTimeoutError(message) from exc
