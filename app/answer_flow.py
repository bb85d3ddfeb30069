"""Running an approach for an answer route, whatever the answer is serialised to (NDJSON on
`/chat/stream`, OpenAI chunks on `/v1/chat/completions`).

* An answer holds one of the worker's stream slots from the start of the run to its end
  (app/limits.py), streamed or collected.
* A stream runs up to the approach's first event before the response starts, so search and
  model errors still get a real status; later failures become the writer's last bytes.
* A client that disconnects cancels the body; closing the approach then closes the model's
  stream, so the model stops generating for nobody. A writer may also end the answer early
  (`finished`), which closes the model the same way.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from typing import Protocol, TypeVar

from quart import Response

from app.approaches.base import Approach
from app.auth.middleware import current_user
from app.errors import AppError
from app.events import ContextEvent, Event
from app.limits import Slot, answer_limits
from app.reporting import failure
from app.schemas import ChatRequest

T = TypeVar("T")
Events = AsyncGenerator[Event, None]


class StreamWriter(Protocol):
    """Turns an answer's events into the bytes of one response body."""

    @property
    def finished(self) -> bool:
        """Whether the answer is complete already (stop reading the approach)."""
        ...

    def event(self, event: Event) -> bytes:
        """The bytes for one event (may be empty)."""
        ...

    def end(self) -> bytes:
        """The bytes after the last event."""
        ...

    def failed(self, error: AppError) -> bytes:
        """The last bytes of a stream that failed after it started."""
        ...


async def stream_answer(
    approach: Approach, data: ChatRequest, writer: StreamWriter, *, content_type: str
) -> Response:
    """A streamed answer: the first event is produced before the response starts."""
    slot = answer_limits().slots.acquire()
    try:
        events = approach.run(data, user=current_user())
        first = await anext(events)
    except BaseException:
        slot.release()
        raise
    body = _relay(first, events, slot, writer)
    slot.release_with(body)
    response = Response(body, content_type=content_type)
    response.timeout = None  # Quart's 60 s RESPONSE_TIMEOUT would cut long answers
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # stop proxies from buffering the stream
    server_timing(response, first if isinstance(first, ContextEvent) else None)
    return response


async def collect_answer(
    approach: Approach, data: ChatRequest, consume: Callable[[Events], Awaitable[T]]
) -> T:
    """What `consume` makes of a whole answer's events, holding a slot meanwhile; the
    approach is closed afterwards, also when `consume` stopped reading early."""
    slot = answer_limits().slots.acquire()
    try:
        events = approach.run(data, user=current_user())
    except BaseException:
        slot.release()
        raise
    try:
        return await consume(events)
    finally:
        slot.release()
        await events.aclose()


def server_timing(response: Response, context: ContextEvent | None) -> None:
    """`Server-Timing: query;dur=..., search;dur=..., model;dur=...` (milliseconds): where
    the time before the first byte went, for browsers' developer tools and the benchmark."""
    if context is not None and context.timings:
        response.headers["Server-Timing"] = ", ".join(
            f"{name};dur={ms:g}" for name, ms in context.timings
        )


async def _relay(
    first: Event, events: Events, slot: Slot, writer: StreamWriter
) -> AsyncIterator[bytes]:
    # A client disconnect cancels this generator: `finally` then closes the approach.
    try:
        if data := writer.event(first):
            yield data
        del first  # the context is sent: an open stream should not keep it
        if not writer.finished:
            async for event in events:
                if data := writer.event(event):
                    yield data
                if writer.finished:
                    break
        if data := writer.end():
            yield data
    except Exception as exc:
        yield writer.failed(failure(exc))
    finally:
        slot.release()
        await events.aclose()
