"""`/v1` driven by the real `openai` SDK against the app served on a socket: with the offline
extractive answerer, and with a language model (the fake OpenAI server on 127.0.0.1)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import openai
import pytest
from fakes.openai_server import FakeOpenAI
from helpers import fake_model_settings, until
from served import served

from app.errors import UpstreamError
from app.settings import Settings
from app.tokens import count_tokens

KEY = "test-key-0123456789abcdef"
QUESTION = "How many weeks of parental leave do I get?"
ASK = [{"role": "user", "content": QUESTION}]
CITATION = re.compile(r"\[([^\]]+)\]")


def sdk(url: str, key: str = KEY) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=f"{url}/v1", api_key=key, max_retries=0)


@pytest.fixture
async def url(make_settings: Callable[..., Settings]) -> AsyncIterator[str]:
    async with served(make_settings(api_keys=KEY)) as base:
        yield base


@pytest.fixture
async def client(url: str) -> AsyncIterator[openai.AsyncOpenAI]:
    async with sdk(url) as result:
        yield result


async def streamed(client: openai.AsyncOpenAI, **request: Any) -> list[Any]:
    stream = await client.chat.completions.create(stream=True, **request)
    return [chunk async for chunk in stream]


def text_of(chunks: list[Any]) -> str:
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


# -- the offline answerer ---------------------------------------------------------------------


async def test_models_lists_the_profiles(client: openai.AsyncOpenAI) -> None:
    listed = await client.models.list()
    assert [model.id for model in listed.data] == ["ragchat", "ragchat-ask"]
    assert all(model.owned_by == "ragchat" and model.description for model in listed.data)
    one = await client.models.retrieve("ragchat-ask")
    assert one.id == "ragchat-ask"
    with pytest.raises(openai.NotFoundError) as missing:
        await client.models.retrieve("gpt-4o")
    assert missing.value.code == "model_not_found"


async def test_a_collected_answer_cites_its_sources(client: openai.AsyncOpenAI) -> None:
    completion = await client.chat.completions.create(model="ragchat", messages=ASK)
    assert completion.object == "chat.completion"
    assert completion.id.startswith("chatcmpl-")
    assert completion.model == "ragchat"
    [choice] = completion.choices
    assert choice.finish_reason == "stop"
    content = choice.message.content or ""
    assert "14 weeks" in content
    cited = set(CITATION.findall(content))
    context = choice.message.context  # type: ignore[attr-defined]
    assert cited
    assert cited <= set(context["data_points"]["citations"])
    assert [t["title"] for t in context["thoughts"]][:2] == ["Search query", "Search results"]
    assert context["followup_questions"] is None
    usage = completion.usage
    assert usage is not None
    assert usage.model_extra == {"estimated": True}
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    # The prompt estimate covers the question and every source the answer was made from.
    sources = sum(count_tokens(text) for text in context["data_points"]["text"])
    assert usage.prompt_tokens > sources + count_tokens(QUESTION)
    assert abs(usage.completion_tokens - count_tokens(content)) <= count_tokens(content) // 10


async def test_a_streamed_answer_is_the_collected_one_in_chunks(
    client: openai.AsyncOpenAI,
) -> None:
    collected = await client.chat.completions.create(model="ragchat", messages=ASK)
    chunks = await streamed(
        client, model="ragchat", messages=ASK, stream_options={"include_usage": True}
    )
    first, *middle, finish, usage = chunks
    assert first.object == "chat.completion.chunk"
    assert len({chunk.id for chunk in chunks}) == 1
    assert first.choices[0].delta.role == "assistant"
    context = first.choices[0].delta.context  # type: ignore[attr-defined]
    assert context["data_points"] == collected.choices[0].message.context["data_points"]  # type: ignore[attr-defined]
    assert len(middle) > 2  # streamed in pieces
    assert text_of(chunks) == collected.choices[0].message.content
    assert finish.choices[0].finish_reason == "stop"
    assert usage.choices == []
    assert usage.usage == collected.usage


async def test_without_include_usage_no_usage_chunk(client: openai.AsyncOpenAI) -> None:
    chunks = await streamed(client, model="ragchat-ask", messages=ASK)
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert all(chunk.usage is None for chunk in chunks)


async def test_overrides_ride_in_extra_body(client: openai.AsyncOpenAI) -> None:
    overrides = {"top": 1, "suggest_followup_questions": True}
    chunks = await streamed(
        client, model="ragchat", messages=ASK, extra_body={"context": {"overrides": overrides}}
    )
    context = chunks[0].choices[0].delta.context  # type: ignore[attr-defined]
    assert len(context["data_points"]["text"]) == 1
    followups = [
        c.choices[0].delta.context["followup_questions"]  # type: ignore[attr-defined]
        for c in chunks[1:]
        if c.choices and getattr(c.choices[0].delta, "context", None)
    ]
    assert len(followups) == 1
    assert followups[0]


async def test_max_tokens_cuts_the_answer(client: openai.AsyncOpenAI) -> None:
    completion = await client.chat.completions.create(
        model="ragchat", messages=ASK, max_completion_tokens=7
    )
    assert completion.choices[0].finish_reason == "length"
    assert completion.usage is not None
    assert completion.usage.completion_tokens == 7
    content = completion.choices[0].message.content or ""
    assert content.startswith("*No language")
    assert count_tokens(content) <= 7
    chunks = await streamed(client, model="ragchat", messages=ASK, max_tokens=7)
    assert text_of(chunks) == content
    assert chunks[-1].choices[0].finish_reason == "length"


async def test_stop_ends_the_answer_before_the_sequence(client: openai.AsyncOpenAI) -> None:
    full = await client.chat.completions.create(model="ragchat", messages=ASK)
    whole = full.choices[0].message.content or ""
    expected = whole[: whole.index("weeks")]
    chunks = await streamed(client, model="ragchat", messages=ASK, stop=["weeks", "zzz"])
    assert text_of(chunks) == expected
    assert chunks[-1].choices[0].finish_reason == "stop"


@pytest.mark.parametrize(
    ("request_fields", "param"),
    [
        ({"tools": [{"type": "function", "function": {"name": "f"}}]}, "tools"),
        ({"n": 2}, "n"),
        ({"logprobs": True}, "logprobs"),
        ({"response_format": {"type": "json_object"}}, "response_format"),
        (
            {
                "messages": [
                    {
                        "role": "user",
                        "content": [{"type": "image_url", "image_url": {"url": "x"}}],
                    }
                ]
            },
            "messages[0].content[0].type",
        ),
        ({"temperature": 3}, "temperature"),
        ({"messages": []}, "messages"),
        (
            {
                "messages": [
                    {"role": "user", "content": QUESTION},
                    {"role": "assistant", "content": "x"},
                ]
            },
            "messages",
        ),
        ({"extra_body": {"context": {"overrides": {"top": 99}}}}, "context.overrides.top"),
        ({"extra_body": {"colour": "blue"}}, "colour"),
    ],
)
async def test_what_cannot_be_done_is_a_bad_request_naming_the_field(
    client: openai.AsyncOpenAI, request_fields: dict[str, Any], param: str
) -> None:
    with pytest.raises(openai.BadRequestError) as refused:
        await client.chat.completions.create(
            **{"model": "ragchat", "messages": ASK, **request_fields}
        )
    assert refused.value.param == param
    assert refused.value.type == "invalid_request_error"


async def test_an_unknown_model_is_not_found(client: openai.AsyncOpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as missing:
        await client.chat.completions.create(model="gpt-4o", messages=ASK)
    assert (missing.value.code, missing.value.param) == ("model_not_found", "model")


async def test_a_wrong_key_is_an_authentication_error(url: str) -> None:
    async with sdk(url, key="not-the-key-at-all-0000") as wrong:
        with pytest.raises(openai.AuthenticationError) as refused:
            await wrong.chat.completions.create(model="ragchat", messages=ASK)
        with pytest.raises(openai.AuthenticationError):
            await wrong.models.list()
    assert refused.value.code == "invalid_api_key"
    assert refused.value.response.headers["WWW-Authenticate"].startswith("Bearer")


async def test_a_hashed_key_is_accepted(make_settings: Callable[..., Settings]) -> None:
    import hashlib

    hashed = "sha256:" + hashlib.sha256(KEY.encode()).hexdigest()
    async with served(make_settings(api_keys=f"other-key-0123456789ab,{hashed}")) as base:
        async with sdk(base) as client:
            assert (await client.models.list()).data
        async with sdk(base, key=hashed) as digest_as_key:
            with pytest.raises(openai.AuthenticationError):
                await digest_as_key.models.list()


# -- a language model (the fake OpenAI server) ------------------------------------------------


@pytest.fixture
async def model() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI(chunks=5, followup_text="<<Is there a family deductible?>>") as fake:
        yield fake


@pytest.fixture
async def model_client(
    model: FakeOpenAI, make_settings: Callable[..., Settings]
) -> AsyncIterator[openai.AsyncOpenAI]:
    settings = fake_model_settings(
        make_settings,
        model.base_url,
        api_keys=KEY,
    )
    async with served(settings) as base, sdk(base) as client:
        yield client


async def test_the_model_answers_through_the_sdk(
    model_client: openai.AsyncOpenAI, model: FakeOpenAI
) -> None:
    chunks = await streamed(
        model_client,
        model="ragchat",
        messages=ASK,
        temperature=0.2,
        seed=7,
        stream_options={"include_usage": True},
        extra_body={"context": {"overrides": {"suggest_followup_questions": True}}},
    )
    assert text_of(chunks) == "piece0 piece1 piece2 piece3 piece4 "
    rewrite, answer, followup = model.requests
    assert rewrite["messages"][-1]["content"] == QUESTION  # `ragchat` rewrites the question
    assert (answer["stream"], answer["temperature"], answer["seed"]) == (True, 0.2, 7)
    assert "follow-up" in followup["messages"][0]["content"]
    context = chunks[0].choices[0].delta.context  # type: ignore[attr-defined]
    assert context["thoughts"][0]["description"] == "plus plan deductible"
    assert chunks[-3].choices[0].delta.context == {  # type: ignore[attr-defined]
        "followup_questions": ["Is there a family deductible?"]
    }
    # The model's own count of the answer call, as it reported it (a quarter of the prompt's
    # characters, one token a piece: the fake's way of counting).
    usage = chunks[-1].usage
    assert usage is not None
    assert usage.model_extra == {"estimated": False}
    prompt = sum(len(m["content"]) for m in answer["messages"]) // 4
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (
        prompt,
        5,
        prompt + 5,
    )


async def test_a_collected_model_answer(
    model_client: openai.AsyncOpenAI, model: FakeOpenAI
) -> None:
    completion = await model_client.chat.completions.create(model="ragchat-ask", messages=ASK)
    assert completion.choices[0].message.content == "piece0 piece1 piece2 piece3 piece4 "
    assert [request.get("stream") for request in model.requests] == [True]  # no rewrite
    assert completion.usage is not None
    assert (completion.usage.completion_tokens, completion.usage.model_extra) == (
        5,
        {"estimated": False},
    )


async def test_the_token_limit_reaches_the_model(
    model_client: openai.AsyncOpenAI, model: FakeOpenAI
) -> None:
    """Not only is the stream cut at it: the model is asked for no more, and stops there."""
    completion = await model_client.chat.completions.create(
        model="ragchat-ask", messages=ASK, max_completion_tokens=3
    )
    assert model.requests[-1]["max_tokens"] == 3  # the fake sends 3 pieces, a token each
    content = completion.choices[0].message.content or ""
    # The cut-off counts with the tokenizer (a piece may be two tokens): at most those 3.
    assert content
    assert "piece0 piece1 piece2 ".startswith(content)
    assert completion.choices[0].finish_reason == "length"


async def test_a_failure_mid_stream_is_an_api_error_with_a_safe_message(
    model_client: openai.AsyncOpenAI, model: FakeOpenAI
) -> None:
    model.fail_next("error_event", after_chunks=2)
    stream = await model_client.chat.completions.create(
        model="ragchat-ask", messages=ASK, stream=True
    )
    received: list[str] = []

    async def read() -> None:
        async for chunk in stream:
            received.append(chunk.choices[0].delta.content or "")

    with pytest.raises(openai.APIError) as failed:
        await read()
    assert "".join(received) == "piece0 piece1 "  # what came is kept
    assert failed.value.message == UpstreamError.message
    assert failed.value.body == {
        "message": UpstreamError.message,
        "type": "server_error",
        "param": None,
        "code": "upstream_error",
    }


@pytest.mark.parametrize(
    ("fault", "error", "status"),
    [("500", openai.InternalServerError, 502), ("429", openai.RateLimitError, 429)],
)
async def test_a_failure_before_the_answer_keeps_its_status(
    model_client: openai.AsyncOpenAI,
    model: FakeOpenAI,
    fault: str,
    error: type[openai.APIStatusError],
    status: int,
) -> None:
    model.fail_next(fault, retry_after=0)  # type: ignore[arg-type]
    with pytest.raises(error) as failed:
        await model_client.chat.completions.create(model="ragchat-ask", messages=ASK, stream=True)
    assert failed.value.status_code == status
    assert "upstream says" not in failed.value.message


async def test_a_client_that_leaves_stops_the_model(
    model_client: openai.AsyncOpenAI, model: FakeOpenAI
) -> None:
    model.chunks, model.chunk_delay = 50, 0.1
    stream = await model_client.chat.completions.create(
        model="ragchat-ask", messages=ASK, stream=True
    )
    async for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            break
    await stream.close()
    await until(lambda: model.open_streams == 0)
    [record] = model.streams
    assert record.closed_early_at is not None  # the app hung up on the model
    assert record.chunks_sent < 50
    assert (model.streams_cut, model.streams_finished) == (1, 0)
