"""The answer flow against a real model: every answer ends without an error, within the budget.

The model is small and sampled at temperature 0 with a seed, but its words are still not
something to pin: what is checked is the structure (the context line first, a non-empty
answer, follow-up questions, no error line, a `finish_reason` matching the server's) and the
budget, on both sides: the app's `token_budget` thought, and each call as the model server
received it (its prompt counted by the model's own tokenizer, plus the reply's bound, within
the server's context window). Each test prints what it measured.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import httpx2
import pytest
from e2e.e2e_helpers import Backend
from llm_server import API_KEY, MAX_TOKENS, N_CTX, LlamaServer
from recording_proxy import ModelCall

pytestmark = pytest.mark.llm

QUESTION = "How many weeks of parental leave do I get?"
OVERRIDES = {"suggest_followup_questions": True, "temperature": 0, "seed": 7}
Calls = Callable[[], list[ModelCall]]
TIMEOUT = httpx2.Timeout(600.0, connect=10.0)
# The bounds the app gives its own calls (app/models/budget.py): rewrite, follow-ups.
SMALL_CALL_BOUNDS = {100, 200}


def chat_body(messages: list[dict[str, str]], **overrides: Any) -> dict[str, Any]:
    return {
        "messages": messages,
        "context": {"overrides": {**OVERRIDES, **overrides}},
        "session_state": None,
    }


def ask(question: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": question}]


def post_ndjson(backend: Backend, path: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    """The lines of a streamed answer; every one must end in a newline."""
    response = httpx2.post(f"{backend.url}{path}", json=body, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/x-ndjson")
    assert response.content.endswith(b"\n"), "the stream's last line has no newline"
    return [json.loads(line) for line in response.text.splitlines()]


def answer_thought(thoughts: list[dict[str, Any]]) -> dict[str, Any]:
    return next(t for t in thoughts if t["title"] == "Prompt to generate answer")


def search_notes(thoughts: list[dict[str, Any]]) -> list[str]:
    search = next(t for t in thoughts if t["title"] == "Search query")
    return list((search.get("props") or {}).get("notes") or [])


def check_budget(thought: dict[str, Any]) -> dict[str, Any]:
    """The answer call's budget, as the app reports it: the window is not over the server's,
    and the prompt and the answer's bound fit in it."""
    budget = thought["props"]["token_budget"]
    window = budget["context_window"]
    assert window <= N_CTX, f"the app assumed a larger window than the server's: {budget}"
    assert budget["max_tokens"] == min(MAX_TOKENS, window // 2), budget
    prompt = budget["prompt_tokens"]
    if isinstance(prompt, str):  # "at most N (its bytes; not counted)"
        match = re.match(r"at most (\d+)", prompt)
        assert match, budget
        prompt = int(match.group(1))
    assert prompt + budget["max_tokens"] <= window, budget
    return budget


def check_calls(calls: list[ModelCall], server: LlamaServer, *, expected: int) -> list[str]:
    """Each model call as the server saw it: answered without an error, bounded, and its
    prompt (in the model's own tokens) and bound within the server's window."""
    assert len(calls) == expected, [c.body.get("max_tokens") for c in calls]
    report = []
    for call in calls:
        assert call.status == 200, (call.status, call.errors)
        assert not call.errors, call.errors
        assert call.max_tokens is not None, "a model call without a token bound"
        assert call.max_tokens in {MAX_TOKENS, *SMALL_CALL_BOUNDS}, call.max_tokens
        prompt = server.prompt_tokens(call.body["messages"])
        if call.usage:  # the server's own count: the check above counts the same way
            assert call.usage["prompt_tokens"] == prompt, (call.usage, prompt)
            assert call.usage["completion_tokens"] <= call.max_tokens, call.usage
        else:
            assert call.chunks <= call.max_tokens, (call.chunks, call.max_tokens)
        assert prompt + call.max_tokens <= N_CTX, (
            f"prompt of {prompt} tokens + max_tokens {call.max_tokens} > n_ctx {N_CTX}"
        )
        kind = "stream" if call.streamed else "call"
        report.append(
            f"{kind}: {prompt} prompt tokens + max_tokens {call.max_tokens} <= {N_CTX}, "
            f"finish_reason {call.finish_reason}, "
            f"{(call.usage or {}).get('completion_tokens', call.chunks)} reply tokens: "
            f"{call.text[:70]!r}"
        )
    return report


def streamed_call(calls: list[ModelCall]) -> ModelCall:
    (answer,) = [c for c in calls if c.streamed]
    return answer


def check_stream(lines: list[dict[str, Any]], calls: list[ModelCall]) -> dict[str, Any]:
    """An NDJSON answer: context first, text, follow-ups last, no error line."""
    assert not [line for line in lines if "error" in line], lines[-1]
    first = lines[0]
    assert first["delta"] == {"role": "assistant"}
    assert first["context"]["data_points"]["text"], "no sources"
    thoughts = first["context"]["thoughts"]
    text = "".join(line["delta"].get("content") or "" for line in lines[1:] if "delta" in line)
    assert text.strip(), "an empty answer"
    last = lines[-1]
    assert "followup_questions" in last.get("context", {}), f"no follow-up line: {last}"
    assert not last["context"].get("thoughts_added"), last["context"]["thoughts_added"]
    followups = last["context"]["followup_questions"]
    assert isinstance(followups, list)
    finish = next((line["finish_reason"] for line in lines if "finish_reason" in line), "stop")
    assert finish == streamed_call(calls).finish_reason
    assert not [n for n in search_notes(thoughts) if "could not write" in n], thoughts
    return {
        "answer_chars": len(text),
        "finish_reason": finish,
        "followups": len(followups),
        "budget": check_budget(answer_thought(thoughts)),
    }


def check_collected(body: dict[str, Any], calls: list[ModelCall]) -> dict[str, Any]:
    """A collected answer: text, follow-ups, no note of a failed step."""
    assert body["message"]["content"].strip(), "an empty answer"
    thoughts = body["context"]["thoughts"]
    assert not [t for t in thoughts if t["title"] == "Follow-up questions"], thoughts
    assert not [n for n in search_notes(thoughts) if "could not write" in n], thoughts
    assert isinstance(body["context"]["followup_questions"], list)
    assert body["finish_reason"] == streamed_call(calls).finish_reason
    return {
        "answer_chars": len(body["message"]["content"]),
        "finish_reason": body["finish_reason"],
        "followups": len(body["context"]["followup_questions"]),
        "budget": check_budget(answer_thought(thoughts)),
    }


def show(name: str, measured: dict[str, Any], report: list[str]) -> None:
    print(f"\n{name}: {json.dumps(measured)}\n  " + "\n  ".join(report))


@pytest.mark.parametrize("route", ["/chat", "/ask"])
def test_streamed_answer(
    route: str, app_backend: Backend, llama_server: LlamaServer, model_calls: Calls
) -> None:
    lines = post_ndjson(app_backend, f"{route}/stream", chat_body(ask(QUESTION)))
    calls = model_calls()
    measured = check_stream(lines, calls)
    # /chat rewrites the question into a search query first; both ask for follow-ups.
    report = check_calls(calls, llama_server, expected=3 if route == "/chat" else 2)
    show(f"{route}/stream", measured, report)


@pytest.mark.parametrize("route", ["/chat", "/ask"])
def test_collected_answer(
    route: str, app_backend: Backend, llama_server: LlamaServer, model_calls: Calls
) -> None:
    response = httpx2.post(
        f"{app_backend.url}{route}", json=chat_body(ask(QUESTION)), timeout=TIMEOUT
    )
    assert response.status_code == 200, response.text
    calls = model_calls()
    measured = check_collected(response.json(), calls)
    report = check_calls(calls, llama_server, expected=3 if route == "/chat" else 2)
    show(route, measured, report)


def long_conversation(turns: int) -> list[dict[str, str]]:
    """`turns` questions with long answers, then the question: far more than 4,096 tokens."""
    answer = (
        "Cairnwood's handbook covers this in several places. Paid time off accrues each pay "
        "period, and unused days carry over up to a limit; parental leave, bereavement leave "
        "and jury duty are separate from it and do not reduce the balance. Managers approve "
        "requests in the HR portal, and the policy pages list the notice each kind needs. "
    ) * 6
    messages: list[dict[str, str]] = []
    for turn in range(turns):
        messages.append(
            {"role": "user", "content": f"Question {turn + 1}: what else should I know?"}
        )
        messages.append({"role": "assistant", "content": answer})
    return [*messages, {"role": "user", "content": QUESTION}]


def test_long_conversation_fits(
    app_backend: Backend, llama_server: LlamaServer, model_calls: Calls
) -> None:
    conversation = long_conversation(12)
    sent = llama_server.prompt_tokens(conversation)
    assert sent > N_CTX, f"the conversation should overflow the window, it has {sent} tokens"
    lines = post_ndjson(app_backend, "/chat/stream", chat_body(conversation, top=5))
    calls = model_calls()
    measured = check_stream(lines, calls)
    trimmed = measured["budget"].get("trimmed") or []
    assert any("earlier message(s)" in note for note in trimmed), measured["budget"]
    report = check_calls(calls, llama_server, expected=3)
    show(f"/chat/stream, {len(conversation)} messages ({sent} tokens)", measured, report)


def openai_route(backend: Backend) -> dict[str, str]:
    """The headers of a `/v1` call; skipped when this build of the app has no `/v1`."""
    headers = {"Authorization": f"Bearer {API_KEY}"}
    response = httpx2.get(f"{backend.url}/v1/models", headers=headers, timeout=30)
    if response.status_code == 404:
        pytest.skip("POST /v1/chat/completions is not registered in this app (API_KEYS is set)")
    assert response.status_code == 200, response.text
    ids = [model["id"] for model in response.json()["data"]]
    if "ragchat" not in ids:
        pytest.skip(f"GET /v1/models lists no `ragchat` model: {ids}")
    return headers


@pytest.mark.parametrize("stream", [False, True], ids=["collected", "streamed"])
def test_openai_compatible_route(
    stream: bool, app_backend: Backend, llama_server: LlamaServer, model_calls: Calls
) -> None:
    headers = openai_route(app_backend)
    body = {
        "model": "ragchat",
        "messages": ask(QUESTION),
        "temperature": 0,
        "seed": 7,
        "stream": stream,
    }
    url = f"{app_backend.url}/v1/chat/completions"
    response = httpx2.post(url, json=body, headers=headers, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    calls = model_calls()
    if stream:
        assert response.headers["content-type"].startswith("text/event-stream")
        data = [line[5:].strip() for line in response.text.splitlines() if line.startswith("data:")]
        assert data[-1] == "[DONE]", data[-3:]
        chunks = [json.loads(item) for item in data[:-1]]
        assert not [c for c in chunks if "error" in c], chunks[-1]
        choices = [choice for c in chunks for choice in c.get("choices", [])]
        text = "".join((choice.get("delta") or {}).get("content") or "" for choice in choices)
        finish = [choice["finish_reason"] for choice in choices if choice.get("finish_reason")]
        assert finish, "no chunk with a finish_reason"
        finish_reason = finish[-1]
    else:
        completion = response.json()
        assert completion["object"] == "chat.completion"
        choice = completion["choices"][0]
        text, finish_reason = choice["message"]["content"], choice["finish_reason"]
    assert text.strip(), "an empty answer"
    assert finish_reason == streamed_call(calls).finish_reason
    report = check_calls(calls, llama_server, expected=2)  # rewrite and answer; no follow-ups
    show(
        f"/v1/chat/completions ({'streamed' if stream else 'collected'})",
        {"answer_chars": len(text), "finish_reason": finish_reason},
        report,
    )
