"""The response bodies of `/v1` in OpenAI's shapes, for the spec and for the collected answer.

This server's extra fields, which the OpenAI SDKs keep and otherwise ignore: `context` on the
message (and on a chunk's `delta`): the sources, the thought process and follow-up questions,
as on `/chat`; `usage.estimated`; and a model's `description`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from app.openai_api.usage import Usage
from app.schemas import AnswerContext, StreamContext

# `stop`: the answer ended (or met a `stop` sequence); `length`: the token limit cut it, the
# request's or the model's; `content_filter`: the model's filter stopped it.
FinishReason = Literal["stop", "length", "content_filter"]


class CompletionMessage(BaseModel):
    """`choices[0].message`: the answer, its citations in the text as `[file#page=N]`."""

    role: Literal["assistant"] = "assistant"
    content: str
    refusal: None = None
    context: AnswerContext


class Choice(BaseModel):
    """The one choice of a completion."""

    index: int = 0
    message: CompletionMessage
    finish_reason: FinishReason
    logprobs: None = None


class ChatCompletion(BaseModel):
    """A non-streamed answer (`stream: false`)."""

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    usage: Usage
    system_fingerprint: None = None


class ChunkDelta(BaseModel):
    """What a chunk adds: the role (first chunk), a piece of text, or `context`: the sources and
    thoughts on the first chunk, the follow-up questions on one after the text."""

    role: Literal["assistant"] | None = None
    content: str | None = None
    context: StreamContext | None = None


class ChunkChoice(BaseModel):
    """The one choice of a chunk; the last one has the `finish_reason`."""

    index: int = 0
    delta: ChunkDelta
    finish_reason: FinishReason | None = None
    logprobs: None = None


class ChatCompletionChunk(BaseModel):
    """The `data` of one server-sent event of a streamed answer (`stream: true`); the stream
    ends with `data: [DONE]`. With `stream_options.include_usage` the last chunk before it has
    `usage` and no choices. A failure after the stream started is a last `{"error": {...}}`."""

    id: str
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    created: int
    model: str
    choices: list[ChunkChoice]
    usage: Usage | None = None


class ModelCard(BaseModel):
    """A profile to answer with, named in a request's `model`."""

    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "ragchat"
    description: str = Field(description="What this profile does (this server's field).")


class ModelList(BaseModel):
    """Body of `GET /v1/models`."""

    object: Literal["list"] = "list"
    data: list[ModelCard]


class ErrorObject(BaseModel):
    """What went wrong: a message safe to show, OpenAI's `type`, the field, and a code."""

    message: str
    type: str
    param: str | None
    code: str | None


class ErrorBody(BaseModel):
    """Body of every error on `/v1`, and the data of a stream's error event."""

    error: ErrorObject
