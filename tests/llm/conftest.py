"""Fixtures of the tests against a real language model (`make test-llm`, not `make test`).

A real OpenAI-compatible server nobody here wrote: llama-cpp-python's, running
SmolLM2-135M-Instruct with a 4,096-token context window (see llm_server.py). The app (`python
-m app`, as `make run` starts it) talks to it through a recording proxy, so the tests see
each model call as the server received it.

These tests are collected only when RAGCHAT_LLM_PYTHON and RAGCHAT_LLM_GGUF say where the
server and the model are (`make test-llm` sets both); otherwise pytest skips the directory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from e2e.e2e_helpers import ROOT, Backend, free_port, ingest, start_backend
from fakes.threaded import serve_in_thread
from llm_server import (
    API_KEY,
    GGUF,
    MAX_TOKENS,
    MODEL_ALIAS,
    SERVER_PYTHON,
    LlamaServer,
    start_llama_server,
)
from recording_proxy import ModelCall, RecordingProxy

if not (SERVER_PYTHON and GGUF):
    collect_ignore_glob = ["test_*.py"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "llm: against a real language model (make test-llm)")


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    """The model server, started once per session."""
    server = start_llama_server(free_port(), tmp_path_factory.mktemp("llama") / "server.log")
    print(f"\nmodel server: {server.url}, log {server.log}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def proxy(llama_server: LlamaServer) -> Iterator[RecordingProxy]:
    """The recording proxy in front of the model server."""
    with serve_in_thread(RecordingProxy(llama_server.url)) as recorder:
        yield recorder


@pytest.fixture(scope="session")
def app_backend(
    proxy: RecordingProxy, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backend]:
    """The app on the sample data, its chat model the real one; `/v1` on with API_KEY.

    OPENAI_CONTEXT_TOKENS is not set: the app asks the server for its window, and
    llama-cpp-python's says none, so the app assumes 4,096 (the server's `--n_ctx`)."""
    index = tmp_path_factory.mktemp("llm-index")
    ingest(ROOT / "data", index)
    backend = start_backend(
        index,
        tmp_path_factory.mktemp("llm-app"),
        chat_provider="openai",
        openai_base_url=proxy.base_url,
        openai_api_key="x",
        openai_chat_model=MODEL_ALIAS,
        openai_max_tokens=str(MAX_TOKENS),
        api_keys=API_KEY,
        # A call not streamed sends nothing until its end, so this bounds it whole; the rewrite
        # of a long conversation took 66 s on this 2-core host while other jobs ran (the
        # default is 60 s).
        model_idle_timeout_seconds="300",
    )
    print(f"\napp: {backend.url}, log {backend.log}")
    try:
        yield backend
    finally:
        backend.stop()


@pytest.fixture
def model_calls(proxy: RecordingProxy) -> Callable[[], list[ModelCall]]:
    """The model calls made since the test started, once they have ended."""
    proxy.calls.clear()
    return proxy.settled
