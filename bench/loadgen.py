"""The load generator: NDJSON answer streams over aiohttp, closed-loop or open-loop.

Per request it records the time to the response headers (TTFB), to the first answer token
(the first NDJSON line whose `delta` has `content`), and to the end of the stream, and whether
the stream ended properly: status 200, every line complete, no `{"error": ...}` line, and every
chunk the fake model sent present in the answer (the fake's chunks are `piece0 `, `piece1 `...;
a server may join several into one line, so pieces are counted, not lines).
OpenAI's route (`/v1/chat/completions`) is read the same way, its server-sent events line by
line (bench/chat_completions.py), and must end with `data: [DONE]`.

The body is read as raw bytes: only the lines before the first token are parsed as JSON, later
ones are only counted, and the last one is parsed at the end, so the generator stays cheap at
thousands of streams (its own CPU use is reported with every result, to show when it is the
bottleneck rather than the server).

With conversations saved on the server (`closed_loop(..., save_history=True)`), each client is
a `Browser` doing what the SPA does: it parses every line of the answer, then saves the whole
conversation so far with `POST /chat_history` in its own cookie jar, five answers to a
conversation. Its sample is the answer plus the save.

When the server reports its own timings (`Server-Timing: search;dur=1.234`, milliseconds, sent
with the stream's headers), the `search` metric is kept with the sample: under load it is the
time of the retriever's call as the server saw it, which no client-side clock can separate
from the rest of the time to first token.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import random
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bench import chat_completions
from bench.lines import json_object

JSON_HEADERS = {"Content-Type": "application/json"}
HISTORY_PATH = "/chat_history"
ANON_COOKIE = "ragchat_anon"  # the server's id of an anonymous browser (HttpOnly)
ANSWERS_PER_CONVERSATION = 5  # then the browser starts a new conversation


@dataclass(frozen=True, slots=True)
class Target:
    """Where to send requests and what a complete answer looks like."""

    base_url: str
    path: str = "/ask/stream"
    question: str = "What is the deductible?"
    expected_pieces: int | None = None  # the fake model's chunks, each holding `marker`
    marker: bytes = b"piece"
    timeout: float = 120.0

    @property
    def url(self) -> str:
        """The full URL of the streaming route."""
        return self.base_url + self.path

    @property
    def events(self) -> bool:
        """Whether the route is OpenAI's (server-sent events, bench/chat_completions.py)."""
        return self.path == chat_completions.PATH

    @property
    def body(self) -> bytes:
        """The request body: one user message."""
        if self.events:
            return chat_completions.body(self.question)
        return json.dumps({"messages": [{"role": "user", "content": self.question}]}).encode()

    @property
    def headers(self) -> dict[str, str]:
        """The request headers (the API key for OpenAI's route)."""
        return chat_completions.HEADERS if self.events else JSON_HEADERS


@dataclass(slots=True)
class Sample:
    """One request, times in seconds from its (scheduled) start."""

    start: float
    end: float = math.nan
    ttfb: float = math.nan
    ttft: float = math.nan
    ok: bool = False
    error: str | None = None
    lines: int = 0
    pieces: int = 0
    save: float = math.nan  # seconds of the `POST /chat_history` after the answer, if any
    save_bytes: int = 0
    search: float = math.nan  # seconds of the server's search call (Server-Timing), if sent

    @property
    def total(self) -> float:
        """Seconds from the start to the end of the stream."""
        return self.end - self.start


def new_session(*, limit: int = 0, cookies: bool = False) -> aiohttp.ClientSession:
    """A session without aiohttp's default cap of 100 connections; with `cookies`, a jar that
    keeps what 127.0.0.1 sets (aiohttp's default jar ignores cookies from IP addresses)."""
    connector = aiohttp.TCPConnector(limit=limit, limit_per_host=0, force_close=False)
    jar = aiohttp.CookieJar(unsafe=True) if cookies else None
    return aiohttp.ClientSession(
        connector=connector, cookie_jar=jar, timeout=aiohttp.ClientTimeout(total=None)
    )


