"""Fake OpenAI responses at the HTTP layer: SSE bodies and JSON completions for respx."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

import httpx
from fakes.openai_wire import chunk, completion, error, event, sse

__all__ = [
    "BASE_URL",
    "HangingStream",
    "chunk",
    "completion_response",
    "embedding_response",
    "error_response",
    "sse",
    "stream_response",
]

BASE_URL = "http://fake-openai.test/v1"


def stream_response(pieces: Sequence[str]) -> httpx.Response:
    """A streamed answer made of `pieces`."""
    events = [chunk(p) for p in pieces] + [chunk(finish_reason="stop")]
    return httpx.Response(200, content=sse(events), headers={"content-type": "text/event-stream"})


def completion_response(text: str, finish_reason: str = "stop") -> httpx.Response:
    """A non-streamed chat completion."""
    return httpx.Response(200, json=completion(text, finish_reason))


def error_response(
    status: int, code: str | None = None, message: str = "upstream says no"
) -> httpx.Response:
    """An OpenAI-style error body."""
    headers = {"retry-after": "0"} if status == 429 else {}
    return httpx.Response(status, json=error(message, type="error", code=code), headers=headers)


class HangingStream(httpx.AsyncByteStream):
    """An SSE body that sends one chunk, then waits until closed; records that it was closed."""

    def __init__(self) -> None:
        self.first_sent = asyncio.Event()
        self.closed = asyncio.Event()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield event(chunk("Hello"))
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
