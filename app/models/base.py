"""The chat model protocol that the approaches talk to."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from app.events import EndEvent
from app.schemas import Message, Thought
from app.search import SearchHit


@dataclass(frozen=True, slots=True)
class AnswerPrompt:
    """Everything a model needs to answer: the question, earlier turns and the sources."""

    kind: Literal["chat", "ask"]
    question: str
    history: Sequence[Message]
    sources: Sequence[SearchHit]
    use_captions: bool = False
    temperature: float | None = None
    seed: int | None = None
    prompt_template: str | None = None
    language: str | None = None
    max_tokens: int | None = None  # the caller's bound on the answer, below the model's own


class AnswerStream(Protocol):
    """Pieces of answer text; `aclose` releases the upstream connection at any point."""

    def __aiter__(self) -> AsyncIterator[str]: ...

    async def aclose(self) -> None: ...

    @property
    def end(self) -> EndEvent:
        """Why the answer stopped and what it used, once the last piece is read."""
        ...


@dataclass(frozen=True, slots=True)
class OpenedAnswer:
    """An answer being streamed; what the model was given, for the thought process; and the
    prompt as sent, which may hold fewer turns and sources than asked for (see budget.py)."""

    stream: AnswerStream
    thought: Thought
    prompt: AnswerPrompt


class ChatModel(Protocol):
    """Turns conversations into search queries and sources into cited answers. A model holds
    no connection of its own: the clients it is given are closed by whoever made them (the
    services' exit stack), which may share them with the embedder."""

    @property
    def description(self) -> str:
        """A short description for `/config` and the thought process."""
        ...

    @property
    def is_language_model(self) -> bool:
        """False for the built-in extractive answerer."""
        ...

    async def search_query(self, conversation: Sequence[Message]) -> str:
        """A search query for the last question, in the context of the conversation."""
        ...

    async def open_answer(self, prompt: AnswerPrompt) -> OpenedAnswer:
        """Start an answer; upstream errors that come before any text are raised here."""
        ...

    async def followup_questions(self, prompt: AnswerPrompt, answer: str) -> list[str]:
        """Questions the person may want to ask next."""
        ...
