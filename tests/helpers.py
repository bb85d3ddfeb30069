"""Helpers shared by the route tests."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Callable
from typing import Any

from quart.typing import TestClientProtocol as Client


def chat_body(question: str, **overrides: Any) -> dict[str, Any]:
    """A request body with one question and the given overrides."""
    return {
        "messages": [{"role": "user", "content": question}],
        "context": {"overrides": overrides},
        "session_state": None,
    }


def parse_ndjson(body: bytes) -> list[dict[str, Any]]:
    """The objects of an NDJSON body; every line must end in a newline."""
    assert body.endswith(b"\n"), "the last line of the stream must end in a newline"
    return [json.loads(line) for line in body.decode().splitlines()]


async def post_stream(
    client: Client, path: str, body: dict[str, Any]
) -> tuple[int, list[dict[str, Any]]]:
    """POST and read a whole NDJSON response."""
    response = await client.post(path, json=body)
    data = await response.get_data()
    assert isinstance(data, bytes)
    if response.status_code != 200:
        return response.status_code, [json.loads(data)]
    assert response.content_type == "application/x-ndjson"
    return response.status_code, parse_ndjson(data)


def answer_text(lines: list[dict[str, Any]]) -> str:
    """The answer assembled from a stream's delta lines."""
    return "".join(line["delta"].get("content", "") for line in lines if "delta" in line)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def until(condition: Callable[[], object]) -> None:
    """Wait until `condition()` is true, polling; fail after 10 seconds."""
    async with asyncio.timeout(10):
        while not condition():  # noqa: ASYNC110 - the state polled has no event to wait on
            await asyncio.sleep(0.01)


def fake_model_settings(make_settings: Callable[..., Any], base_url: str, **extra: Any) -> Any:
    """Settings that answer with the fake OpenAI server at `base_url` (fakes/openai_server.py),
    over the SDK's default aiohttp transport, as a deployment would."""
    return make_settings(
        chat_provider="openai",
        openai_base_url=base_url,
        openai_api_key="k",
        openai_chat_model="fake-model",
        openai_transport="aiohttp",
        **extra,
    )
