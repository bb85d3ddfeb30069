"""The OpenAI chat completions wire format, as every fake sends it: one definition.

Used by the socket fake (`fakes.openai_server`) and by the respx bodies (`openai_fakes`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

MODEL = "fake-model"
DONE = b"data: [DONE]\n\n"


def chunk(
    content: str | None = None, finish_reason: str | None = None, *, role: str | None = None
) -> dict[str, Any]:
    """One `chat.completion.chunk`; no content and no role gives an empty delta."""
    delta: dict[str, str] = {} if role is None else {"role": role}
    if content is not None:
        delta["content"] = content
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }


def event(payload: dict[str, Any] | str) -> bytes:
    """One SSE event: a `data:` line with the JSON (or the raw text) and a blank line."""
    text = payload if isinstance(payload, str) else json.dumps(payload)
    return b"data: " + text.encode() + b"\n\n"


def sse(events: Iterable[dict[str, Any] | str], *, done: bool = True) -> bytes:
    """An SSE body: each event, then `[DONE]` unless `done=False`."""
    return b"".join(event(e) for e in events) + (DONE if done else b"")


def completion(text: str, finish_reason: str = "stop", model: str = MODEL) -> dict[str, Any]:
    """A non-streamed `chat.completion`."""
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": finish_reason,
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def error(
    message: str = "The server had an error while processing your request.",
    *,
    type: str = "server_error",  # OpenAI's field name
    code: str | None = None,
) -> dict[str, Any]:
    """OpenAI's error body, as a status response or an in-band stream event."""
    return {"error": {"message": message, "type": type, "param": None, "code": code}}
