"""`/v1` through the app's test client: when it is served at all, its framework errors in
OpenAI's shape, the limits it shares with `/chat/stream`, and how the approach's end of the
answer (its EndEvent) becomes the finish reason and the usage."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import openai
import pytest
from fakes.openai_server import FakeOpenAI
from helpers import fake_model_settings, until
from quart.typing import TestClientProtocol as Client
from served import served

from app.events import ContextEvent, DeltaEvent, EndEvent, Event, FollowupEvent, TokenUsage
from app.openai_api import profiles
from app.routes.answers import NdjsonWriter
from app.schemas import DataPoints
from app.settings import Settings, SettingsError, load_settings

KEY = "test-key-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {KEY}"}
ASK = [{"role": "user", "content": "How many weeks of parental leave do I get?"}]
BODY = {"model": "ragchat", "messages": ASK}


def sse(body: bytes) -> list[Any]:
    """The `data` of each event: parsed JSON, or the `[DONE]` string."""
    events = [part.removeprefix(b"data: ") for part in body.split(b"\n\n") if part]
    return [e.decode() if e == b"[DONE]" else json.loads(e) for e in events]


@pytest.fixture
async def client(serve: Callable[[Settings], Any], make_settings: Callable[..., Settings]) -> Any:
    return await serve(make_settings(api_keys=KEY))


# -- on or off ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/v1/models"), ("POST", "/v1/chat/completions"), ("GET", "/v1/models/ragchat")],
)
async def test_without_keys_or_login_the_api_is_not_there(
    serve: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    method: str,
    path: str,
) -> None:
    client: Client = await serve(make_settings())
    response = await client.open(path, method=method, json=BODY, headers=AUTH)
    assert response.status_code == 404
    spec = await (await client.get("/openapi.json")).get_json()
    assert not [p for p in spec["paths"] if p.startswith("/v1")]


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("short-key", "key 1: shorter than 16"),
        ("good-key-0123456789abcdef,sha256:abc", "key 2: a hashed key"),
        ("has a space in it 0123456789", "key 1: keys are printable"),
    ],
)
def test_a_bad_key_is_refused_at_start_up_without_showing_it(value: str, problem: str) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings(api_keys=value, _env_file=None)
    message = str(refused.value)
    assert f"API_KEYS: {problem}" in message
    assert all(key not in message for key in value.split(","))


# -- framework errors in OpenAI's shape --------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "status", "code", "param"),
    [
        (
            {"data": "x", "headers": {"Content-Type": "text/plain"}},
            415,
            "unsupported_media_type",
            None,
        ),
        ({"data": "{not json", "headers": {"Content-Type": "application/json"}}, 400, None, None),
        ({"json": {**BODY, "colour": "blue"}}, 400, "unknown_parameter", "colour"),
        ({"json": {**BODY, "stop": ["a", "b", "c", "d", "e"]}}, 400, None, "stop"),
        (
            {"json": {**BODY, "messages": [{"role": "tool", "content": "x"}]}},
            400,
            "unsupported_parameter",
            "messages[0].role",
        ),
        ({"json": {**BODY, "tool_choice": "auto"}}, 400, "unsupported_parameter", "tool_choice"),
        ({"json": {"model": "ragchat"}}, 400, None, "messages"),
    ],
)
async def test_refusals_have_openais_error_shape(
    client: Client, kwargs: dict[str, Any], status: int, code: str | None, param: str | None
) -> None:
    headers = {**AUTH, **kwargs.pop("headers", {})}
    response = await client.post("/v1/chat/completions", headers=headers, **kwargs)
    assert response.status_code == status
    error = (await response.get_json())["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert (error["type"], error["code"], error["param"]) == ("invalid_request_error", code, param)


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/v1/embeddings"), ("GET", "/v1/chat/completions"), ("POST", "/v1")],
)
async def test_other_paths_are_openai_404s(client: Client, method: str, path: str) -> None:
    response = await client.open(path, method=method, headers=AUTH)
    assert response.status_code == 404
    assert (await response.get_json())["error"]["type"] == "invalid_request_error"


@pytest.mark.parametrize("header", [None, "Basic abc", "Bearer ", f"Token {KEY}"])
async def test_without_a_key_it_is_a_401(client: Client, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    response = await client.post("/v1/chat/completions", json=BODY, headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert (await response.get_json())["error"]["code"] == "invalid_api_key"


async def test_system_messages_and_bookkeeping_are_ignored_and_said_so(client: Client) -> None:
    messages = [{"role": "system", "content": "Answer in French."}, *ASK]
    body = {**BODY, "messages": messages, "user": "u-1", "top_p": 0.5, "n": 1}
    response = await client.post("/v1/chat/completions", json=body, headers=AUTH)
    assert response.status_code == 200
    thoughts = (await response.get_json())["choices"][0]["message"]["context"]["thoughts"]
    note = next(t for t in thoughts if t["title"] == "OpenAI-compatible request")
    assert note["props"]["ignored"] == ["user", "top_p", "messages[0] (system)"]


# -- limits, as on /chat/stream ----------------------------------------------------------------


async def test_answers_count_against_the_rate_limit_and_model_lists_do_not(
    serve: Callable[[Settings], Any], make_settings: Callable[..., Settings]
) -> None:
    client: Client = await serve(
        make_settings(api_keys=KEY, rate_limit_per_minute=1, rate_limit_burst=1)
    )
    for _ in range(3):
        assert (await client.get("/v1/models", headers=AUTH)).status_code == 200
    assert (await client.post("/v1/chat/completions", json=BODY, headers=AUTH)).status_code == 200
    refused = await client.post("/v1/chat/completions", json=BODY, headers=AUTH)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    error = (await refused.get_json())["error"]
    assert (error["type"], error["code"]) == ("rate_limit_error", "rate_limit_exceeded")
    # One bucket for both APIs: /chat/stream is refused too.
    assert (await client.post("/chat/stream", json={"messages": ASK})).status_code == 429


@pytest.fixture
async def slow_model() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI(chunks=50, chunk_delay=0.05) as fake:
        yield fake


async def test_a_full_worker_is_a_503_and_a_stream_gives_its_slot_back(
    make_settings: Callable[..., Settings], slow_model: FakeOpenAI
) -> None:
    settings = fake_model_settings(
        make_settings,
        slow_model.base_url,
        api_keys=KEY,
        max_streams_per_worker=1,
    )
    async with (
        served(settings) as url,
        openai.AsyncOpenAI(base_url=f"{url}/v1", api_key=KEY, max_retries=0) as sdk,
    ):
        stream = await sdk.chat.completions.create(model="ragchat-ask", messages=ASK, stream=True)
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                break
        with pytest.raises(openai.InternalServerError) as busy:
            await sdk.chat.completions.create(model="ragchat-ask", messages=ASK)
        assert busy.value.status_code == 503
        assert busy.value.response.headers["Retry-After"] == "2"
        assert busy.value.code == "server_busy"
        await stream.close()
        await until(lambda: slow_model.open_streams == 0)
        slow_model.chunk_delay = 0.0
        answer = await sdk.chat.completions.create(model="ragchat-ask", messages=ASK)
        assert answer.choices[0].message.content == "".join(f"piece{i} " for i in range(50))


# -- the approach's EndEvent -------------------------------------------------------------------


class EndingApproach:
    """An approach that answers `pieces` and ends as `end` says."""

    def __init__(self, end: EndEvent, pieces: tuple[str, ...] = ("It is ", "14 weeks.")) -> None:
        self.end, self.pieces = end, pieces

    def history(self, messages: list[Any]) -> list[Any]:
        return []

    async def run(self, data: Any, *, user: Any) -> AsyncIterator[Event]:
        data_points = DataPoints(text=["leave.md: 14 weeks"], citations=["leave.md"])
        yield ContextEvent(data_points=data_points, thoughts=[], session_state=None)
        for piece in self.pieces:
            yield DeltaEvent(content=piece)
        yield self.end
        yield FollowupEvent(questions=["And fathers?"])


@pytest.fixture
def ending(monkeypatch: pytest.MonkeyPatch) -> Callable[[EndEvent], None]:
    def use(end: EndEvent) -> None:
        profile = profiles.Profile(
            id="ragchat", description="test", approach=lambda _: EndingApproach(end)
        )
        monkeypatch.setitem(profiles.PROFILES, "ragchat", profile)

    return use


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize(
    ("end", "reason", "usage"),
    [
        (EndEvent(), "stop", None),
        (
            EndEvent("length", TokenUsage(prompt_tokens=900, completion_tokens=6, estimated=False)),
            "length",
            {"prompt_tokens": 900, "completion_tokens": 6, "total_tokens": 906, "estimated": False},
        ),
        (
            EndEvent("stop", TokenUsage(prompt_tokens=900, completion_tokens=6, estimated=True)),
            "stop",
            None,  # the approach's own estimate: this server's is kept
        ),
        (EndEvent("content_filter"), "content_filter", None),
        (EndEvent("something_new"), "stop", None),
    ],
)
async def test_the_finish_reason_and_usage_are_the_models(
    client: Client,
    ending: Callable[[EndEvent], None],
    end: EndEvent,
    reason: str,
    usage: dict[str, Any] | None,
    stream: bool,
) -> None:
    ending(end)
    body = {**BODY, "stream": stream, "stream_options": {"include_usage": True} if stream else None}
    response = await client.post("/v1/chat/completions", json=body, headers=AUTH)
    assert response.status_code == 200
    data = await response.get_data()
    if stream:
        *chunks, finish, got_usage, done = sse(data)
        assert done == "[DONE]"
        assert chunks[-1]["choices"][0]["delta"] == {
            "context": {"followup_questions": ["And fathers?"]}
        }
        got_reason, got = finish["choices"][0]["finish_reason"], got_usage["usage"]
        assert (
            "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks)
            == "It is 14 weeks."
        )
    else:
        answer = json.loads(data)
        got_reason, got = answer["choices"][0]["finish_reason"], answer["usage"]
        assert answer["choices"][0]["message"]["content"] == "It is 14 weeks."
        assert answer["choices"][0]["message"]["context"]["followup_questions"] == ["And fathers?"]
    assert got_reason == reason
    if usage is None:
        assert got["estimated"] is True
        assert got["completion_tokens"] > 0
    else:
        assert got == usage


async def test_the_requests_limit_wins_over_the_models_end(
    client: Client, ending: Callable[[EndEvent], None]
) -> None:
    ending(EndEvent("stop", TokenUsage(prompt_tokens=9, completion_tokens=6, estimated=False)))
    body = {**BODY, "stop": "14"}
    answer = await (await client.post("/v1/chat/completions", json=body, headers=AUTH)).get_json()
    assert answer["choices"][0]["message"]["content"] == "It is "
    assert answer["choices"][0]["finish_reason"] == "stop"


def test_ndjson_writes_no_line_for_an_answer_that_ended_by_itself() -> None:
    """/chat/stream runs the same flow (app/answer_flow.py), which skips empty bytes."""
    writer = NdjsonWriter()
    assert writer.event(EndEvent()) == b""
    assert json.loads(writer.event(EndEvent("length"))) == {
        "delta": {"role": "assistant"},
        "finish_reason": "length",
    }
    assert writer.end() == b""
