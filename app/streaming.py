"""Events to NDJSON lines, and events collected into one response body."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

from app.events import ContextEvent, DeltaEvent, EndEvent, Event, FollowupEvent
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
    elif isinstance(event, EndEvent):
        if not event.truncated:
            return b""  # an answer that ended by itself needs no line
        body = {"delta": {"role": "assistant"}, "finish_reason": event.finish_reason}
    else:
        context: dict[str, object] = {"followup_questions": event.questions}
        if event.note is not None:
            # Added to the thoughts of the context line, which are sent already.
            context["thoughts_added"] = [event.note.model_dump()]
        body = {"delta": {"role": "assistant"}, "context": context}
    return json.dumps(body, separators=(",", ":")).encode() + b"\n"


def error_line(message: str) -> bytes:
    """The last line of a stream that failed after it started."""
    return json.dumps({"error": message}).encode() + b"\n"


async def collect(events: AsyncIterator[Event]) -> tuple[ChatResponse, ContextEvent]:
    """Gather a whole answer from the same events the streaming routes send; with the
    context event, whose timings go in a header."""
    context: ContextEvent | None = None
    pieces: list[str] = []
    followups: FollowupEvent | None = None
    end = EndEvent()
    async for event in events:
        if isinstance(event, DeltaEvent):
            pieces.append(event.content)
        elif isinstance(event, ContextEvent):
            context = event
        elif isinstance(event, EndEvent):
            end = event
        else:
            followups = event
    if context is None:  # pragma: no cover - every approach yields its context first
        raise RuntimeError("approach ended without a context event")
    thoughts = context.thoughts
    if followups is not None and followups.note is not None:
        thoughts = [*thoughts, followups.note]
    answer = ChatResponse(
        message=AssistantMessage(content="".join(pieces)),
        context=AnswerContext(
            data_points=context.data_points,
            thoughts=thoughts,
            followup_questions=None if followups is None else followups.questions,
        ),
        session_state=context.session_state,
        finish_reason=end.finish_reason,
    )
    return answer, context
