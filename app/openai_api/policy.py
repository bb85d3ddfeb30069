"""What this server does with each field of a Chat Completions request.

* Honoured: `model` (a profile), `messages`, `stream`, `stream_options.include_usage`,
  `temperature`, `seed`, `max_completion_tokens` / `max_tokens` and `stop` (the answer is cut
  there, `finish_reason` says why), `n` of 1, and `context.overrides` (as on `/chat`).
* Ignored, and named in the answer's `OpenAI-compatible request` thought: `system` and
  `developer` messages (the server writes the one system prompt the model sees, as on
  `/chat`), message `name`s, sampling options the answer model is not given (`top_p`,
  `frequency_penalty`, `presence_penalty`, `logit_bias`), and OpenAI's bookkeeping (`user`,
  `metadata`, `store`, `service_tier`, ...).
* Refused with a 400 naming the `param`: tools and functions, `n` > 1, `logprobs`, any
  `response_format` but text, audio, predicted outputs, web search, and content parts that are
  not text (images, audio, files).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from app.openai_api.errors import InvalidParameterError
from app.openai_api.requests import ChatCompletionRequest, InputMessage
from app.schemas import ChatRequest, RequestContext

IGNORED_FIELDS = (
    "user",
    "top_p",
    "frequency_penalty",
    "presence_penalty",
    "logit_bias",
    "parallel_tool_calls",
    "metadata",
    "store",
    "service_tier",
    "reasoning_effort",
    "verbosity",
    "safety_identifier",
    "prompt_cache_key",
)

_NO_TOOLS = "this server answers from its documents and calls no tools"
# field -> (whether a value is the harmless default, why anything else is refused)
_REFUSED: dict[str, tuple[Callable[[Any], bool], str]] = {
    "tools": (lambda v: not v, f"Tools are not supported: {_NO_TOOLS}."),
    "tool_choice": (lambda v: v in (None, "none"), f"Only 'none' is supported: {_NO_TOOLS}."),
    "functions": (lambda v: not v, f"Functions are not supported: {_NO_TOOLS}."),
    "function_call": (lambda v: v in (None, "none"), f"Only 'none' is supported: {_NO_TOOLS}."),
    "n": (lambda v: v in (None, 1), "Only n=1 is supported: one answer per request."),
    "logprobs": (lambda v: not v, "Log probabilities are not available from this server."),
    "top_logprobs": (lambda v: not v, "Log probabilities are not available from this server."),
    "response_format": (
        lambda v: v is None or v == {"type": "text"},
        "Only {'type': 'text'} is supported: answers are text with citations.",
    ),
    "modalities": (lambda v: v in (None, ["text"]), "Only ['text'] is supported."),
    "audio": (lambda v: v is None, "Audio output is not supported: answers are text."),
    "prediction": (lambda v: v is None, "Predicted outputs are not supported."),
    "web_search_options": (
        lambda v: v is None,
        "Web search is not supported: answers come from this server's documents.",
    ),
}


def check_supported(body: ChatCompletionRequest) -> None:
    """Refuse (400, naming the field) what this server cannot do."""
    for name, (harmless, reason) in _REFUSED.items():
        if not harmless(getattr(body, name)):
            raise InvalidParameterError(reason, param=name, code="unsupported_parameter")


def ignored_fields(body: ChatCompletionRequest) -> list[str]:
    """The fields sent that this server accepts but does not apply, in the request's order."""
    ignored = [name for name in IGNORED_FIELDS if getattr(body, name) is not None]
    if body.stream_options is not None and body.stream_options.include_obfuscation is not None:
        ignored.append("stream_options.include_obfuscation")
    for index, message in enumerate(body.messages):
        if message.role in ("system", "developer"):
            ignored.append(f"messages[{index}] ({message.role})")
        elif message.name is not None:
            ignored.append(f"messages[{index}].name")
    return ignored


def chat_request(body: ChatCompletionRequest) -> ChatRequest:
    """The request of the answer flow: the conversation without system messages, with the
    overrides of `context` and the top-level sampling options."""
    messages: list[dict[str, str]] = []
    positions: list[int] = []  # where each kept message was in the request
    for index, message in enumerate(body.messages):
        text = _text(message, index)
        if message.role not in ("system", "developer"):
            messages.append({"role": message.role, "content": text})
            positions.append(index)
    if not messages:
        raise InvalidParameterError(
            "The conversation needs a question: a message with role 'user'.", param="messages"
        )
    overrides = (body.context or RequestContext()).overrides
    # The token limit goes to the model too (the stream is cut at it as well): a model asked for
    # fewer tokens stops sooner, and the prompt may keep more of the sources.
    sampling = {"temperature": body.temperature, "seed": body.seed, "max_tokens": body.token_limit}
    overrides = overrides.model_copy(update={k: v for k, v in sampling.items() if v is not None})
    try:
        context = RequestContext(overrides=overrides)
        return ChatRequest.model_validate({"messages": messages, "context": context})
    except ValidationError as exc:
        raise _in_terms_of_the_request(exc, positions) from None


def _text(message: InputMessage, index: int) -> str:
    where = f"messages[{index}]"
    if message.role in ("tool", "function"):
        raise InvalidParameterError(
            f"Messages with role '{message.role}' are not supported: {_NO_TOOLS}.",
            param=f"{where}.role",
            code="unsupported_parameter",
        )
    for name in ("tool_calls", "tool_call_id", "function_call", "audio"):
        if getattr(message, name):
            raise InvalidParameterError(
                f"'{name}' is not supported: {_NO_TOOLS}.",
                param=f"{where}.{name}",
                code="unsupported_parameter",
            )
    if message.content is None:
        raise InvalidParameterError("Missing required parameter.", param=f"{where}.content")
    if isinstance(message.content, str):
        return message.content
    pieces = []
    for number, part in enumerate(message.content):
        if part.type != "text":
            raise InvalidParameterError(
                f"Content parts of type '{part.type[:50]}' are not supported: only text is "
                "(this server answers from its documents, it does not read images or files).",
                param=f"{where}.content[{number}].type",
                code="unsupported_parameter",
            )
        if part.text is None:
            raise InvalidParameterError(
                "Missing required parameter.", param=f"{where}.content[{number}].text"
            )
        pieces.append(part.text)
    return "\n".join(pieces)


def _in_terms_of_the_request(exc: ValidationError, positions: list[int]) -> InvalidParameterError:
    """A ChatRequest error, naming the field as the client sent it."""
    error = exc.errors(include_input=False, include_url=False)[0]
    loc = list(error["loc"])
    param = "messages"
    if len(loc) >= 2 and loc[0] == "messages" and isinstance(loc[1], int):
        param = f"messages[{positions[loc[1]]}]" + "".join(f".{part}" for part in loc[2:])
    message = str(error["msg"]).removeprefix("Value error, ")
    return InvalidParameterError(f"Invalid '{param}': {message}.", param=param)
