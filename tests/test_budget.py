"""Token budgets (app/models/budget.py), the window a server reports (app/models/probe.py), and
the plain messages for what model servers say when a request does not fit."""

from __future__ import annotations

import math
from typing import Any

import httpx
import openai
import pytest

from app.errors import (
    ContentFilteredError,
    ContextTooLongError,
    UpstreamError,
    UpstreamThrottledError,
    UpstreamUnavailableError,
    from_error_event,
    is_context_too_long,
)
from app.models import prompts
from app.models.base import AnswerPrompt
from app.models.budget import (
    ASSUMED_WINDOW,
    ESTIMATE_FACTOR,
    Budget,
    Counter,
    TokenLimits,
    Window,
    byte_bound,
    known_window,
)
from app.models.probe import window_in_models, window_in_props, window_in_refusal
from app.schemas import Message
from app.search import SearchHit
from app.settings import SettingsError, load_settings
from app.tokens import count_tokens

WORDS = "the plan covers dental and vision care for the whole family every year "


def hit(n: int, words: int = 300) -> SearchHit:
    text = f"source {n}. " + WORDS * (words // 14)
    return SearchHit(id=str(n), content=text, sourcepage=f"doc{n}.md", sourcefile=f"doc{n}.md")


def turns(count: int, words: int = 150) -> list[Message]:
    roles = ("user", "assistant")
    return [
        Message(role=roles[i % 2], content=f"turn {i}: " + WORDS * (words // 14))
        for i in range(count)
    ]


def answer_prompt(
    history: list[Message], sources: list[SearchHit], question: str = "Dental?"
) -> AnswerPrompt:
    return AnswerPrompt(kind="chat", question=question, history=history, sources=sources)


def budget(window: int, max_tokens: int = 256, model: str = "gpt-4") -> Budget:
    return Budget(model, TokenLimits(max_tokens=max_tokens), Window(window, "test"))


def test_a_prompt_that_fits_by_its_bytes_is_not_counted_or_cut() -> None:
    prompt = answer_prompt(turns(2), [hit(1), hit(2)])
    fitted = budget(128_000).fit_answer(prompt, prompts.answer_messages)
    assert fitted.prompt is prompt
    assert fitted.tokens is None
    assert fitted.notes == ()
    assert byte_bound(fitted.messages) <= 128_000 - 256


def test_history_goes_first_then_the_lowest_ranked_sources() -> None:
    history, sources = turns(6), [hit(n) for n in range(1, 6)]
    full = Counter("gpt-4").messages(prompts.answer_messages(answer_prompt(history, sources)))
    # Room for the sources but not for the history: only turns go, the newest stay.
    one_turn = Counter("gpt-4").message(history[0].content)
    window = full - 3 * one_turn + 256
    fitted = budget(window).fit_answer(answer_prompt(history, sources), prompts.answer_messages)
    assert list(fitted.prompt.sources) == sources
    assert 0 < len(fitted.prompt.history) < len(history)
    assert list(fitted.prompt.history) == history[-len(fitted.prompt.history) :]
    assert fitted.tokens is not None
    assert fitted.tokens <= window - 256
    assert fitted.tokens == Counter("gpt-4").messages(fitted.messages)
    assert len(fitted.notes) == 1
    assert "earlier message(s)" in fitted.notes[0]

    # Less room: no history at all, and the last sources go, by name.
    small = budget(1800).fit_answer(answer_prompt(history, sources), prompts.answer_messages)
    assert small.prompt.history == ()
    kept = len(small.prompt.sources)
    assert 1 <= kept < len(sources)
    assert list(small.prompt.sources) == sources[:kept]
    assert small.tokens is not None
    assert small.tokens <= 1800 - 256
    assert "6 earlier message(s)" in small.notes[0]
    assert "lowest-ranked source(s) left out" in small.notes[1]
    assert all(f"doc{n}.md" in small.notes[1] for n in range(kept + 1, 6))
    assert "(1,800 tokens, test)" in small.notes[1]


def test_a_question_too_long_for_the_window_is_refused() -> None:
    question = WORDS * 200  # about 2,800 tokens
    with pytest.raises(ContextTooLongError):
        budget(2048).fit_answer(answer_prompt([], [hit(1)], question), prompts.answer_messages)


def test_the_answer_bound_never_takes_more_than_half_the_window() -> None:
    assert budget(1024, max_tokens=4096).max_tokens == 512
    assert budget(8192, max_tokens=1024).max_tokens == 1024


def test_the_rewrite_keeps_the_newest_turns_that_fit() -> None:
    conversation = [*turns(9), Message(role="user", content="And vision?")]
    messages = budget(1024).fit_conversation(conversation, prompts.query_messages, 100)
    assert Counter("gpt-4").messages(messages) <= 1024 - 100
    assert "And vision?" in messages[-1]["content"]
    assert "turn 8" in messages[-1]["content"]
    assert "turn 0" not in messages[-1]["content"]
    with pytest.raises(ContextTooLongError):
        budget(600).fit_conversation(
            [Message(role="user", content=WORDS * 60)], prompts.query_messages, 100
        )


def test_follow_ups_lose_sources_before_they_are_refused() -> None:
    prompt = answer_prompt([], [hit(n) for n in range(1, 5)])
    messages = budget(1200).fit_sources(
        prompt, lambda p: prompts.followup_messages(p, "An answer."), 200
    )
    assert Counter("gpt-4").messages(messages) <= 1200 - 200
    assert "doc1.md" in messages[-1]["content"]
    assert "doc4.md" not in messages[-1]["content"]
    with pytest.raises(ContextTooLongError):
        budget(600).fit_sources(prompt, lambda p: prompts.followup_messages(p, WORDS * 60), 200)


def test_counts_are_exact_for_openai_families_and_estimated_for_others() -> None:
    text = WORDS * 10
    assert Counter("gpt-4o-mini").text(text) == count_tokens(text)
    assert Counter("openai/gpt-4.1").exact
    estimated = Counter("llama-3.2-1b-instruct")
    assert not estimated.exact
    assert "estimated" in estimated.method
    assert estimated.text(text) == math.ceil(count_tokens(text) * ESTIMATE_FACTOR)


def test_known_windows_by_family_most_specific_first() -> None:
    assert known_window("gpt-4o-mini") == Window(128_000, "known for gpt-4o")
    assert known_window("gpt-4-32k-0613") == Window(32_768, "known for gpt-4-32k")
    assert known_window("gpt-4") == Window(8_192, "known for gpt-4")
    assert known_window("gpt-4.1-mini") == Window(1_047_576, "known for gpt-4.1")
    assert known_window("qwen2.5-0.5b-instruct") is None
    assert ASSUMED_WINDOW == 4096


def test_the_window_servers_report() -> None:
    vllm = {"data": [{"id": "other", "max_model_len": 1}, {"id": "m", "max_model_len": 8192}]}
    assert window_in_models(vllm, "m") == 8192
    assert window_in_models({"data": [{"id": "x", "context_length": 32768}]}, "m") == 32768
    # llama.cpp's /v1/models says only the window the model was trained with: not used.
    assert window_in_models({"data": [{"id": "m", "meta": {"n_ctx_train": 32768}}]}, "m") is None
    assert window_in_models({"data": [{"id": "a"}, {"id": "b", "max_model_len": 9}]}, "m") is None
    assert window_in_models("not json", "m") is None
    assert window_in_props({"default_generation_settings": {"n_ctx": 4096}}) == 4096
    assert window_in_props({"n_ctx": True}) is None
    assert window_in_props(None) is None


@pytest.mark.parametrize(
    "message",
    [
        "This model's maximum context length is 4096 tokens. However, you requested 4301",
        "the request exceeds the available context size, try increasing it",
        "Requested tokens (5000) exceed context window of 4096",
    ],
)
def test_servers_wording_of_a_context_overflow_is_recognised(message: str) -> None:
    assert is_context_too_long(None, message)
    assert is_context_too_long("context_length_exceeded", "")
    assert not is_context_too_long(None, "invalid value for temperature")


@pytest.mark.parametrize(
    ("event", "error"),
    [
        ({"code": "content_filter", "message": "x"}, ContentFilteredError),
        ({"code": "context_length_exceeded", "message": "x"}, ContextTooLongError),
        ({"type": "exceed_context_size_error", "message": "x"}, ContextTooLongError),
        ({"code": "rate_limit_exceeded", "message": "x"}, UpstreamThrottledError),
        ({"code": 503, "message": "Loading model"}, UpstreamUnavailableError),
        ({"type": "server_error", "message": "x"}, UpstreamError),
    ],
)
def test_in_band_errors_get_their_plain_message(
    event: dict[str, object], error: type[UpstreamError]
) -> None:
    assert type(from_error_event(event)) is error


def test_an_answer_bound_as_large_as_the_window_is_a_settings_error() -> None:
    with pytest.raises(SettingsError, match="OPENAI_MAX_TOKENS must be smaller than OPENAI_"):
        load_settings(_env_file=None, openai_context_tokens=2048, openai_max_tokens=2048)
    limits = TokenLimits.from_settings(
        load_settings(
            _env_file=None,
            chat_provider="openai",
            openai_base_url="http://127.0.0.1:1/v1",
            openai_chat_model="m",
            openai_context_tokens=8192,
        )
    )
    assert limits == TokenLimits(context_tokens=8192, max_tokens=1024, ask_server=True)


@pytest.mark.parametrize(
    ("message", "body", "window"),
    [
        ("This model's maximum context length is 4,096 tokens. However, you requested", {}, 4096),
        ("Requested tokens (3167) exceed context window of 2048", {}, 2048),
        (
            "the request exceeds the available context size, try increasing it",
            {
                "error": {
                    "type": "exceed_context_size_error",
                    "n_prompt_tokens": 5000,
                    "n_ctx": 8192,
                }
            },
            8192,
        ),
        ("Invalid 'messages': too long", {}, None),
    ],
)
def test_the_window_a_refusal_names(message: str, body: dict[str, Any], window: int | None) -> None:
    request = httpx.Request("POST", "http://model.test/v1/chat/completions")
    error = openai.BadRequestError(
        message, response=httpx.Response(400, request=request), body=body
    )
    assert window_in_refusal(error) == window
