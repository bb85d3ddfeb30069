"""Fake OpenAI responses at the HTTP layer: SSE bodies and JSON completions for respx."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx

BASE_URL = "http://fake-openai.test/v1"


def chunk(content: str | None = None, finish_reason: str | None = None) -> dict[str, Any]:
    """One chat.completion.chunk."""
    delta = {} if content is None else {"content": content}
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "fake-model",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }


def sse(events: Sequence[dict[str, Any] | str]) -> bytes:
    """An SSE body: each event as a `data:` line, then `[DONE]`."""
    lines = [f"data: {e if isinstance(e, str) else json.dumps(e)}\n\n" for e in events]
    return ("".join(lines) + "data: [DONE]\n\n").encode()


def stream_response(pieces: Sequence[str]) -> httpx.Response:
    """A streamed answer made of `pieces`."""
    events = [chunk(p) for p in pieces] + [chunk(finish_reason="stop")]
    return httpx.Response(200, content=sse(events), headers={"content-type": "text/event-stream"})


def completion_response(text: str, finish_reason: str = "stop") -> httpx.Response:
    """A non-streamed chat completion."""
    return httpx.Response(
        200,
        json={
            "id": "chatcmpl-2",
            "object": "chat.completion",
            "created": 0,
            "model": "fake-model",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": finish_reason,
                }
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        },
    )


def error_response(
    status: int, code: str | None = None, message: str = "upstream says no"
) -> httpx.Response:
    """An OpenAI-style error body."""
    headers = {"retry-after": "0"} if status == 429 else {}
    body = {"error": {"message": message, "type": "error", "code": code}}
    return httpx.Response(status, json=body, headers=headers)


class HangingStream(httpx.AsyncByteStream):
    """An SSE body that sends one chunk, then waits until closed; records that it was closed."""

    def __init__(self) -> None:
        self.first_sent = asyncio.Event()
        self.closed = asyncio.Event()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield sse([chunk("Hello")])[: -len(b"data: [DONE]\n\n")]
        self.first_sent.set()
        await asyncio.Event().wait()  # a model that keeps the stream open

    async def aclose(self) -> None:
        self.closed.set()


def embedding_response(vectors: Sequence[Sequence[float]]) -> httpx.Response:
    """An embeddings response."""
    return httpx.Response(
        200,
        json={
            "object": "list",
            "data": [
                {"object": "embedding", "index": i, "embedding": list(v)}
                for i, v in enumerate(vectors)
            ],
            "model": "fake-embed",
            "usage": {"prompt_tokens": 1, "total_tokens": 1},
        },
    )