def _content_of(line: bytes) -> tuple[bool, str | None]:
    """(is an answer token, error message) for one NDJSON line."""
    obj, error = json_object(line, "NDJSON line")
    if obj is None:
        return False, error
    delta = obj.get("delta")
    return bool(isinstance(delta, dict) and delta.get("content")), None


async def stream_once(
    session: aiohttp.ClientSession,
    target: Target,
    start: float | None = None,
    on_token: Callable[[], None] | None = None,
    events: list[Any] | None = None,
) -> Sample:
    """Send one request and read its whole stream; never raises (errors go in the sample).

    `on_token` is called when the first answer token arrives. With `events`, every line is
    parsed and appended to it, as the SPA keeps them.
    """
    sample = Sample(start=time.perf_counter() if start is None else start)
    try:
        async with asyncio.timeout(target.timeout):
            await _read_stream(session, target, sample, on_token, events)
    except TimeoutError:
        sample.error = "timeout"
    except aiohttp.ClientError as exc:
        sample.error = f"{type(exc).__name__}"
    except OSError as exc:
        sample.error = f"{type(exc).__name__}: {exc.strerror}"
    if math.isnan(sample.end):
        sample.end = time.perf_counter()
    sample.ok = sample.error is None
    return sample


async def _read_stream(
    session: aiohttp.ClientSession,
    target: Target,
    sample: Sample,
    on_token: Callable[[], None] | None,
    events: list[Any] | None,
) -> None:
    content_of = chat_completions.content_of if target.events else _content_of
    async with session.post(target.url, data=target.body, headers=target.headers) as response:
        sample.ttfb = time.perf_counter() - sample.start
        if timings := response.headers.getall("Server-Timing", ()):
            sample.search = server_timing(",".join(timings), "search")
        if response.status != 200:
            await response.read()
            sample.error = f"HTTP {response.status}"
            return
        marker = target.marker
        pending = b""  # bytes after the last newline
        last = b""  # the last complete line
        lines = pieces = 0
        found = False
        tail = b""  # the stream's last bytes, for the end of an event stream
        async for data in response.content.iter_any():
            tail = (tail + data)[-len(chat_completions.DONE) :]
            joined = pending + data if pending else data
            end = joined.rfind(b"\n")
            if end < 0:
                pending = joined
                continue
            if events is not None and (error := _parse_lines(joined[:end], events)):
                sample.error = error
                return
            start = 0
            while not found and start <= end:  # parse lines until the first token
                cut = joined.index(b"\n", start)
                last = joined[start:cut]
                start = cut + 1
                lines += 1
                found, error = content_of(last)
                if error is not None:
                    sample.error = error
                    return
                if found:
                    pieces += last.count(marker)
                    sample.ttft = time.perf_counter() - sample.start
                    if on_token is not None:
                        on_token()
            if start <= end:  # complete lines after the first token: only counted
                lines += joined.count(b"\n", start, end + 1)
                pieces += joined.count(marker, start, end)
                previous = joined.rfind(b"\n", start, end)
                last = joined[previous + 1 if previous >= 0 else start : end]
            pending = joined[end + 1 :]
        sample.end = time.perf_counter()
        sample.lines, sample.pieces = lines, pieces
        if pending:
            sample.error = "last line has no newline"
        elif target.events and tail != chat_completions.DONE:
            sample.error = "no data: [DONE] at the end"
        elif b'"error"' in last and _content_of(last)[1] is not None:
            sample.error = _content_of(last)[1]
        elif not found:
            sample.error = "no answer token"
        elif target.expected_pieces is not None and pieces != target.expected_pieces:
            sample.error = f"{pieces} of {target.expected_pieces} chunks"


def server_timing(header: str, metric: str) -> float:
    """Seconds of `metric`'s `dur` in a Server-Timing header value (milliseconds there, as
    in `search;dur=1.234, model;desc="x";dur=2`); NaN when it is not there."""
    for entry in header.split(","):
        name, *params = (part.strip() for part in entry.split(";"))
        if name != metric:
            continue
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "dur":
                try:
                    return float(value.strip().strip('"')) / 1000
                except ValueError:
                    return math.nan
    return math.nan


