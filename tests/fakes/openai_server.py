"""A fake OpenAI-compatible server on 127.0.0.1 (aiohttp), for tests that cross processes.

respx mocks the OpenAI SDK inside the test process; a server started as a subprocess (Gunicorn)
needs a real socket instead. Chat completions stream `chunks` pieces as SSE, waiting
`first_token_delay` before the first and `chunk_delay` between the others; non-streamed
completions (query rewriting, follow-ups) answer `completion_text`.

For the load benchmark (`bench/`) it also has to stay cheap with thousands of open streams:

* the SSE bytes of every chunk are computed once per `chunks` value, not per request;
* `tokens_per_second` paces chunks on an absolute schedule (it overrides `chunk_delay`), and
  chunks that fall due within `min_write_interval` of each other go out in one write, so a
  fast rate or an overloaded fake costs one timer per write, not one per chunk;
* `framing=True` adds what OpenAI sends around the text: a first chunk with the role, a last
  chunk with `finish_reason: "stop"` (the default keeps the plain original stream);
* `record_requests=False` keeps only counters instead of every request body.

Fault knobs (`fail_next` queues faults for the next requests in order; `set_fault_rate` injects
one at random into a share of requests, with a seeded generator):

* `"429"`: status 429 with `Retry-After` (and `retry-after-ms`) and OpenAI's error body;
* `"500"`: status 500 with an error body;
* `"reset"`: the connection is aborted (RST), before the response or after `after_chunks`;
* `"error_event"`: an in-band `data: {"error": ...}` event after `after_chunks` chunks, then
  the stream ends without `[DONE]` (what OpenAI and Azure do when generation fails);
* `"hang"`: nothing more is sent for `hang_seconds` (before the response starts, or after
  `after_chunks` chunks), then the connection is closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
from collections import deque
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal

from aiohttp import web

FaultKind = Literal["429", "500", "reset", "error_event", "hang"]
FAULT_KINDS: tuple[FaultKind, ...] = ("429", "500", "reset", "error_event", "hang")


@dataclass(frozen=True, slots=True)
class Fault:
    """One injected failure; `after_chunks=None` means before the response starts."""

    kind: FaultKind
    after_chunks: int | None = None
    retry_after: float = 1.0
    hang_seconds: float = 300.0


class FakeOpenAI:
    """`async with FakeOpenAI() as fake:` then point OPENAI_BASE_URL at `fake.base_url`."""

    def __init__(
        self,
        *,
        chunks: int = 5,
        chunk_delay: float = 0.0,
        first_token_delay: float = 0.0,
        completion_text: str = "plus plan deductible",
        tokens_per_second: float | None = None,
        min_write_interval: float = 0.005,
        framing: bool = False,
        record_requests: bool = True,
        seed: int = 0,
    ) -> None:
        self.chunks = chunks
        self.chunk_delay = chunk_delay
        self.first_token_delay = first_token_delay
        self.completion_text = completion_text
        self.tokens_per_second = tokens_per_second
        self.min_write_interval = min_write_interval
        self.framing = framing
        self.record_requests = record_requests
        self.requests: list[dict[str, Any]] = []
        self.requests_total = 0
        self.streams_started = 0
        self.streams_finished = 0
        self.streams_cut = 0
        self.faults_injected = 0
        self.fault_rate = 0.0
        self.fault_template: Fault | None = None
        self._faults: deque[Fault] = deque()
        self._random = random.Random(seed)
        self._sse: tuple[tuple[int, bool], list[bytes], bytes, bytes] | None = None
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()
        self.port = 0

    @property
    def base_url(self) -> str:
        """The URL to give the SDK, ending in /v1."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def chunk_interval(self) -> float:
        """Seconds between two chunks: from `tokens_per_second` if set, else `chunk_delay`."""
        if self.tokens_per_second:
            return 1.0 / self.tokens_per_second
        return self.chunk_delay

    async def __aenter__(self) -> FakeOpenAI:
        self._closing = asyncio.Event()
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, backlog=4096)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._closing.set()  # releases hanging requests
        if self._runner is not None:
            await self._runner.cleanup()

    # ------------------------------------------------------------------ fault controls

    def fail_next(
        self,
        kind: FaultKind,
        *,
        times: int = 1,
        after_chunks: int | None = None,
        retry_after: float = 1.0,
        hang_seconds: float = 300.0,
    ) -> None:
        """Make the next `times` requests fail with `kind` (see the module docstring)."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {FAULT_KINDS}")
        if times < 1:
            raise ValueError("times must be >= 1")
        fault = Fault(kind, after_chunks, retry_after, hang_seconds)
        self._faults.extend([fault] * times)

    def set_fault_rate(self, rate: float, fault: Fault | None) -> None:
        """Inject `fault` into a random share `rate` (0..1) of requests; 0 or None turns it off."""
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        self.fault_rate = rate if fault is not None else 0.0
        self.fault_template = fault

    @property
    def pending_faults(self) -> int:
        """Faults queued by `fail_next` that no request consumed yet."""
        return len(self._faults)

    def stats(self) -> dict[str, int]:
        """Counters, for the benchmark's report."""
        return {
            "requests": self.requests_total,
            "streams_started": self.streams_started,
            "streams_finished": self.streams_finished,
            "streams_cut": self.streams_cut,
            "faults_injected": self.faults_injected,
        }

    # ------------------------------------------------------------------ serving

    def _take_fault(self) -> Fault | None:
        if self._faults:
            fault: Fault | None = self._faults.popleft()
        elif self.fault_template is not None and self._random.random() < self.fault_rate:
            fault = self.fault_template
        else:
            return None
        self.faults_injected += 1
        return fault

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests_total += 1
        if self.record_requests:
            self.requests.append(body)
        fault = self._take_fault()
        if fault is not None and fault.kind in ("429", "500"):
            return _status_fault(fault)
        if fault is not None and fault.after_chunks is None and fault.kind != "error_event":
            await self._fail_before_response(request, fault)
            return web.Response(status=504)  # only reached when the hang ends
        if not body.get("stream"):
            if fault is not None:  # an in-band error has no place in a plain completion
                return _status_fault(Fault("500"))
            return web.json_response(self._completion(str(body.get("model", "fake"))))
        return await self._stream(request, fault)

    async def _fail_before_response(self, request: web.Request, fault: Fault) -> None:
        if fault.kind == "reset":
            _abort(request)
            raise asyncio.CancelledError  # nothing more to send on an aborted connection
        await self._hang(fault.hang_seconds)
        _abort(request)
        raise asyncio.CancelledError

    async def _stream(self, request: web.Request, fault: Fault | None) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        self.streams_started += 1
        pieces, head, tail = self._sse_bytes()
        total = len(pieces)
        limit = total if fault is None else min(total, fault.after_chunks or 0)
        loop = asyncio.get_running_loop()
        try:
            await asyncio.sleep(self.first_token_delay)
            interval = self.chunk_interval
            start = loop.time()
            sent = 0
            while sent < limit:
                due = limit
                if interval > 0:
                    due = min(limit, max(sent + 1, int((loop.time() - start) / interval) + 1))
                payload = pieces[sent] if due == sent + 1 else b"".join(pieces[sent:due])
                if sent == 0:
                    payload = head + payload
                if due == total and fault is None:
                    payload += tail
                sent = due
                await response.write(payload)
                if sent < limit:
                    wait = start + sent * interval - loop.time()
                    if interval < self.min_write_interval:
                        wait = max(wait, self.min_write_interval)
                    await asyncio.sleep(max(wait, 0.0))
            if fault is None and total == 0:
                await response.write(head + tail)
            elif fault is not None and fault.kind == "error_event":
                await response.write(_ERROR_EVENT)
            elif fault is not None and fault.kind == "hang":
                await self._hang(fault.hang_seconds)
        except (ConnectionResetError, asyncio.CancelledError):
            self.streams_cut += 1  # the client went away
            raise
        if fault is not None and fault.kind in ("reset", "hang"):
            _abort(request)
            raise asyncio.CancelledError  # nothing more to send on an aborted connection
        if fault is None:
            self.streams_finished += 1
        return response

    async def _hang(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), timeout=seconds)

    def _sse_bytes(self) -> tuple[list[bytes], bytes, bytes]:
        """The SSE bytes of each chunk, the opening and the closing; computed once per shape."""
        key = (self.chunks, self.framing)
        if self._sse is None or self._sse[0] != key:
            pieces = [_event({"content": f"piece{n} "}) for n in range(self.chunks)]
            head = _event({"role": "assistant", "content": ""}) if self.framing else b""
            tail = (_event({}, finish_reason="stop") if self.framing else b"") + _DONE
            self._sse = (key, pieces, head, tail)
        return self._sse[1], self._sse[2], self._sse[3]

    def _completion(self, model: str) -> dict[str, Any]:
        return {
            "id": "c1",
            "object": "chat.completion",
            "created": 0,
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": self.completion_text},
                    "finish_reason": "stop",
                }
            ],
        }


