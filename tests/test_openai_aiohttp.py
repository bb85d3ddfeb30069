"""The production transport (aiohttp under the OpenAI SDK) against a fake model on a socket."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from fakes.openai_server import FakeOpenAI
from helpers import answer_text, chat_body, post_stream
from quart.typing import TestClientProtocol as Client

from app.settings import Settings


@pytest.fixture
async def model() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI(chunks=30, chunk_delay=0.01) as fake:
        yield fake


ServeModel = Callable[..., Awaitable[Client]]


@pytest.fixture
def serve_model(
    model: FakeOpenAI, serve: Callable[[Settings], Any], make_settings: Callable[..., Settings]
) -> ServeModel:
    """Serve the app against the fake model over aiohttp, with `extra` settings on top."""

    async def start(**extra: Any) -> Client:
        settings = make_settings(
            chat_provider="openai",
            openai_base_url=model.base_url,
            openai_api_key="k",
            openai_chat_model="fake-model",
            openai_transport="aiohttp",
            **extra,
        )
        result: Client = await serve(settings)
        return result

    return start


@pytest.fixture
async def client(serve_model: ServeModel) -> Client:
    return await serve_model()


async def test_streams_through_the_aiohttp_transport(client: Client, model: FakeOpenAI) -> None:
    status, lines = await post_stream(client, "/chat/stream", chat_body("deductible?"))
    assert status == 200
    assert answer_text(lines) == "".join(f"piece{n} " for n in range(30))
    assert len(lines) > 10  # streamed in pieces, not collected
    assert model.requests[-1]["stream"] is True
    assert model.streams_finished == 1
    # A second answer reuses the pooled connection (the stream was read to its end).
    await post_stream(client, "/ask/stream", chat_body("again?"))
    assert model.streams_finished == 2


async def test_disconnect_closes_the_model_stream(client: Client, model: FakeOpenAI) -> None:
    model.chunk_delay = 0.2
    async with client.request(
        "/ask/stream", method="POST", headers={"Content-Type": "application/json"}
    ) as connection:
        await connection.send(json.dumps(chat_body("deductible?")).encode())
        await connection.send_complete()
        received = b""
        while b"piece0" not in received:
            received += await asyncio.wait_for(connection.receive(), timeout=5)
        await connection.disconnect()
    for _ in range(200):
        if not model.open_streams:
            break
        await asyncio.sleep(0.05)
    [stream] = model.streams
    assert stream.closed_early_at is not None  # the app hung up on the model, not the reverse
    assert stream.chunks_sent < model.chunks
    assert (model.streams_cut, model.streams_finished) == (1, 0)


async def test_a_refused_connection_is_503_not_a_timeout(
    serve: Callable[[Settings], Any], make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(
        chat_provider="openai",
        openai_base_url="http://127.0.0.1:9/v1",  # nothing listens on the discard port
        openai_api_key="k",
        openai_chat_model="fake-model",
        openai_transport="aiohttp",
    )
    client: Client = await serve(settings)
    response = await client.post("/ask/stream", json=chat_body("deductible?"))
    assert response.status_code == 503
    assert "could not be reached" in (await response.get_json())["error"]


@pytest.mark.parametrize(
    ("fault", "settings", "phrase"),
    [
        ("reset", {}, "connection to the language model was lost"),
        ("hang", {"model_idle_timeout_seconds": 0.5}, "stopped sending the answer (timed out)"),
    ],
)
async def test_a_stream_that_breaks_midway_says_what_happened(
    model: FakeOpenAI,
    serve_model: ServeModel,
    caplog: pytest.LogCaptureFixture,
    fault: str,
    settings: dict[str, Any],
    phrase: str,
) -> None:
    client = await serve_model(**settings)
    model.fail_next(fault, after_chunks=5, hang_seconds=30)  # type: ignore[arg-type]
    status, lines = await post_stream(client, "/ask/stream", chat_body("deductible?"))
    assert status == 200
    assert answer_text(lines[:-1]).startswith("piece0 piece1")  # what came is kept
    assert phrase in lines[-1]["error"]
    assert "unhandled" not in caplog.text
    assert "upstream failure -> 50" in caplog.text
    ok_status, ok_lines = await post_stream(client, "/ask/stream", chat_body("again?"))
    assert ok_status == 200
    assert "error" not in ok_lines[-1]


async def test_throttled_twice_then_reset_is_a_dropped_connection_not_a_timeout(
    model: FakeOpenAI, serve_model: ServeModel
) -> None:
    client = await serve_model(upstream_max_retries=2)
    model.fail_next("429", times=2, retry_after=0.01)
    model.fail_next("reset")
    response = await client.post("/ask/stream", json=chat_body("deductible?"))
    assert response.status_code == 503
    assert "closed the connection before answering" in (await response.get_json())["error"]
    assert model.pending_faults == 0
