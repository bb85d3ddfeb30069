"""The async floor: a few lines of Quart with `AsyncOpenAI` and the `aio` SearchClient.

    uvicorn bench.systems.quart_minimal:app --host 127.0.0.1 --port PORT

Same flow as the app's `/ask/stream` with none of its features (validation, request ids, error
mapping, telemetry, thoughts). MINIMAL_STREAM picks how the model's stream is read: `raw`
(default) reads the SSE lines and takes `delta.content` from each, like the app;
`sdk` iterates the SDK's typed chunk objects, the usual way of writing it.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import aiohttp
import httpx2 as httpx
from azure.core.credentials import AzureKeyCredential
from azure.core.pipeline.transport import AioHttpTransport
from azure.search.documents.aio import SearchClient
from openai import AsyncOpenAI, DefaultAioHttpClient
from quart import Quart, Response, request

from bench.systems.common import (
    FIELDS,
    MODEL,
    OPENAI_API_KEY,
    OPENAI_BASE_URL,
    SEARCH_ENDPOINT,
    SEARCH_INDEX,
    SEARCH_KEY,
    answer_messages,
    context_line,
    delta_line,
    error_line,
)

RAW = os.environ.get("MINIMAL_STREAM", "raw") == "raw"
app = Quart(__name__)
clients: dict[str, AsyncOpenAI | SearchClient] = {}


@app.before_serving
async def open_clients() -> None:
    # Pools big enough for thousands of streams (the SDKs' defaults are 1,000 and 100), and no
    # proxy or ~/.netrc lookups per request: a floor, not a strawman.
    limits = httpx.Limits(max_connections=10_000, max_keepalive_connections=1_000)
    clients["model"] = AsyncOpenAI(
        base_url=OPENAI_BASE_URL,
        api_key=OPENAI_API_KEY,
        max_retries=0,
        http_client=DefaultAioHttpClient(limits=limits),
    )
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), trust_env=False)
    transport = AioHttpTransport(session=session, session_owner=True)
    clients["search"] = SearchClient(
        SEARCH_ENDPOINT,
        SEARCH_INDEX,
        AzureKeyCredential(SEARCH_KEY),
        retry_total=0,
        transport=transport,
    )


@app.after_serving
async def close_clients() -> None:
    for client in clients.values():
        await client.close()


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/ask/stream")
async def ask_stream() -> Response:
    model, search = clients["model"], clients["search"]
    assert isinstance(model, AsyncOpenAI)
    assert isinstance(search, SearchClient)
    question = (await request.get_json())["messages"][-1]["content"]
    results = await search.search(search_text=question, top=3, select=FIELDS)
    hits = [hit async for hit in results]
    messages = answer_messages(question, hits)
    pieces = _raw_pieces(model, messages) if RAW else _sdk_pieces(model, messages)
    first = await anext(pieces)  # opens the model's stream before the status is sent

    async def lines() -> AsyncIterator[bytes]:
        try:
            yield context_line(question, hits, messages)
            if first:
                yield delta_line(first)
            async for piece in pieces:
                yield delta_line(piece)
        except Exception:  # the client gets a line, not a traceback
            yield error_line("The answer was interrupted.")
        finally:
            await pieces.aclose()

    response = Response(lines(), content_type="application/x-ndjson")
    response.timeout = None
    return response


async def _sdk_pieces(model: AsyncOpenAI, messages: list[Any]) -> AsyncGenerator[str, None]:
    stream = await model.chat.completions.create(model=MODEL, messages=messages, stream=True)
    yield ""
    try:
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                yield chunk.choices[0].delta.content
    finally:
        await stream.close()


async def _raw_pieces(model: AsyncOpenAI, messages: list[Any]) -> AsyncGenerator[str, None]:
    create = model.chat.completions.with_streaming_response.create
    async with create(model=MODEL, messages=messages, stream=True) as response:
        yield ""
        async for line in response.iter_lines():
            if line.startswith("data:") and (data := line[5:].strip()) != "[DONE]":
                choices = json.loads(data).get("choices")
                if choices and (content := choices[0]["delta"].get("content")):
                    yield content
