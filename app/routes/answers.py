"""`POST /chat`, `/chat/stream`, `/ask`, `/ask/stream`: one flow, streamed or collected.

Each answer is counted against its client's rate limit; the run itself (a stream slot held
until it ends, the first event before the response starts, a disconnect closing the model) is
app/answer_flow.py's, shared with `/v1/chat/completions`. Here only the NDJSON is chosen.
"""

from __future__ import annotations

from quart import Blueprint, Response, request
from quart_schema import document_response, validate_request
from werkzeug.exceptions import UnsupportedMediaType

from app.answer_flow import collect_answer, server_timing, stream_answer
from app.approaches.base import Approach
from app.auth.middleware import current_user
from app.errors import AppError
from app.events import Event
from app.limits import answer_limits
from app.openapi import UPSTREAM, errors, ndjson_stream
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


# The contract's four answer routes, alike on purpose: each names its approach and its shape.
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
    answer, context = await collect_answer(approach, data, collect)
    response = Response(answer.model_dump_json(), content_type="application/json")
    server_timing(response, context)
    return response


async def _streamed(approach: Approach, data: ChatRequest) -> Response:
    return await stream_answer(approach, data, NdjsonWriter(), content_type="application/x-ndjson")


class NdjsonWriter:
    """The StreamWriter (app/answer_flow.py) of an NDJSON answer: one line per event."""

    finished = False  # NDJSON answers are never cut short here

    def event(self, event: Event) -> bytes:
        """The event's line (none for an answer's plain end)."""
        return event_line(event)

    def end(self) -> bytes:
        """Nothing: the last event's line ends the stream."""
        return b""

    def failed(self, error: AppError) -> bytes:
        """The `{"error": ...}` line."""
        return error_line(error.message)
