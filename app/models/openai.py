"""Chat through `openai.AsyncOpenAI`: OpenAI, Azure OpenAI's v1 API, or any compatible server.

Answers are streamed from the raw SSE body of the SDK's generic `post`: the SDK still does
authentication, retries and error mapping, but skips two costs measured on the hot path: the
per-chunk pydantic objects of its stream (about six times the CPU of reading the one field we
need from each `data:` line), and the walk of typed request parameters that `create()` does.

Every call is bounded (app/models/budget.py): its prompt is cut to the context window and its
reply to a number of tokens. The context window is learnt on the first call.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, TypeVar

import httpx2
import openai
from opentelemetry.trace import Span

from app.deadlines import ANSWER_TOO_LONG, MODEL_TOO_SLOW, within
from app.errors import (
    AppError,
    ContentFilteredError,
    UpstreamConnectionLostError,
    UpstreamError,
    UpstreamTimeoutError,
    from_error_event,
    is_context_too_long,
    stream_failure,
)
from app.events import EndEvent, TokenUsage
from app.models import prompts
from app.models.base import AnswerPrompt, OpenedAnswer
from app.models.budget import (
    ASSUMED_WINDOW,
    FOLLOWUP_MAX_TOKENS,
    QUERY_MAX_TOKENS,
    Budget,
    TokenLimits,
    Window,
    known_window,
)
from app.models.probe import reported_window, window_in_refusal
from app.models.spans import end_span, model_span, start_model_span
from app.schemas import Message, Thought

# After each piece, the next read waits this long (seconds): the chunks that arrive meanwhile
# are read, parsed and written to the client together. At a model's 30-100 chunks/s this
# makes about three times fewer reads, writes and event-loop turns per answer; nobody reads
# faster than 30 ms a word. The first piece is never held back.
PACE = 0.03
T = TypeVar("T")
log = logging.getLogger(__name__)


class OpenAIChatModel:
    """A chat model behind an OpenAI-compatible API; each call, a streamed answer included,
    ends within `timeout` seconds."""

    is_language_model = True

    def __init__(
        self,
        *,
        client: openai.AsyncOpenAI,
        model: str,
        provider_label: str,
        timeout: float,
        limits: TokenLimits | None = None,
    ) -> None:
        self._client = client
        self._model = model
        self._timeout = timeout
        self._limits = limits or TokenLimits()
        self._budget: Budget | None = None
        self.description = f"{model} ({provider_label})"

    async def search_query(self, conversation: Sequence[Message]) -> str:
        """Ask the model to rewrite the conversation into a search query."""

        async def rewrite(budget: Budget) -> str:
            fit = budget.fit_conversation(conversation, prompts.query_messages, QUERY_MAX_TOKENS)
            return await self._complete(fit, max_tokens=QUERY_MAX_TOKENS)

        text = await self._within_window(rewrite)
        return prompts.clean_query(text, fallback=conversation[-1].content)

    async def open_answer(self, prompt: AnswerPrompt) -> OpenedAnswer:
        """Send the answer request; HTTP errors surface here, before any text is streamed."""
        return await self._within_window(lambda budget: self._open(prompt, budget))

    async def _open(self, prompt: AnswerPrompt, budget: Budget) -> OpenedAnswer:
        fitted = budget.fit_answer(prompt, prompts.answer_messages)
        sampling = _sampling(prompt)
        max_tokens = budget.answer_tokens(prompt)
        span = start_model_span("chat", self._model, stream=True, max_tokens=max_tokens, **sampling)
        messages = fitted.messages
        body = {
            "model": self._model,
            "messages": messages,
            "stream": True,
            "stream_options": {"include_usage": True},
            _bound_name(self._model): max_tokens,
            **sampling,
        }
        deadline = time.monotonic() + self._timeout
        try:
            async with within(self._timeout, MODEL_TOO_SLOW):
                response = await self._client.post(
                    "/chat/completions", cast_to=httpx2.Response, body=body, stream=True
                )
        except BaseException as exc:
            end_span(span, exc)
            raise
        # The response keeps its request, and the request its body (the prompt, sources and
        # all: kilobytes), for as long as the answer streams; only the method and URL are
        # ever read from it again.
        response.request = httpx2.Request(response.request.method, response.request.url)
        thought = Thought(
            title="Prompt to generate answer",
            description=messages,
            props={"model": self._model, **sampling, "token_budget": budget.describe(fitted)},
        )
        return OpenedAnswer(_SseAnswer(response, span, deadline), thought, fitted.prompt)

    async def followup_questions(self, prompt: AnswerPrompt, answer: str) -> list[str]:
        """Ask the model for up to three follow-up questions."""

        async def suggest(budget: Budget) -> str:
            fit = budget.fit_sources(
                prompt,
                lambda fitted: prompts.followup_messages(fitted, answer),
                FOLLOWUP_MAX_TOKENS,
            )
            return await self._complete(fit, max_tokens=FOLLOWUP_MAX_TOKENS)

        return prompts.parse_followups(await self._within_window(suggest))

    async def budget(self) -> Budget:
        """The token budget of this model's calls; its context window is learnt on the first
        call (answers that start together may each ask the server: it is cheap, and once)."""
        if self._budget is None:
            self._budget = Budget(self._model, self._limits, await self._window())
        return self._budget

    async def _within_window(self, call: Callable[[Budget], Awaitable[T]]) -> T:
        """`call` with this model's budget; when the server refuses it as too long for a
        window it names, smaller than the one assumed, that window is learnt and `call`
        tried once more (llama-cpp-python, for one, says its window only there)."""
        budget = await self.budget()
        try:
            return await call(budget)
        except openai.BadRequestError as exc:
            tokens = window_in_refusal(exc) if is_context_too_long(exc.code, exc.message) else None
            if tokens is None or tokens >= budget.window.tokens:
                raise
        log.warning(
            "the model server refused a prompt for a %d-token context window, smaller than "
            "the %d assumed (%s): using %d; set OPENAI_CONTEXT_TOKENS=%d",
            tokens,
            budget.window.tokens,
            budget.window.origin,
            tokens,
            tokens,
        )
        learnt = Window(tokens, "said by the model server when it refused a longer prompt")
        self._budget = Budget(self._model, self._limits, learnt)
        return await call(self._budget)

    async def _window(self) -> Window:
        if self._limits.context_tokens:
            return Window(self._limits.context_tokens, "OPENAI_CONTEXT_TOKENS")
        if self._limits.ask_server and (tokens := await reported_window(self._client, self._model)):
            return Window(tokens, "reported by the model server")
        return known_window(self._model) or Window(
            ASSUMED_WINDOW, "assumed for a model of unknown family: set OPENAI_CONTEXT_TOKENS"
        )

    async def _complete(self, messages: list[dict[str, str]], *, max_tokens: int) -> str:
        with model_span("chat", self._model, temperature=0.0, max_tokens=max_tokens):
            async with within(self._timeout, MODEL_TOO_SLOW):
                if _bound_name(self._model) == "max_tokens":
                    completion = await self._client.chat.completions.create(
                        model=self._model,
                        messages=messages,  # type: ignore[arg-type]
                        temperature=0.0,
                        max_tokens=max_tokens,
                    )
                else:  # reasoning models take no temperature either
                    completion = await self._client.chat.completions.create(
                        model=self._model,
                        messages=messages,  # type: ignore[arg-type]
                        max_completion_tokens=max_tokens,
                    )
        if not completion.choices:
            return ""
        choice = completion.choices[0]
        if choice.finish_reason == "content_filter":
            raise ContentFilteredError()
        return choice.message.content or ""


def _bound_name(model: str) -> str:
    """The request field for the reply's token bound: reasoning models (o-series, gpt-5)
    refuse `max_tokens`; most other servers know only it."""
    name = model.lower().rsplit("/", 1)[-1]
    return "max_completion_tokens" if name.startswith(("o1", "o3", "o4", "gpt-5")) else "max_tokens"


def _sampling(prompt: AnswerPrompt) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if prompt.temperature is not None:
        options["temperature"] = prompt.temperature
    if prompt.seed is not None:
        options["seed"] = prompt.seed
    return options


class _SseAnswer:
    """The content deltas of a streamed chat completion, read straight from its SSE bytes.

    Past `deadline` (time.monotonic) the next bytes end the stream with a timeout; a model
    that goes silent instead is stopped by the client's idle timeout.
    """

    def __init__(self, response: httpx2.Response, span: Span, deadline: float) -> None:
        self._response = response
        self._span = span
        self._deadline = deadline
        self._error: BaseException | None = None
        self._end = _End()

    @property
    def end(self) -> EndEvent:
        """The finish reason and the usage that the last chunks carried."""
        return EndEvent(self._end.finish_reason or "stop", self._end.usage)

    def __aiter__(self) -> AsyncIterator[str]:
        return self._pieces()

    async def _pieces(self) -> AsyncIterator[str]:
        # Bytes in, one piece per network read out: the `data:` lines that arrived together
        # (in a burst, or while the read was paced) are parsed in one pass and their text
        # sent as one piece, so they cost one write to the client instead of one each.
        buffer = b""
        # Without a content encoding the raw body is the body: skip httpx2's decoder layers.
        encoded = self._response.headers.get("content-encoding", "identity") != "identity"
        received_chunks = self._response.aiter_bytes() if encoded else self._response.aiter_raw()
        try:
            async for received in received_chunks:
                *lines, buffer = (buffer + received).split(b"\n")
                text, done = _parse_lines(lines, self._end)
                if text:
                    yield text
                if done:
                    await _drain(received_chunks)
                    return
                if time.monotonic() > self._deadline:
                    raise _StreamFailed("", UpstreamTimeoutError(ANSWER_TOO_LONG))
                if text:
                    await asyncio.sleep(PACE)
            text, done = _parse_lines([buffer], self._end)
            if text:
                yield text
            if not done and self._end.finish_reason is None:
                # The body ended with neither [DONE] nor a finish reason: the server gave up
                # (llama-cpp-python does so, with a 200, when the prompt overflows its window).
                raise _StreamFailed("", UpstreamConnectionLostError())
        except _StreamFailed as failed:
            if failed.text:
                yield failed.text  # what arrived before the failure still reaches the person
            self._error = failed.error
            raise failed.error from None
        except Exception as exc:
            self._error = exc
            if isinstance(exc, httpx2.TransportError):
                raise stream_failure(exc) from exc
            raise
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        """Close the upstream response, so the model stops generating; end the span once."""
        await self._response.aclose()
        if self._span.is_recording():
            end_span(self._span, self._error)


async def _drain(rest: AsyncIterator[bytes], limit: int = 65_536) -> None:
    """Read the few bytes after `[DONE]` (the end of the chunked body), so the connection goes
    back to the pool instead of being closed: a new one costs a TCP and a TLS handshake."""
    seen = 0
    async for received in rest:
        seen += len(received)
        if seen > limit:
            return  # a server that keeps talking after [DONE]: give up the connection


class _StreamFailed(Exception):
    """The stream failed after `text` arrived in the same read."""

    def __init__(self, text: str, error: AppError) -> None:
        super().__init__(text)
        self.text = text
        self.error = error


class _End:
    """What the stream's last chunks said: why it stopped, and the tokens it used."""

    __slots__ = ("finish_reason", "usage")

    def __init__(self) -> None:
        self.finish_reason: str | None = None  # None: no chunk said it (yet)
        self.usage: TokenUsage | None = None


