"""An answer's events as `chat.completion.chunk` server-sent events (`stream: true`).

    data: {"choices": [{"delta": {"role": "assistant", "content": "", "context": {...}}}], ...}
    data: {"choices": [{"delta": {"content": "It covers"}}], ...}      one per piece of text
    data: {"choices": [{"delta": {"context": {"followup_questions": [...]}}}], ...}  if asked
    data: {"choices": [{"delta": {}, "finish_reason": "stop"}], ...}
    data: {"choices": [], "usage": {...}, ...}                       with include_usage
    data: [DONE]

The finish reason is the request's cut-off's (`stop`, `max_completion_tokens`), else the
model's (the approach's EndEvent); the usage is the model's when it reported one.
A failure after the stream started ends it with `data: {"error": {...}}` and `[DONE]`, which
the OpenAI SDKs raise as APIError. Text pieces are the hot path: their bytes are a prefix made
once per answer, the JSON string of the text, and a fixed suffix.
"""

from __future__ import annotations

import json
from typing import Any

from app.errors import AppError
from app.events import ContextEvent, DeltaEvent, EndEvent, Event
from app.openai_api.completion import Completion
from app.openai_api.errors import error_event

DONE = b"data: [DONE]\n\n"
_CONTENT_SUFFIX = b'},"logprobs":null,"finish_reason":null}]}\n\n'


class ChunkWriter:
    """The StreamWriter (app/answer_flow.py) of one streamed completion."""

    def __init__(self, completion: Completion, *, include_usage: bool) -> None:
        self._completion = completion
        self._include_usage = include_usage
        self._head = {
            "id": completion.id,
            "object": "chat.completion.chunk",
            "created": completion.created,
            "model": completion.model,
        }
        self._content_prefix = (
            "data: " + _frame(self._head)[:-1] + ',"choices":[{"index":0,"delta":{"content":'
        ).encode()

    @property
    def finished(self) -> bool:
        """Whether `stop` or the token limit ended the answer."""
        return self._completion.cutoff.finish_reason is not None

    def event(self, event: Event) -> bytes:
        """One event's chunk (none for text that the cut-off holds back, nor for the end of
        the text: its finish reason and usage go in the last chunks)."""
        if isinstance(event, DeltaEvent):
            return self._content(self._completion.cutoff.feed(event.content))
        if isinstance(event, ContextEvent):
            context = {
                "data_points": event.data_points.model_dump(),
                "thoughts": [t.model_dump() for t in self._completion.thoughts(event)],
            }
            delta: dict[str, Any] = {"role": "assistant", "content": "", "context": context}
        elif isinstance(event, EndEvent):
            self._completion.ended(event)
            return b""
        else:
            delta = {"context": {"followup_questions": event.questions}}
        return self._chunk([_choice(delta)])

    def end(self) -> bytes:
        """The held-back text, the finish reason, the usage if asked for, and `[DONE]`."""
        rest = self._content(self._completion.cutoff.flush())
        tail = rest + self._chunk([_choice({}, self._completion.finish_reason)])
        if self._include_usage:
            tail += self._chunk([], usage=self._completion.usage().model_dump())
        return tail + DONE

    def failed(self, error: AppError) -> bytes:
        """The held-back text, then the error event and `[DONE]`."""
        return self._content(self._completion.cutoff.flush()) + error_event(error) + DONE

    def _content(self, text: str) -> bytes:
        if not text:
            return b""
        return self._content_prefix + json.dumps(text).encode() + _CONTENT_SUFFIX

    def _chunk(self, choices: list[dict[str, Any]], **extra: Any) -> bytes:
        return b"data: " + _frame({**self._head, "choices": choices, **extra}).encode() + b"\n\n"


def _choice(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
    return {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}


def _frame(body: dict[str, Any]) -> str:
    return json.dumps(body, separators=(",", ":"))
