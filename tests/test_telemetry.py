"""Telemetry: spans for requests and model calls, JSON logs with request ids."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import respx
from helpers import chat_body, post_stream
from openai_fakes import BASE_URL, completion_response, error_response, stream_response
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode
from quart.typing import TestClientProtocol as Client

from app.factory import create_app
from app.logs import log_handler, request_id
from app.settings import Settings
from app.telemetry import configure_telemetry, instrument_asgi

_EXPORTER = InMemorySpanExporter()


@pytest.fixture(scope="module", autouse=True)
def tracer_provider() -> None:
    # The global provider can be set once per process; the exporter is cleared per test.
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(_EXPORTER))
    trace.set_tracer_provider(provider)


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    _EXPORTER.clear()
    yield _EXPORTER
    _EXPORTER.clear()


async def start_instrumented(make_settings: Callable[..., Settings]) -> tuple[Client, Any]:
    settings = make_settings(
        chat_provider="openai",
        openai_base_url=BASE_URL,
        openai_api_key="k",
        openai_chat_model="fake-model",
    )
    app = create_app(settings)
    instrument_asgi(app)
    test_app = app.test_app()
    await test_app.__aenter__()
    return test_app.test_client(), test_app


async def test_request_and_model_calls_are_spans(
    make_settings: Callable[..., Settings], spans: InMemorySpanExporter
) -> None:
    client, test_app = await start_instrumented(make_settings)
    with respx.mock(base_url=BASE_URL) as router:
        router.post("/chat/completions").mock(
            side_effect=lambda request: (
                stream_response(["Hi", "!"])
                if json.loads(request.content).get("stream")
                else completion_response("query")
            )
        )
        status, _ = await post_stream(
            client, "/chat/stream", chat_body("deductible?", temperature=0.5)
        )
    await test_app.__aexit__(None, None, None)
    assert status == 200
    finished = {span.name: span for span in spans.get_finished_spans()}
    assert "POST /chat/stream" in finished
    answer = [
        s
        for s in spans.get_finished_spans()
        if s.attributes and s.attributes.get("gen_ai.request.stream")
    ]
    assert len(answer) == 1
    assert answer[0].name == "chat fake-model"
    assert answer[0].attributes["gen_ai.request.temperature"] == 0.5
    assert answer[0].status.status_code != StatusCode.ERROR
    rewrite = [
        s for s in spans.get_finished_spans() if s.name == "chat fake-model" and s is not answer[0]
    ]
    assert rewrite
    assert rewrite[0].attributes["gen_ai.request.max_tokens"] == 100


async def test_failed_model_call_is_an_error_span(
    make_settings: Callable[..., Settings], spans: InMemorySpanExporter
) -> None:
    client, test_app = await start_instrumented(make_settings)
    with respx.mock(base_url=BASE_URL) as router:
        router.post("/chat/completions").mock(return_value=error_response(429))
        response = await client.post("/ask/stream", json=chat_body("deductible?"))
    await test_app.__aexit__(None, None, None)
    assert response.status_code == 429
    model = [s for s in spans.get_finished_spans() if s.name == "chat fake-model"]
    assert model
    assert model[0].status.status_code == StatusCode.ERROR


def test_no_connection_string_means_no_exporter(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    assert configure_telemetry(create_app(settings), settings) is False


def test_json_logs_carry_the_request_id() -> None:
    stream = io.StringIO()
    logger = logging.getLogger("test.json")
    logger.addHandler(log_handler("json", stream))
    logger.propagate = False
    token = request_id.set("req-42")
    try:
        logger.warning("upstream failed")
    finally:
        request_id.reset(token)
    record = json.loads(stream.getvalue())
    assert record["message"] == "upstream failed"
    assert record["request_id"] == "req-42"
    assert record["level"] == "WARNING"
    assert record["logger"] == "test.json"


def test_ingestion_and_the_model_adapters_do_not_load_the_web_framework() -> None:
    code = (
        "import sys, app.ingest.__main__, app.models.embeddings, app.models.openai;"
        "sys.exit('quart' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], check=False)  # noqa: S603 - fixed code
    assert done.returncode == 0, "importing them loaded Quart"
