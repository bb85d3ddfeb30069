"""Where an answer ends when the request says so: before the first `stop` sequence, or at the
`max_completion_tokens` limit; and how many tokens were sent.

The model is asked for at most the server's OPENAI_MAX_TOKENS (app/models/budget.py), not for
the request's own limits, so those are applied to the answer as it streams. A stop sequence
may be split across pieces: up to its length less one character is held back until the next
piece shows whether it continues. Tokens are counted with the app's tokenizer (app/tokens.py),
piece by piece: an estimate for models with another tokenizer, as `usage.estimated` says.
"""

from __future__ import annotations

from typing import Literal

from app.tokens import encoding

Cut = Literal["stop", "length"]  # why the answer was cut here


class Cutoff:
    """Feed the answer's pieces through `feed`, then `flush` at the end; `finish_reason` is set
    once the answer must end (the caller stops reading the model)."""

    def __init__(
        self, *, stop: tuple[str, ...] = (), token_limit: int | None = None, count: bool = False
    ) -> None:
        self._stop = stop
        self._hold = max((len(s) for s in stop), default=1) - 1
        self._held = ""
        self._limit = token_limit
        self._count = count or token_limit is not None
        self.tokens = 0  # tokens of the text handed out so far (when counting)
        self.finish_reason: Cut | None = None

    def feed(self, piece: str) -> str:
        """The text to send now for `piece` (perhaps less, perhaps held text too)."""
        if self.finish_reason is not None:
            return ""
        if not self._stop:
            return self._within_limit(piece)
        text = self._held + piece
        found = [i for i in (text.find(s) for s in self._stop) if i >= 0]
        if found:
            self._held = ""
            text = self._within_limit(text[: min(found)])
            self.finish_reason = self.finish_reason or "stop"
            return text
        keep = max(len(text) - self._hold, 0)
        self._held = text[keep:]
        return self._within_limit(text[:keep])

    def flush(self) -> str:
        """The held-back text, once the answer has ended (it holds no stop sequence)."""
        text, self._held = self._held, ""
        return self._within_limit(text) if text and self.finish_reason is None else ""

    def _within_limit(self, text: str) -> str:
        if not self._count or not text:
            return text
        tokens = encoding().encode(text, disallowed_special=())
        if self._limit is not None and self.tokens + len(tokens) > self._limit:
            room = self._limit - self.tokens
            self.tokens = self._limit
            self.finish_reason = "length"
            # A token may end inside a character: drop the broken bytes, not add U+FFFD.
            return encoding().decode_bytes(tokens[:room]).decode("utf-8", errors="ignore")
        self.tokens += len(tokens)
        return text
