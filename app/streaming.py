"""Events to NDJSON lines, and events collected into one response body."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

from app.events import ContextEvent, DeltaEvent, Event, FollowupEvent
from app.schemas import AnswerContext, AssistantMessage, ChatResponse

_DELTA_PREFIX = b'{"delta":{"role":"assistant","content":'


def event_line(event: Event) -> bytes:
    """One event as one NDJSON line, ending in a newline."""
    if isinstance(event, DeltaEvent):
        # The hot path: one line per streamed piece of text, so no model objects here.
        return _DELTA_PREFIX + json.dumps(event.content).encode() + b"}}\n"
    if isinstance(event, ContextEvent):
        body = {
            "delta": {"role": "assistant"},
            "context": {
                "data_points": event.data_points.model_dump(),
                "thoughts": [thought.model_dump() for thought in event.thoughts],
            },
            "session_state": event.session_state,
        }
    else:
        body = {"delta": {"role": "assistant"}, "context": {"followup_questions": event.questions}}
    return json.dumps(body, separators=(",", ":")).encode() + b"\n"


def error_line(message: str) -> bytes:
    """The last line of a stream that failed after it started."""
    return json.dumps({"error": message}).encode() + b"\n"


async def collect(events: AsyncIterator[Event]) -> tuple[ChatResponse, ContextEvent]:
    """Gather a whole answer from the same events the streaming routes send; with the
    context event, whose timings go in a header."""
    context: ContextEvent | None = None
    pieces: list[str] = []
    followups: list[str] | None = None
    async for event in events:
        if isinstance(event, DeltaEvent):
            pieces.append(event.content)
        elif isinstance(event, ContextEvent):
            context = event
        elif isinstance(event, FollowupEvent):
            followups = event.questions
    if context is None:  # pragma: no cover - every approach yields its context first
        raise RuntimeError("approach ended without a context event")
    answer = ChatResponse(
        message=AssistantMessage(content="".join(pieces)),
        context=AnswerContext(
            data_points=context.data_points,
            thoughts=context.thoughts,
            followup_questions=followups,
        ),
        session_state=context.session_state,
    )
    return answer, context