def _parse_lines(lines: bytes, events: list[Any]) -> str | None:
    """Append each of these complete NDJSON lines, parsed; an error message for a bad one."""
    for line in lines.split(b"\n"):
        try:
            events.append(json.loads(line))
        except ValueError:
            return "invalid NDJSON line"
    return None


def saved_response(events: list[Any]) -> dict[str, Any]:
    """What the SPA saves of one streamed answer: its text, the context line's context and
    session state, every line as received, and the overrides sent (none here)."""
    first = events[0] if events and isinstance(events[0], dict) else {}
    text = "".join(
        str(event["delta"]["content"])
        for event in events
        if isinstance(event, dict)
        and isinstance(event.get("delta"), dict)
        and event["delta"].get("content")
    )
    return {
        "message": {"role": "assistant", "content": text},
        "context": first.get("context", {}),
        "session_state": first.get("session_state"),
        "events": events,
        "settings": {},
    }


@dataclass
class Browser:
    """One person in the SPA with conversations kept on the server.

    Its own cookie jar (the server knows an anonymous browser by the HttpOnly cookie it sets
    on the first save) and its own keep-alive connection. After each answer it saves the whole
    conversation so far; after `ANSWERS_PER_CONVERSATION` answers it starts a new one.

    A browser may join its first conversation `offset` answers in (copies of its first
    answer): browsers started together with offsets 0..4 send the steady mix of save sizes
    (1 to 5 answers) from the start, not only short conversations in a short window.
    """

    offset: int = 0
    session: aiohttp.ClientSession = field(default_factory=lambda: new_session(cookies=True))
    conversation: str = ""
    answers: list[list[Any]] = field(default_factory=list)
    known: bool = False  # the server has given this browser its cookie

    async def ask(self, target: Target, start: float | None = None) -> Sample:
        """One answer, then its save; the sample ends when the save has been answered."""
        if not self.conversation or len(self.answers) >= ANSWERS_PER_CONVERSATION:
            self.conversation, self.answers = f"bench-{uuid.uuid4().hex}", []
        events: list[Any] = []
        sample = await stream_once(self.session, target, start, events=events)
        if not sample.ok:
            return sample
        answer = [target.question, saved_response(events)]
        self.answers += [answer] * (1 + self.offset)
        self.offset = 0
        body = json.dumps(
            {"id": self.conversation, "answers": self.answers}, separators=(",", ":")
        ).encode()  # as the SPA's JSON.stringify
        saving = time.perf_counter()
        try:
            async with (
                asyncio.timeout(target.timeout),
                self.session.post(
                    target.base_url + HISTORY_PATH, data=body, headers=JSON_HEADERS
                ) as response,
            ):
                await response.read()
                issued = ANON_COOKIE in response.cookies
                if response.status != 201:
                    sample.error = f"save: HTTP {response.status}"
                elif issued == self.known:  # a second cookie: the jar did not send the first
                    sample.error = f"save: {'a new' if issued else 'no'} {ANON_COOKIE} cookie"
                self.known = True
        except TimeoutError:
            sample.error = "save: timeout"
        except aiohttp.ClientError as exc:
            sample.error = f"save: {type(exc).__name__}"
        except OSError as exc:
            sample.error = f"save: {type(exc).__name__}: {exc.strerror}"
        sample.end = time.perf_counter()
        sample.save, sample.save_bytes = sample.end - saving, len(body)
        sample.ok = sample.error is None
        return sample

    async def close(self) -> None:
        """Close the browser's connection."""
        await self.session.close()


Hook = Callable[[], Awaitable[None]]


@dataclass
class Run:
    """The samples of one load level and its measurement window (perf_counter seconds)."""

    samples: list[Sample] = field(default_factory=list)
    window_start: float = 0.0
    window_end: float = 0.0
    cut: int = 0  # requests still running at the end of the drain, cancelled
    preconnected: int = 0  # connections opened first, with one `GET /healthz` each

    def in_window(self) -> list[Sample]:
        """Requests that ended inside the window."""
        return [s for s in self.samples if self.window_start <= s.end <= self.window_end]


