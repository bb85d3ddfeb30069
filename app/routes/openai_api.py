"""`/v1`: the OpenAI-compatible API, `GET /v1/models` and `POST /v1/chat/completions`, as thin
routes over the answer flow of `/chat` and `/ask` (app/openai_api/ has the pieces).

It is served only when someone can call it: with API_KEYS set, or with login on (sign-in
tokens). Otherwise it is not registered, and every `/v1` path is a 404. Every answer on it,
errors included, is in OpenAI's shape; the app's `{"error": ...}` never shows here.
"""

from __future__ import annotations

from quart import Blueprint, Quart, Response, current_app, g, request
from quart_schema import document_request, document_response, hide
from werkzeug.exceptions import HTTPException, UnsupportedMediaType

from app.answer_flow import collect_answer, server_timing, stream_answer
from app.errors import AppError, NotFoundError
from app.limits import answer_limits
from app.openai_api.caller import authenticate
from app.openai_api.chunks import ChunkWriter
from app.openai_api.completion import Completion, collect_completion
from app.openai_api.cutoff import Cutoff
from app.openai_api.errors import UNKNOWN_PATH, error_response, from_http
from app.openai_api.keys import ApiKeys
from app.openai_api.parsing import parse_request
from app.openai_api.policy import chat_request, check_supported, ignored_fields
from app.openai_api.profiles import PROFILES, find_profile
from app.openai_api.requests import ChatCompletionRequest
from app.openai_api.responses import (
    ChatCompletion,
    ChatCompletionChunk,
    ErrorBody,
    ModelCard,
    ModelList,
)
from app.openapi import UPSTREAM, Body, errors, success
from app.reporting import failure
from app.schemas import Thought
from app.services import get_services
from app.settings import Settings

bp = Blueprint("openai_api", __name__, url_prefix="/v1")
_KEYS = "ragchat.api_keys"
_ANSWER = "openai_api.chat_completions"
_COMPLETION_DOC = (
    "With `stream: false`, a `chat.completion`. With `stream: true`, server-sent events: each "
    "`data:` a `chat.completion.chunk` (or, if the answer fails after it started, an "
    '`{"error": {...}}`), then `data: [DONE]`.'
)
_COMPLETION_BODY: dict[str, Body] = {
    "application/json": ChatCompletion,
    "text/event-stream": ChatCompletionChunk,
}


def install(app: Quart, settings: Settings) -> None:
    """Serve `/v1` on `app` if it can be called: with API keys, or with login on."""
    if not settings.api_keys and not settings.login_enabled:
        return
    app.extensions[_KEYS] = ApiKeys(settings.api_keys)
    app.register_blueprint(bp)


@bp.before_request
async def identify() -> None:
    """Every call needs an API key or a sign-in token (401); an answer also counts against
    its client's rate limit (429), as on `/chat`."""
    g.user = await authenticate(
        request.headers.get("Authorization"),
        keys=current_app.extensions[_KEYS],
        authenticator=get_services().authenticator,
    )
    if request.endpoint == _ANSWER:
        answer_limits().admit(g.user, request.remote_addr)


@bp.errorhandler(Exception)
async def openai_error(exc: Exception) -> Response:
    """Every error on `/v1` in OpenAI's shape, with no internals in it."""
    if isinstance(exc, HTTPException):
        error: AppError = from_http(exc)
    else:
        error = failure(exc)
    return error_response(error)


@bp.get("/models")
@errors(401, 403, body=ErrorBody)
@document_response(ModelList)
async def models() -> Response:
    """The answer profiles, which a request names in `model`."""
    body = ModelList(data=[profile.card() for profile in PROFILES.values()])
    return Response(body.model_dump_json(), content_type="application/json")


@bp.get("/models/<model>")
@errors(401, 403, 404, body=ErrorBody)
@document_response(ModelCard)
async def model(model: str) -> Response:
    """One answer profile."""
    return Response(find_profile(model).card().model_dump_json(), content_type="application/json")


@bp.post("/chat/completions")
@errors(400, 401, 403, 404, 413, 415, *UPSTREAM, body=ErrorBody)
@document_request(ChatCompletionRequest)
@success(200, _COMPLETION_DOC, _COMPLETION_BODY)
async def chat_completions() -> Response:
    """Answer the conversation from the documents, as OpenAI's Chat Completions API does."""
    if not request.is_json:
        raise UnsupportedMediaType()
    body = parse_request(await request.get_data())
    approach = find_profile(body.model).approach(get_services())
    check_supported(body)
    data = chat_request(body)
    options = body.stream_options
    usage_wanted = not body.stream or bool(options and options.include_usage)
    completion = Completion(
        model=body.model,
        cutoff=Cutoff(stop=body.stop_sequences, token_limit=body.token_limit, count=usage_wanted),
        turns=[*approach.history(data.messages), data.messages[-1]] if usage_wanted else None,
        note=_note(ignored_fields(body)),
    )
    if body.stream:
        writer = ChunkWriter(completion, include_usage=usage_wanted)
        return await stream_answer(approach, data, writer, content_type="text/event-stream")
    answer, context = await collect_answer(
        approach, data, lambda events: collect_completion(completion, events)
    )
    response = Response(answer.model_dump_json(), content_type="application/json")
    server_timing(response, context)
    return response


@bp.route("", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
@bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
@hide
async def unknown(rest: str = "") -> Response:
    """Any other `/v1` path: a 404 in OpenAI's shape (not the app's)."""
    raise NotFoundError(UNKNOWN_PATH)


def _note(ignored: list[str]) -> Thought | None:
    if not ignored:
        return None
    return Thought(
        title="OpenAI-compatible request",
        description="Fields sent that this server accepts but does not apply.",
        props={"ignored": ignored},
    )
