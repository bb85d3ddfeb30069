"""Chat through `openai.AsyncOpenAI`: OpenAI, Azure OpenAI's v1 API, or any compatible server.

Answers are streamed from the raw SSE body: the SDK still does authentication, retries and
error mapping for the request, but the per-chunk pydantic objects it would build cost about six
times more CPU than reading the one field we need from each `data:` line.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

import openai
from openai import AsyncAPIResponse
from opentelemetry.trace import Span

from app.errors import ContentFilteredError, UpstreamError, is_content_filter
from app.models import prompts
from app.models.base import AnswerPrompt, AnswerStream
from app.schemas import Message, Thought
from app.telemetry import end_span, model_span, start_model_span


class OpenAIChatModel:
    """A chat model behind an OpenAI-compatible API."""

    is_language_model = True

    def __init__(self, *, client: openai.AsyncOpenAI, model: str, provider_label: str) -> None:
        self._client = client
        self._model = model
        self.description = f"{model} ({provider_label})"

    async def search_query(self, conversation: Sequence[Message]) -> str:
        """Ask the model to rewrite the conversation into a search query."""
        text = await self._complete(prompts.query_messages(conversation), max_tokens=100)
        return prompts.clean_query(text, fallback=conversation[-1].content)

    async def open_answer(self, prompt: AnswerPrompt) -> AnswerStream:
        """Send the answer request; HTTP errors surface here, before any text is streamed."""
        sampling = _sampling(prompt)
        span = start_model_span("chat", self._model, stream=True, **sampling)
        try:
            manager = self._client.chat.completions.with_streaming_response.create(
                model=self._model,
                messages=prompts.answer_messages(prompt),  # type: ignore[arg-type]
                stream=True,
                **sampling,
            )
            response = await manager.__aenter__()
        except BaseException as exc:
            end_span(span, exc)
            raise
        return _SseAnswer(response, span)

    async def followup_questions(self, prompt: AnswerPrompt, answer: str) -> list[str]:
        """Ask the model for up to three follow-up questions."""
        text = await self._complete(prompts.followup_messages(prompt, answer), max_tokens=200)
        return prompts.parse_followups(text)

    def describe(self, prompt: AnswerPrompt) -> Thought:
        """The messages sent to the model."""
        return Thought(
            title="Prompt to generate answer",
            description=prompts.answer_messages(prompt),
            props={"model": self._model, **_sampling(prompt)},
        )

    async def close(self) -> None:
        """Close the HTTP client."""
        await self._client.close()

    async def _complete(self, messages: list[dict[str, str]], *, max_tokens: int) -> str:
        with model_span("chat", self._model, temperature=0.0, max_tokens=max_tokens):
            completion = await self._client.chat.completions.create(
                model=self._model,
                messages=messages,  # type: ignore[arg-type]
                temperature=0.0,
                max_tokens=max_tokens,
            )
        if not completion.choices:
            return ""
        choice = completion.choices[0]
        if choice.finish_reason == "content_filter":
            raise ContentFilteredError()
        return choice.message.content or ""


def _sampling(prompt: AnswerPrompt) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if prompt.temperature is not None:
        options["temperature"] = prompt.temperature
    if prompt.seed is not None:
        options["seed"] = prompt.seed
    return options


class _SseAnswer:
    """The content deltas of a streamed chat completion, read straight from its SSE lines."""

    def __init__(self, response: AsyncAPIResponse[Any], span: Span) -> None:
        self._response = response
        self._span = span
        self._error: BaseException | None = None

    def __aiter__(self) -> AsyncIterator[str]:
        return self._pieces()

    async def _pieces(self) -> AsyncIterator[str]:
        try:
            async for line in self._response.iter_lines():
                if not line.startswith("data:"):
                    continue  # blank separators, comments, `event:` lines
                data = line[5:].strip()
                if data == "[DONE]":
                    return
                try:
                    chunk = json.loads(data)
                except ValueError:
                    raise UpstreamError() from None
                piece = _delta(chunk)
                if piece:
                    yield piece
        except Exception as exc:
            self._error = exc
            raise
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        """Close the upstream response, so the model stops generating; end the span once."""
        await self._response.close()
        if self._span.is_recording():
            end_span(self._span, self._error)


def _delta(chunk: dict[str, Any]) -> str | None:
    if "error" in chunk:
        error = chunk["error"] if isinstance(chunk["error"], dict) else {}
        if is_content_filter(error.get("code")):
            raise ContentFilteredError()
        raise UpstreamError()
    choices = chunk.get("choices")
    if not choices:
        return None  # Azure sends prompt_filter_results in a chunk without choices
    choice = choices[0]
    if choice.get("finish_reason") == "content_filter":
        raise ContentFilteredError()
    delta = choice.get("delta") or {}
    content = delta.get("content")
    return content if isinstance(content, str) else None
