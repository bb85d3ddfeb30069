"""Trim conversation history to a token budget, newest turns first."""

from __future__ import annotations

from collections.abc import Sequence

from app.schemas import Message
from app.tokens import count_tokens

# Per-message overhead of the chat format (role and separators), as OpenAI documents it.
_MESSAGE_OVERHEAD = 4


def trim_history(history: Sequence[Message], budget: int) -> list[Message]:
    """The most recent messages whose tokens fit in `budget`, in their original order."""
    kept: list[Message] = []
    used = 0
    for message in reversed(history):
        used += count_tokens(message.content) + _MESSAGE_OVERHEAD
        if used > budget:
            break
        kept.append(message)
    kept.reverse()
    return kept
