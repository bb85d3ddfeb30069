"""A model server's limits, through the app and the real SDK, against the fake OpenAI server on
a socket: bounded answers that say when they were cut, prompts that fit the context window
(checked on the fake's side, which refuses what does not fit as vLLM does), and optional steps
whose failure does not spoil the answer."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from fakes.openai_server import FakeOpenAI, FaultKind
from helpers import answer_text, chat_body, fake_model_settings, post_stream
from quart.typing import TestClientProtocol as Client

from app.errors import ContextTooLongError
from app.settings import Settings

QUESTION = "How many weeks of parental leave do I get?"
PIECES = [f"word{n} " for n in range(40)]


@pytest.fixture
async def model() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI(answer=PIECES, followup_text="<<Is it paid?>>") as fake:
        yield fake


def settings_for(fake: FakeOpenAI, make_settings: Callable[..., Settings], **extra: Any) -> Any:
    return fake_model_settings(make_settings, fake.base_url, **extra)


def budget_of(lines: list[dict[str, Any]]) -> dict[str, Any]:
    thoughts = lines[0]["context"]["thoughts"]
    answer = next(t for t in thoughts if t["title"] == "Prompt to generate answer")
    budget: dict[str, Any] = answer["props"]["token_budget"]
    return budget


def conversation(turns: int, words: int = 220) -> list[dict[str, str]]:
    filler = "the leave policy says many things about parents and weeks of time off " * (
        words // 14
    )
    messages = [
        {"role": "user" if i % 2 == 0 else "assistant", "content": f"turn {i}: {filler}"}
        for i in range(turns)
    ]
    return [*messages, {"role": "user", "content": QUESTION}]


async def test_an_answer_that_would_run_past_max_tokens_is_cut_and_says_so(
    serve: Callable[[Settings], Any], make_settings: Callable[..., Settings], model: FakeOpenAI
) -> None:
    client: Client = await serve(settings_for(model, make_settings, openai_max_tokens=16))
    status, lines = await post_stream(client, "/ask/stream", chat_body(QUESTION))
    assert status == 200
    assert answer_text(lines) == "".join(PIECES[:16])
    assert model.requests[-1]["max_tokens"] == 16
    assert lines[-1] == {"delta": {"role": "assistant"}, "finish_reason": "length"}
    assert not any("error" in line for line in lines)
    assert budget_of(lines)["max_tokens"] == 16

    collected = await (await client.post("/ask", json=chat_body(QUESTION))).get_json()
    assert collected["finish_reason"] == "length"
    assert collected["message"]["content"] == "".join(PIECES[:16])


async def test_an_answer_that_ends_by_itself_has_no_extra_line(
    serve: Callable[[Settings], Any], make_settings: Callable[..., Settings], model: FakeOpenAI
) -> None:
    client: Client = await serve(settings_for(model, make_settings))
    status, lines = await post_stream(client, "/ask/stream", chat_body(QUESTION))
    assert status == 200
    assert answer_text(lines) == "".join(PIECES)
    assert not any("finish_reason" in line for line in lines)
    request = model.requests[-1]
    assert request["max_tokens"] == 1024  # OPENAI_MAX_TOKENS' default bounds every answer
    assert request["stream_options"] == {"include_usage": True}
    collected = await (await client.post("/ask", json=chat_body(QUESTION))).get_json()
    assert collected["finish_reason"] == "stop"


async def test_a_callers_token_bound_goes_to_the_model_when_it_is_the_smaller(
    serve: Callable[[Settings], Any], make_settings: Callable[..., Settings], model: FakeOpenAI
) -> None:
    client: Client = await serve(settings_for(model, make_settings, openai_max_tokens=32))
    status, lines = await post_stream(client, "/ask/stream", chat_body(QUESTION, max_tokens=8))
    assert status == 200
    assert model.requests[-1]["max_tokens"] == 8  # the model stops sooner: fewer tokens paid
    assert answer_text(lines) == "".join(PIECES[:8])
    assert lines[-1]["finish_reason"] == "length"
    assert budget_of(lines)["max_tokens"] == 8

    # A larger bound than the server allows is not an error: the server's bound holds.
    await post_stream(client, "/ask/stream", chat_body(QUESTION, max_tokens=5000))
    assert model.requests[-1]["max_tokens"] == 32

    response = await client.post("/ask", json=chat_body(QUESTION, max_tokens=0))
    assert response.status_code == 400
    assert "max_tokens" in (await response.get_json())["error"]


@pytest.mark.parametrize(
    ("kind", "phrase"),
    [
        ("429", "rate limited"),
        ("500", "returned an error"),
        ("503", "could not be reached"),
        ("context_length", "too long for the language model"),
        ("content_filter", "content filter"),
        ("reset", "closed the connection"),
    ],
)
async def test_a_failed_follow_up_call_leaves_the_answer_whole(
    serve: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    model: FakeOpenAI,
    caplog: pytest.LogCaptureFixture,
    kind: FaultKind,
    phrase: str,
) -> None:
    client: Client = await serve(settings_for(model, make_settings))
    model.fail_calls("followup", kind)
    body = chat_body(QUESTION, suggest_followup_questions=True)
    with caplog.at_level(logging.WARNING):
        status, lines = await post_stream(client, "/chat/stream", body)
    assert status == 200
    assert answer_text(lines) == "".join(PIECES)
    assert not any("error" in line for line in lines)  # the stream ends normally
    last = lines[-1]["context"]
    assert last["followup_questions"] == []
    (note,) = last["thoughts_added"]
    assert note["title"] == "Follow-up questions"
    assert phrase in note["description"]
    assert any("follow-up questions failed" in r.getMessage() for r in caplog.records)

    collected = await (await client.post("/chat", json=body)).get_json()
    assert collected["message"]["content"] == "".join(PIECES)
    assert collected["context"]["followup_questions"] == []
    assert phrase in collected["context"]["thoughts"][-1]["description"]

    model.fail_calls("followup", None)
    status, lines = await post_stream(client, "/chat/stream", body)
    assert lines[-1]["context"]["followup_questions"] == ["Is it paid?"]
    assert "thoughts_added" not in lines[-1]["context"]


async def test_a_failed_rewrite_searches_the_question_as_asked(
    serve: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    model: FakeOpenAI,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client: Client = await serve(settings_for(model, make_settings))
    model.fail_calls("rewrite", "429")
    with caplog.at_level(logging.WARNING):
        status, lines = await post_stream(client, "/chat/stream", chat_body(QUESTION))
    assert status == 200
    assert answer_text(lines) == "".join(PIECES)
    assert not any("error" in line for line in lines)
    search = lines[0]["context"]["thoughts"][0]
    assert search["description"] == QUESTION
    assert "rate limited" in search["props"]["notes"][0]
    assert "searched as asked" in search["props"]["notes"][0]
    assert "pto-leave-policy.html" in lines[0]["context"]["data_points"]["citations"]
    assert any("query rewrite failed" in r.getMessage() for r in caplog.records)


async def test_history_and_sources_that_overflow_a_small_window_are_cut_to_fit(
    serve: Callable[[Settings], Any], make_settings: Callable[..., Settings]
) -> None:
    async with FakeOpenAI(
        answer=PIECES, followup_text="<<Is it paid?>>", context_window=2048
    ) as fake:
        client: Client = await serve(
            settings_for(fake, make_settings, openai_context_tokens=2048, openai_max_tokens=512)
        )
        body = {
            "messages": conversation(10),
            "context": {"overrides": {"top": 10, "suggest_followup_questions": True}},
        }
        status, lines = await post_stream(client, "/chat/stream", body)
        assert status == 200, lines
        assert fake.refused_too_long == 0
        # What the model received fits, counted on the fake's side: the rewrite and its 100,
        # the answer and its 512, the follow-ups and their 200.
        rewrite, answer, followup = fake.prompt_tokens[-3:]
        assert rewrite + 100 <= 2048
        assert answer + 512 <= 2048
        assert followup + 200 <= 2048
        budget = budget_of(lines)
        assert budget["context_window"] == 2048
        assert budget["context_window_from"] == "OPENAI_CONTEXT_TOKENS"
        assert "estimated" in budget["counting"]  # fake-model: no tokenizer for it here
        assert budget["prompt_tokens"] + 512 <= 2048
        assert "10 earlier message(s)" in budget["trimmed"][0]
        assert "lowest-ranked source(s) left out" in budget["trimmed"][1]
        sent = fake.requests[-2]["messages"]
        assert [m["role"] for m in sent] == ["system", "user"]
        # The sources shown are the ones the model was given.
        shown = lines[0]["context"]["data_points"]["text"]
        assert all(text.split(":")[0] in sent[-1]["content"] for text in shown)
        assert len(shown) < 10
        assert answer_text(lines) == "".join(PIECES)
        assert lines[-1]["context"]["followup_questions"] == ["Is it paid?"]


async def test_a_request_the_model_refuses_as_too_long_gets_the_plain_message(
    serve: Callable[[Settings], Any], make_settings: Callable[..., Settings]
) -> None:
    # The window claimed is larger than the server's: its refusal is what the person sees.
    async with FakeOpenAI(answer=PIECES, context_window=1024) as fake:
        client: Client = await serve(
            settings_for(fake, make_settings, openai_context_tokens=100_000)
        )
        response = await client.post("/ask/stream", json=chat_body(QUESTION, top=5))
        assert response.status_code == 400
        assert (await response.get_json())["error"] == ContextTooLongError.message
        assert fake.refused_too_long == 1


async def test_a_question_longer_than_the_window_is_refused_before_the_model_is_called(
    serve: Callable[[Settings], Any], make_settings: Callable[..., Settings], model: FakeOpenAI
) -> None:
    client: Client = await serve(settings_for(model, make_settings, openai_context_tokens=2048))
    question = "parental leave weeks " * 400
    response = await client.post("/ask", json=chat_body(question))
    assert response.status_code == 400
    assert (await response.get_json())["error"] == ContextTooLongError.message
    assert len(model.requests) == 0


@pytest.mark.parametrize("style", ["vllm", "llama.cpp"])
async def test_the_window_the_server_reports_is_used(
    serve: Callable[[Settings], Any], make_settings: Callable[..., Settings], style: Any
) -> None:
    async with FakeOpenAI(
        answer=PIECES, context_window=3000, report_window=3000, report_style=style
    ) as fake:
        client: Client = await serve(settings_for(fake, make_settings))
        status, lines = await post_stream(client, "/ask/stream", chat_body(QUESTION, top=10))
        assert status == 200
        budget = budget_of(lines)
        assert budget["context_window"] == 3000
        assert budget["context_window_from"] == "reported by the model server"
        assert fake.refused_too_long == 0


async def test_an_unknown_model_that_reports_nothing_gets_a_small_window(
    serve: Callable[[Settings], Any], make_settings: Callable[..., Settings], model: FakeOpenAI
) -> None:
    client: Client = await serve(settings_for(model, make_settings))
    status, lines = await post_stream(client, "/ask/stream", chat_body(QUESTION))
    assert status == 200
    budget = budget_of(lines)
    assert budget["context_window"] == 4096
    assert "set OPENAI_CONTEXT_TOKENS" in budget["context_window_from"]


async def test_a_window_the_server_names_only_when_it_refuses_is_learnt(
    serve: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Reports nothing, assumed 4,096, but holds 2,048: as llama-cpp-python's server by default.
    async with FakeOpenAI(answer=PIECES, context_window=2048) as fake:
        client: Client = await serve(settings_for(fake, make_settings, openai_max_tokens=256))
        body = {"messages": conversation(10), "context": {"overrides": {"top": 10}}}
        with caplog.at_level(logging.WARNING):
            status, lines = await post_stream(client, "/chat/stream", body)
        assert status == 200, lines
        assert answer_text(lines) == "".join(PIECES)
        assert fake.refused_too_long == 1  # the first call, the rewrite; then it fits
        budget = budget_of(lines)
        assert budget["context_window"] == 2048
        assert budget["context_window_from"].startswith("said by the model server")
        assert any("set OPENAI_CONTEXT_TOKENS=2048" in r.getMessage() for r in caplog.records)
        search = lines[0]["context"]["thoughts"][0]
        assert "notes" not in search["props"]  # the rewrite succeeded on its second try


async def test_the_rewrite_sees_the_same_trimmed_history_as_the_answer(
    serve: Callable[[Settings], Any], make_settings: Callable[..., Settings], model: FakeOpenAI
) -> None:
    client: Client = await serve(
        settings_for(model, make_settings, openai_context_tokens=100_000, history_token_budget=700)
    )
    body = {"messages": conversation(10), "context": {"overrides": {}}}
    status, _ = await post_stream(client, "/chat/stream", body)
    assert status == 200
    rewrite, answer = model.requests[-2], model.requests[-1]
    assert not rewrite.get("stream")
    asked = rewrite["messages"][-1]["content"]
    assert QUESTION in asked
    assert "turn 9" in asked
    assert "turn 0" not in asked  # cut by HISTORY_TOKEN_BUDGET, as for the answer
    assert "turn 0" not in str(answer["messages"])