def _parse_lines(lines: list[bytes], end: _End) -> tuple[str, bool]:
    """The answer text in these SSE lines, and whether `[DONE]` was among them."""
    pieces: list[str] = []
    for line in lines:
        if not line.startswith(b"data:"):
            continue  # blank separators, comments, `event:` lines
        data = line[5:].strip()
        if data == b"[DONE]":
            return "".join(pieces), True
        try:
            piece = _delta(json.loads(data), end)
        except ValueError:
            raise _StreamFailed("".join(pieces), UpstreamError()) from None
        except AppError as exc:
            raise _StreamFailed("".join(pieces), exc) from None
        if piece:
            pieces.append(piece)
    return "".join(pieces), False


def _delta(chunk: dict[str, Any], end: _End) -> str | None:
    if "error" in chunk:
        raise from_error_event(chunk["error"] if isinstance(chunk["error"], dict) else {})
    if usage := chunk.get("usage"):  # the last chunk, with stream_options.include_usage
        end.usage = _usage(usage)
    choices = chunk.get("choices")
    if not choices:
        return None  # Azure sends prompt_filter_results in a chunk without choices
    choice = choices[0]
    if reason := choice.get("finish_reason"):
        if reason == "content_filter":
            raise ContentFilteredError()
        end.finish_reason = reason
    delta = choice.get("delta") or {}
    content = delta.get("content")
    return content if isinstance(content, str) else None


def _usage(usage: object) -> TokenUsage | None:
    if not isinstance(usage, dict):
        return None
    prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens")
    if not (isinstance(prompt, int) and isinstance(completion, int)):
        return None
    return TokenUsage(prompt, completion, estimated=False)