_DONE = b"data: [DONE]\n\n"
_ERROR_EVENT = (
    b"data: "
    + json.dumps(
        {
            "error": {
                "message": "The server had an error while processing your request.",
                "type": "server_error",
                "param": None,
                "code": None,
            }
        }
    ).encode()
    + b"\n\n"
)


def _event(delta: dict[str, str], finish_reason: str | None = None) -> bytes:
    chunk = {
        "id": "c1",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "fake",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }
    return b"data: " + json.dumps(chunk).encode() + b"\n\n"


def _status_fault(fault: Fault) -> web.Response:
    if fault.kind == "429":
        body = {
            "error": {
                "message": "Rate limit reached for requests. Please retry after a while.",
                "type": "requests",
                "param": None,
                "code": "rate_limit_exceeded",
            }
        }
        headers = {
            "Retry-After": str(max(0, round(fault.retry_after))),
            "retry-after-ms": str(round(fault.retry_after * 1000)),
        }
        return web.json_response(body, status=429, headers=headers)
    body = {
        "error": {
            "message": "The server had an error while processing your request.",
            "type": "server_error",
            "param": None,
            "code": None,
        }
    }
    return web.json_response(body, status=500)


def _abort(request: web.Request) -> None:
    transport = request.transport
    if transport is not None:
        transport.abort()
