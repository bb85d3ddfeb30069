"""Trim conversation history to a token budget, newest turns first."""

from __future__ import annotations

from collections.abc import Sequence

from app.schemas import Message
from app.tokens import MESSAGE_OVERHEAD, count_tokens


def trim_history(history: Sequence[Message], budget: int) -> list[Message]:
    """The most recent messages whose tokens fit in `budget`, in their original order."""
    kept: list[Message] = []
    used = 0
    for message in reversed(history):
        used += count_tokens(message.content) + MESSAGE_OVERHEAD
        if used > budget:
            break
        kept.append(message)
    kept.reverse()
    return kept
