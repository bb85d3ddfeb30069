"""The body of `POST /v1/chat/completions`: OpenAI's Chat Completions request, as this server
reads it.

Every field OpenAI documents is declared, so that none is refused as unknown and each is
validated and documented in the spec. What happens to each is decided in `policy.py`: honoured,
accepted but ignored (named in the answer's thoughts), or refused with a 400 that names it.
A field OpenAI does not know is refused too, as OpenAI does: a typo is not silently dropped.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from app.schemas import RequestContext, json_integer

_STRICT = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)
Short = Annotated[str, StringConstraints(max_length=256)]
StopSequence = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class ContentPart(BaseModel):
    """One part of a message's content; only `text` parts are supported (`policy.py`)."""

    model_config = ConfigDict(extra="allow", strict=True)

    type: Annotated[str, StringConstraints(max_length=50)]
    text: str | None = None


class InputMessage(BaseModel):
    """One message of the conversation, as OpenAI defines it."""

    model_config = _STRICT

    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None
    name: Short | None = Field(default=None, description="Ignored.")
    refusal: str | None = Field(default=None, description="Ignored.")
    tool_calls: list[Any] | None = Field(default=None, description="Refused unless empty.")
    tool_call_id: Short | None = Field(default=None, description="Refused: there are no tools.")
    function_call: Any = Field(default=None, description="Refused: there are no functions.")
    audio: Any = Field(default=None, description="Refused: answers are text.")


class StreamOptions(BaseModel):
    """`stream_options`: `include_usage` adds a last chunk with the usage."""

    model_config = _STRICT

    include_usage: bool = False
    include_obfuscation: bool | None = Field(default=None, description="Ignored.")


_IGNORED = "Accepted and ignored: this server does not apply it."
_REFUSED = "Not supported: any value but the default is a 400 naming it."


class ChatCompletionRequest(BaseModel):
    """Body of `POST /v1/chat/completions`.

    `model` is a profile of `GET /v1/models`. `context.overrides` takes the overrides of
    `/chat` (the OpenAI SDKs send it with `extra_body={"context": {"overrides": {...}}}`);
    `temperature` and `seed` at the top level win over theirs.
    """

    model_config = _STRICT

    model: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    messages: Annotated[list[InputMessage], Field(min_length=1, max_length=200)]
    stream: bool = False
    stream_options: StreamOptions | None = None
    temperature: float | None = Field(default=None, ge=0, le=2)
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1, strict=False)
    max_completion_tokens: int | None = Field(
        default=None, ge=1, le=1_000_000, strict=False, description="Cuts the answer there."
    )
    max_tokens: int | None = Field(
        default=None, ge=1, le=1_000_000, strict=False, description="As max_completion_tokens."
    )
    stop: StopSequence | Annotated[list[StopSequence], Field(max_length=4)] | None = Field(
        default=None, description="Ends the answer before the first of these strings."
    )
    n: int | None = Field(default=None, ge=1, le=128, strict=False, description="Only 1.")
    context: RequestContext | None = Field(
        default=None, description="This server's overrides, as on `/chat`."
    )

    user: Short | None = Field(default=None, description=_IGNORED)
    top_p: float | None = Field(default=None, ge=0, le=1, description=_IGNORED)
    frequency_penalty: float | None = Field(default=None, ge=-2, le=2, description=_IGNORED)
    presence_penalty: float | None = Field(default=None, ge=-2, le=2, description=_IGNORED)
    logit_bias: dict[str, float] | None = Field(default=None, description=_IGNORED)
    parallel_tool_calls: bool | None = Field(default=None, description=_IGNORED)
    metadata: dict[str, str] | None = Field(default=None, description=_IGNORED)
    store: bool | None = Field(default=None, description=_IGNORED)
    service_tier: Short | None = Field(default=None, description=_IGNORED)
    reasoning_effort: Short | None = Field(default=None, description=_IGNORED)
    verbosity: Short | None = Field(default=None, description=_IGNORED)
    safety_identifier: Short | None = Field(default=None, description=_IGNORED)
    prompt_cache_key: Short | None = Field(default=None, description=_IGNORED)

    tools: list[Any] | None = Field(default=None, description=_REFUSED)
    tool_choice: Any = Field(default=None, description=_REFUSED)
    functions: list[Any] | None = Field(default=None, description=_REFUSED)
    function_call: Any = Field(default=None, description=_REFUSED)
    logprobs: bool | None = Field(default=None, description=_REFUSED)
    top_logprobs: int | None = Field(default=None, ge=0, le=20, strict=False, description=_REFUSED)
    response_format: dict[str, Any] | None = Field(default=None, description=_REFUSED)
    modalities: list[Short] | None = Field(default=None, description=_REFUSED)
    audio: Any = Field(default=None, description=_REFUSED)
    prediction: Any = Field(default=None, description=_REFUSED)
    web_search_options: Any = Field(default=None, description=_REFUSED)

    _integers = field_validator(
        "seed", "max_completion_tokens", "max_tokens", "n", "top_logprobs", mode="before"
    )(json_integer)

    @property
    def token_limit(self) -> int | None:
        """The most tokens the answer may have: `max_completion_tokens`, else `max_tokens`."""
        return self.max_completion_tokens or self.max_tokens

    @property
    def stop_sequences(self) -> tuple[str, ...]:
        """`stop` as a tuple (empty: none)."""
        if self.stop is None:
            return ()
        return (self.stop,) if isinstance(self.stop, str) else tuple(self.stop)
