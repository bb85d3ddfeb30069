"""The context window an OpenAI-compatible server says its model has, when it says one.

Asked once per process, on the first call, and only of servers set with OPENAI_BASE_URL (OpenAI
and Azure OpenAI report no window). Where servers say it:

* `GET /v1/models`: vLLM's `max_model_len`; `context_length` (LM Studio, OpenRouter) and
  `context_window` (Groq) on the model's entry;
* `GET /props` at the server's root: llama.cpp's `default_generation_settings.n_ctx`, the window
  it was started with (its `/v1/models` gives only `n_ctx_train`, the window the model was
  trained with, which the server may not have).

A server that answers none of these, slowly or with an error, reports nothing. Servers also
name their window when they refuse a prompt as too long (`window_in_refusal`): vLLM and OpenAI
("maximum context length is N tokens"), llama-cpp-python ("exceed context window of N"),
llama.cpp's server (`n_ctx` in the error body).
"""

from __future__ import annotations

import logging
import re
from typing import Any, TypeGuard

import httpx2
import openai

log = logging.getLogger(__name__)

PROBE_TIMEOUT = 5.0
_ENTRY_KEYS = ("max_model_len", "context_length", "context_window")
_WINDOW_IN_WORDS = re.compile(
    r"(?:maximum context length is|context window of|context size of)\s*(\d[\d,]*)", re.I
)


async def reported_window(client: openai.AsyncOpenAI, model: str) -> int | None:
    """The window the server reports for `model`, or None."""
    models = await _get_json(client, "/models")
    if (tokens := window_in_models(models, model)) is not None:
        return tokens
    root = str(client.base_url).rstrip("/").removesuffix("/v1")
    return window_in_props(await _get_json(client, f"{root}/props"))


def window_in_models(body: Any, model: str) -> int | None:
    """The window on the entry of `model` (or the only entry) of a `/v1/models` answer."""
    entries = body.get("data") if isinstance(body, dict) else None
    if not isinstance(entries, list):
        return None
    entries = [e for e in entries if isinstance(e, dict)]
    chosen = [e for e in entries if e.get("id") == model] or (entries if len(entries) == 1 else [])
    for entry in chosen:
        for key in _ENTRY_KEYS:
            if _positive(tokens := entry.get(key)):
                return tokens
    return None


def window_in_props(body: Any) -> int | None:
    """llama.cpp's runtime window from its `/props` answer."""
    if not isinstance(body, dict):
        return None
    settings = body.get("default_generation_settings")
    n_ctx = settings.get("n_ctx") if isinstance(settings, dict) else body.get("n_ctx")
    return n_ctx if _positive(n_ctx) else None


def window_in_refusal(error: openai.APIStatusError) -> int | None:
    """The window a server names when it refuses a prompt as too long, or None."""
    body = error.body
    details = body.get("error", body) if isinstance(body, dict) else None
    if isinstance(details, dict) and _positive(n_ctx := details.get("n_ctx")):
        return n_ctx
    found = _WINDOW_IN_WORDS.search(error.message)
    return int(found.group(1).replace(",", "")) if found else None


def _positive(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


async def _get_json(client: openai.AsyncOpenAI, path: str) -> Any:
    try:
        response = await client.get(
            path,
            cast_to=httpx2.Response,
            options={"timeout": PROBE_TIMEOUT, "max_retries": 0},
        )
        return response.json()
    except Exception as exc:  # whatever went wrong, the window is found another way
        log.info("the model server did not say its context window at %s: %r", path, exc)
        return None