async def _window(run: Run, on_start: Hook | None, on_end: Hook | None) -> None:
    await asyncio.sleep(max(0.0, run.window_start - time.perf_counter()))
    if on_start is not None:
        await on_start()
    await asyncio.sleep(max(0.0, run.window_end - time.perf_counter()))
    if on_end is not None:
        await on_end()


async def _finish(run: Run, tasks: Sequence[asyncio.Task[Any]], drain: float) -> None:
    """Wait for the window and `drain` more seconds, then cancel what is still running."""
    remaining = max(0.0, run.window_end - time.perf_counter()) + drain
    _, pending = await asyncio.wait(tasks, timeout=remaining) if tasks else (set(), set())
    for task in pending:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    run.cut = len(pending)


async def closed_loop(
    session: aiohttp.ClientSession,
    target: Target,
    concurrency: int,
    *,
    ramp: float,
    warmup: float,
    window: float,
    drain: float,
    on_start: Hook | None = None,
    on_end: Hook | None = None,
    connect_first: bool = True,
    save_history: bool = False,
) -> Run:
    """`concurrency` clients, each sending its next request when the last one ended.

    With `connect_first`, the clients' connections are opened before the clock starts (see
    `preconnect`). Clients start spread over `ramp` seconds; the window opens after `warmup`
    and lasts `window`; then no new requests start, and open ones get `drain` seconds to end.
    With `save_history`, each client is a `Browser` (its own session: `session` is not used)
    that saves the conversation after every answer.
    """
    browsers = [
        Browser(offset=n % ANSWERS_PER_CONVERSATION)
        for n in range(concurrency if save_history else 0)
    ]
    try:
        if connect_first and browsers:
            await asyncio.gather(*(preconnect(b.session, target.base_url, 1) for b in browsers))
        elif connect_first:
            await preconnect(session, target.base_url, concurrency)
        begin = time.perf_counter()
        run = Run(window_start=begin + warmup, window_end=begin + warmup + window)
        run.preconnected = concurrency if connect_first else 0

        async def client(n: int) -> None:
            await asyncio.sleep(ramp * n / concurrency)
            while time.perf_counter() < run.window_end:
                if browsers:
                    run.samples.append(await browsers[n].ask(target))
                else:
                    run.samples.append(await stream_once(session, target))

        tasks = [asyncio.create_task(client(n)) for n in range(concurrency)]
        window_task = asyncio.create_task(_window(run, on_start, on_end))
        await _finish(run, tasks, drain)
        await window_task
    finally:
        await asyncio.gather(*(browser.close() for browser in browsers))
    return run


async def open_loop(
    session: aiohttp.ClientSession,
    target: Target,
    rate: float,
    *,
    warmup: float,
    window: float,
    drain: float,
    max_in_flight: int = 5000,
    seed: int = 1,
    on_start: Hook | None = None,
    on_end: Hook | None = None,
) -> Run:
    """Poisson arrivals at `rate` per second, whatever the server's latency.

    Each request's times count from its scheduled arrival, not from when it was sent, so a
    slow generator or a full connection pool shows up as latency (no coordinated omission).
    Arrivals beyond `max_in_flight` open requests are recorded as errors, not sent.
    """
    rng = random.Random(seed)
    begin = time.perf_counter()
    run = Run(window_start=begin + warmup, window_end=begin + warmup + window)
    tasks: list[asyncio.Task[None]] = []
    in_flight = 0

    async def one(at: float) -> None:
        nonlocal in_flight
        in_flight += 1
        try:
            run.samples.append(await stream_once(session, target, start=at))
        finally:
            in_flight -= 1

    window_task = asyncio.create_task(_window(run, on_start, on_end))
    at = begin
    while True:
        at += rng.expovariate(rate)
        if at >= run.window_end:
            break
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        if in_flight >= max_in_flight:
            run.samples.append(Sample(start=at, end=at, error="generator: too many in flight"))
            continue
        tasks.append(asyncio.create_task(one(at)))
    await _finish(run, tasks, drain)
    await window_task
    return run


