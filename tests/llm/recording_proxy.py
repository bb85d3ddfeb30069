"""A recording proxy between the app and the model server: every chat completion the app asks
for, and what the server answered, as seen on the wire (run it with `serve_in_thread`).

The app is pointed at `proxy.base_url`; everything else (`/v1/models`, `/props`) passes
through unrecorded. A streamed reply's text, `finish_reason` and number of content chunks are
read from its SSE events; a collected one's from its JSON, usage included.

A call is recorded once its last byte has gone to the app, which may be after the app has
answered its own client: `settled()` waits for the calls in flight.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any, Self

import aiohttp
from aiohttp import web
from fakes.threaded import wait_until


@dataclass
class ModelCall:
    """One `POST /v1/chat/completions`: the request body and what came back."""

    body: dict[str, Any]
    status: int
    text: str = ""
    finish_reason: str | None = None
    chunks: int = 0
    usage: dict[str, Any] | None = None
    errors: list[Any] = field(default_factory=list)

    @property
    def max_tokens(self) -> int | None:
        """The reply's bound the app sent."""
        return self.body.get("max_tokens") or self.body.get("max_completion_tokens")

    @property
    def streamed(self) -> bool:
        return bool(self.body.get("stream"))

    @classmethod
    def parse(cls, body: dict[str, Any], status: int, received: bytes) -> ModelCall:
        """The call, its reply read from `received` (SSE events, or one JSON body)."""
        call = cls(body, status)
        if status != 200:
            call.errors.append(received.decode(errors="replace"))
        elif call.streamed:
            for line in received.decode().splitlines():
                if not line.startswith("data:") or line[5:].strip() == "[DONE]":
                    continue
                event = json.loads(line[5:])
                if "error" in event:
                    call.errors.append(event["error"])
                for choice in event.get("choices") or []:
                    if piece := (choice.get("delta") or {}).get("content"):
                        call.text += piece
                        call.chunks += 1
                    call.finish_reason = choice.get("finish_reason") or call.finish_reason
                call.usage = event.get("usage") or call.usage
        else:
            reply = json.loads(received)
            choice = reply["choices"][0]
            call.text = choice["message"].get("content") or ""
            call.finish_reason = choice.get("finish_reason")
            call.usage = reply.get("usage")
        return call


class RecordingProxy:
    """Forwards every request to `upstream` (the server's root URL) and records chat calls."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.calls: list[ModelCall] = []
        self.base_url = ""
        self._in_flight = 0
        self._lock = threading.Lock()

    def settled(self, timeout: float = 60.0) -> list[ModelCall]:
        """The calls recorded, once none is in flight (from the test's thread)."""
        assert wait_until(lambda: self._in_flight == 0, timeout=timeout), "a call never ended"
        return list(self.calls)

    async def __aenter__(self) -> Self:
        # A slow CPU model: no read deadline here, the app has its own.
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None))
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{path:.*}", self._forward)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}/v1"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._runner.cleanup()
        await self._session.close()

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        with self._lock:
            self._in_flight += 1
        try:
            return await self._relay(request)
        finally:
            with self._lock:
                self._in_flight -= 1

    async def _relay(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        headers = {
            name: request.headers[name]
            for name in ("Content-Type", "Authorization", "Accept")
            if name in request.headers
        }
        received = bytearray()
        hung_up = False
        async with self._session.request(
            request.method, self.upstream + request.path_qs, data=body, headers=headers
        ) as upstream:
            response = web.StreamResponse(status=upstream.status)
            response.headers["Content-Type"] = upstream.headers.get(
                "Content-Type", "application/octet-stream"
            )
            try:
                await response.prepare(request)
                async for chunk in upstream.content.iter_any():
                    received += chunk
                    await response.write(chunk)
                await response.write_eof()
            except ConnectionResetError:  # the app gave up on the call (its timeout)
                hung_up = True
        if request.method == "POST" and request.path.endswith("/chat/completions"):
            if hung_up:
                call = ModelCall(json.loads(body), upstream.status)
                call.errors.append("the app closed the connection before the reply was sent")
            else:
                call = ModelCall.parse(json.loads(body), upstream.status, bytes(received))
            self.calls.append(call)
        return response
