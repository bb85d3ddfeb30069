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
class FollowupEvent:
    """Suggested follow-up questions, after the answer."""

    questions: list[str]


Event = ContextEvent | DeltaEvent | FollowupEvent