@dataclass
class LagProbe:
    """Sends `GET path` every `interval` seconds on its own connection; records the latency.

    With the app's event loop busy, a trivial request waits for its turn: its latency
    approximates the loop's lag (plus one request's own cost). Start it before the load, so
    its connection is already accepted when the server gets busy.
    """

    base_url: str
    path: str = "/healthz"
    interval: float = 0.1
    timeout: float = 60.0
    #: (start, seconds) of each probe; a probe cut short by `stop` counts as long as it ran.
    probes: list[tuple[float, float]] = field(default_factory=list)
    errors: int = 0
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    session: aiohttp.ClientSession | None = None

    async def run(self, stop: asyncio.Event) -> None:
        """Probe until `stop` is set; `ready` is set once the connection is open."""
        async with new_session(limit=1) as session:
            self.session = session
            try:
                await self._get(session)
            except (TimeoutError, aiohttp.ClientError, OSError):
                self.errors += 1
            self.ready.set()
            while not stop.is_set():
                start = time.perf_counter()
                request = asyncio.create_task(self._get(session))
                stopping = asyncio.create_task(stop.wait())
                await asyncio.wait({request, stopping}, return_when=asyncio.FIRST_COMPLETED)
                stopping.cancel()
                if not request.done():
                    request.cancel()
                    self.probes.append((start, time.perf_counter() - start))
                    await asyncio.gather(request, return_exceptions=True)
                    return
                if request.exception() is None:
                    self.probes.append((start, time.perf_counter() - start))
                else:
                    self.errors += 1
                wait = start + self.interval - time.perf_counter()
                if wait > 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), timeout=wait)

    async def _get(self, session: aiohttp.ClientSession) -> None:
        async with (
            asyncio.timeout(self.timeout),
            session.get(self.base_url + self.path) as response,
        ):
            await response.read()

    async def fetch_json(self, path: str) -> Any:
        """GET `path` on the probe's connection (no new connection while the server is busy)."""
        assert self.session is not None, "run() first"
        async with self.session.get(self.base_url + path) as response:
            return await response.json() if response.status == 200 else None

    def latencies(self, start: float, end: float) -> list[float]:
        """Latencies of the probes sent between `start` and `end`."""
        return [seconds for at, seconds in self.probes if start <= at <= end]


async def preconnect(session: aiohttp.ClientSession, base_url: str, count: int) -> None:
    """Open `count` keep-alive connections (concurrent `GET /healthz`) for the session's pool.

    Under load, a server on uvloop accepts about one connection per event-loop iteration
    (libuv >= 1.45 no longer accepts in a loop), so connections opened while it is saturated
    wait in the accept queue for seconds: a closed loop opens its connections first, while
    the server is idle, like a proxy's connection pool.
    """

    async def one() -> None:
        async with session.get(base_url + "/healthz") as response:
            await response.read()

    await asyncio.gather(*(one() for _ in range(count)))


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100), linear between closest ranks; NaN when empty."""
    data = sorted(v for v in values if not math.isnan(v))
    if not data:
        return math.nan
    if len(data) == 1:
        return data[0]
    rank = (len(data) - 1) * q / 100.0
    low = math.floor(rank)
    high = min(low + 1, len(data) - 1)
    return data[low] + (data[high] - data[low]) * (rank - low)


def summary_ms(values: Sequence[float]) -> dict[str, float | None]:
    """p50/p90/p99/max of seconds, in milliseconds (None when there is nothing)."""

    def ms(value: float) -> float | None:
        return None if math.isnan(value) else round(value * 1000, 2)

    return {
        "p50": ms(percentile(values, 50)),
        "p90": ms(percentile(values, 90)),
        "p99": ms(percentile(values, 99)),
        "max": ms(max(values) if values else math.nan),
    }
