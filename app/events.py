"""Typed events that an approach yields; the routes stream them or collect them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.schemas import DataPoints, Thought


@dataclass(frozen=True, slots=True)
class ContextEvent:
    """First event: what was retrieved and how, before any answer text."""

    data_points: DataPoints
    thoughts: list[Thought]
    session_state: Any
    # How long each step before the answer took, in milliseconds, in order: for the
    # response's Server-Timing header, not for the body.
    timings: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class DeltaEvent:
    """A piece of answer text."""

    content: str


@dataclass(frozen=True, slots=True)
class TokenUsage:
    """Tokens of the answer call: as the model reported them, or counted here (`estimated`)."""

    prompt_tokens: int
    completion_tokens: int
    estimated: bool


@dataclass(frozen=True, slots=True)
class EndEvent:
    """After the last piece of answer text, before any follow-up questions: why the answer
    stopped (`"stop"`, or `"length"` when it was cut at its token bound) and its usage."""

    finish_reason: str = "stop"
    usage: TokenUsage | None = None

    @property
    def truncated(self) -> bool:
        """Whether the model stopped at `max_tokens` rather than at the end of its answer."""
        return self.finish_reason == "length"


@dataclass(frozen=True, slots=True)
class FollowupEvent:
    """Suggested follow-up questions, after the answer."""

    questions: list[str]
    # Why there are none, when the model could not suggest them (a thought to add).
    note: Thought | None = None


Event = ContextEvent | DeltaEvent | EndEvent | FollowupEvent
