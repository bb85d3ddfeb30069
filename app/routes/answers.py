"""`POST /chat`, `/chat/stream`, `/ask`, `/ask/stream`: one flow, streamed or collected.

Each answer is counted against its client's rate limit and holds one of the worker's stream
slots until it ends (app/limits.py).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator

from quart import Blueprint, Response, request
from quart_schema import document_response, validate_request
from werkzeug.exceptions import UnsupportedMediaType

from app.approaches.base import Approach
from app.auth.middleware import current_user
from app.errors import to_app_error
from app.events import ContextEvent, Event
from app.limits import Slot, answer_limits
from app.logs import request_id
from app.openapi import UPSTREAM, errors, ndjson_stream
from app.reporting import report
from app.schemas import ChatRequest, ChatResponse
from app.services import get_services
from app.streaming import collect, error_line, event_line

bp = Blueprint("answers", __name__)


@bp.before_request
async def admit() -> None:
    """Count the request against its client's rate limit (429), then refuse bodies that are
    not JSON with 415 before reading them."""
    if request.method != "POST":
        return
    answer_limits().admit(current_user(), request.remote_addr)
    if not request.is_json:
        raise UnsupportedMediaType()


@bp.post("/chat")
@errors(400, 401, 403, 413, 415, *UPSTREAM)
@validate_request(ChatRequest)
@document_response(ChatResponse)
async def chat(data: ChatRequest) -> Response:
    """Answer the last message of a conversation, with citations."""
    return await _collected(get_services().chat, data)


@bp.post("/chat/stream")
@errors(400, 401, 403, 413, 415, *UPSTREAM)
@ndjson_stream
@validate_request(ChatRequest)
async def chat_stream(data: ChatRequest) -> Response:
    """Like `/chat`, streamed as NDJSON: context first, then the answer in pieces."""
    return await _streamed(get_services().chat, data)


@bp.post("/ask")
@errors(400, 401, 403, 413, 415, *UPSTREAM)
@validate_request(ChatRequest)
@document_response(ChatResponse)
async def ask(data: ChatRequest) -> Response:
    """Answer one question, with citations."""
    return await _collected(get_services().ask, data)


@bp.post("/ask/stream")
@errors(400, 401, 403, 413, 415, *UPSTREAM)
@ndjson_stream
@validate_request(ChatRequest)
async def ask_stream(data: ChatRequest) -> Response:
    """Like `/ask`, streamed as NDJSON."""
    return await _streamed(get_services().ask, data)


async def _collected(approach: Approach, data: ChatRequest) -> Response:
    slot = answer_limits().slots.acquire()
    try:
        answer, context = await collect(approach.run(data, user=current_user()))
    finally:
        slot.release()
    response = Response(answer.model_dump_json(), content_type="application/json")
    _server_timing(response, context)
    return response


async def _streamed(approach: Approach, data: ChatRequest) -> Response:
    slot = answer_limits().slots.acquire()
    try:
        events = approach.run(data, user=current_user())
        # Run up to the first event here, so search and model errors still get a real status.
        first = await anext(events)
    except BaseException:
        slot.release()
        raise
    body = _ndjson(first, events, slot)
    slot.release_with(body)
    response = Response(body, content_type="application/x-ndjson")
    response.timeout = None  # Quart's 60 s RESPONSE_TIMEOUT would cut long answers
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # stop proxies from buffering the stream
    _server_timing(response, first if isinstance(first, ContextEvent) else None)
    return response


def _server_timing(response: Response, context: ContextEvent | None) -> None:
    """`Server-Timing: query;dur=..., search;dur=..., model;dur=...` (milliseconds): where
    the time before the first byte went, for browsers' developer tools and the benchmark."""
    if context is not None and context.timings:
        response.headers["Server-Timing"] = ", ".join(
            f"{name};dur={ms:g}" for name, ms in context.timings
        )


async def _ndjson(
    first: Event, events: AsyncGenerator[Event, None], slot: Slot
) -> AsyncIterator[bytes]:
    # A client disconnect cancels this generator: `finally` then closes the approach, which
    # closes the model's stream, so the model stops generating for nobody.
    try:
        yield event_line(first)
        del first  # the context is sent: an open stream should not keep it
        async for event in events:
            yield event_line(event)
    except Exception as exc:
        yield error_line(report(to_app_error(exc), exc, request_id.get()).message)
    finally:
        slot.release()
        await events.aclose()
