"""A fake OpenAI-compatible server on 127.0.0.1 (aiohttp), for tests that cross processes.

respx mocks the OpenAI SDK inside the test process; a server started as a subprocess (Gunicorn)
needs a real socket instead. Chat completions stream `chunks` pieces as SSE, waiting
`first_token_delay` before the first and `chunk_delay` between the others; non-streamed
completions (query rewriting, follow-ups) answer `completion_text`.
"""

from __future__ import annotations

import asyncio
import json
from types import TracebackType
from typing import Any

from aiohttp import web


class FakeOpenAI:
    """`async with FakeOpenAI() as fake:` then point OPENAI_BASE_URL at `fake.base_url`."""

    def __init__(
        self,
        *,
        chunks: int = 5,
        chunk_delay: float = 0.0,
        first_token_delay: float = 0.0,
        completion_text: str = "plus plan deductible",
    ) -> None:
        self.chunks = chunks
        self.chunk_delay = chunk_delay
        self.first_token_delay = first_token_delay
        self.completion_text = completion_text
        self.requests: list[dict[str, Any]] = []
        self.streams_finished = 0
        self.streams_cut = 0
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        """The URL to give the SDK, ending in /v1."""
        return f"http://127.0.0.1:{self.port}/v1"

    async def __aenter__(self) -> FakeOpenAI:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append(body)
        if not body.get("stream"):
            return web.json_response(
                {
                    "id": "c1",
                    "object": "chat.completion",
                    "created": 0,
                    "model": body["model"],
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": self.completion_text},
                            "finish_reason": "stop",
                        }
                    ],
                }
            )
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        try:
            await asyncio.sleep(self.first_token_delay)
            for n in range(self.chunks):
                if n:
                    await asyncio.sleep(self.chunk_delay)
                await response.write(_event(f"piece{n} "))
            await response.write(b"data: [DONE]\n\n")
        except (ConnectionResetError, asyncio.CancelledError):
            self.streams_cut += 1
            raise
        self.streams_finished += 1
        return response


def _event(content: str) -> bytes:
    chunk = {
        "id": "c1",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "fake",
        "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": None}],
    }
    return b"data: " + json.dumps(chunk).encode() + b"\n\n"
