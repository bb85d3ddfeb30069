"""The HTTP contract in offline mode (local index, extractive answers), snapshotted."""

from __future__ import annotations

import re

import pytest
from helpers import answer_text, chat_body, post_stream
from quart.typing import TestClientProtocol as Client
from syrupy.assertion import SnapshotAssertion

QUESTION = "How many weeks of parental leave do I get?"


async def test_chat_stream_contract(client: Client, snapshot: SnapshotAssertion) -> None:
    status, lines = await post_stream(
        client, "/chat/stream", chat_body(QUESTION, suggest_followup_questions=True)
    )
    assert status == 200
    first, *deltas, followups = lines
    assert first["delta"] == {"role": "assistant"}
    assert set(first["context"]) == {"data_points", "thoughts"}
    assert first["context"]["data_points"]["citations"][0] == "pto-leave-policy.html"
    assert [t["title"] for t in first["context"]["thoughts"]] == [
        "Search query",
        "Search results",
        "Answer method",
    ]
    assert all(set(d) == {"delta"} and d["delta"]["role"] == "assistant" for d in deltas)
    assert "14 weeks" in answer_text(deltas)
    assert followups["context"]["followup_questions"]
    assert lines == snapshot


async def test_answer_cites_only_retrieved_sources(client: Client) -> None:
    _, lines = await post_stream(client, "/chat/stream", chat_body("What is the 401(k) match?"))
    retrieved = set(lines[0]["context"]["data_points"]["citations"])
    cited = set(re.findall(r"\[([^\]]+)\]", answer_text(lines)))
    assert cited
    assert cited <= retrieved
    assert "No language model is configured" in answer_text(lines)


@pytest.mark.parametrize("path", ["/chat", "/ask"])
async def test_collected_contract(client: Client, snapshot: SnapshotAssertion, path: str) -> None:
    body = chat_body("What is the deductible on the Plus plan?")
    body["session_state"] = "conversation-7"
    response = await client.post(path, json=body)
    assert response.status_code == 200
    payload = await response.get_json()
    assert payload["message"]["role"] == "assistant"
    assert "[health-plans.pdf#page=2]" in payload["message"]["content"]
    assert payload["session_state"] == "conversation-7"
    assert payload == snapshot


async def test_ask_stream_matches_collected_ask(
    client: Client, snapshot: SnapshotAssertion
) -> None:
    body = chat_body("When is payday?")
    _, lines = await post_stream(client, "/ask/stream", body)
    assert lines == snapshot
    collected = await (await client.post("/ask", json=body)).get_json()
    assert answer_text(lines) == collected["message"]["content"]
    assert lines[0]["context"]["data_points"] == collected["context"]["data_points"]


async def test_chat_uses_earlier_question_for_short_follow_up(client: Client) -> None:
    body = {
        "messages": [
            {"role": "user", "content": "What is the hotel limit in big cities?"},
            {"role": "assistant", "content": "It is $300 per night [expense-travel-policy.md]."},
            {"role": "user", "content": "And abroad?"},
        ]
    }
    _, lines = await post_stream(client, "/chat/stream", body)
    query = lines[0]["context"]["thoughts"][0]["description"]
    assert "abroad" in query
    assert "hotel" in query
    assert lines[0]["context"]["data_points"]["citations"][0] == "expense-travel-policy.md"


async def test_category_filter_excludes_everything_unmatched(client: Client) -> None:
    _, lines = await post_stream(
        client, "/chat/stream", chat_body(QUESTION, include_category="no-such-category")
    )
    assert lines[0]["context"]["data_points"] == {"text": [], "citations": []}
    assert "could not find anything" in answer_text(lines)


async def test_config_says_no_language_model(client: Client, snapshot: SnapshotAssertion) -> None:
    response = await client.get("/config")
    payload = await response.get_json()
    assert payload["chatProvider"] == "extractive"
    assert "No language model is configured" in payload["notice"]
    assert payload == snapshot


async def test_healthz_openapi_docs(client: Client) -> None:
    assert (await (await client.get("/healthz")).get_json()) == {"status": "ok"}  # whole body
    spec = await (await client.get("/openapi.json")).get_json()
    assert {"/chat", "/chat/stream", "/ask", "/ask/stream"} <= set(spec["paths"])
    docs = await client.get("/docs")
    assert docs.status_code == 200
    page = (await docs.get_data()).decode()
    assert 'src="/docs/swagger-ui-bundle.js"' in page  # served here, not from a CDN
    assert "https://" not in page
    assert (await client.get("/docs/index.html")).status_code == 404  # only Swagger's 2 files


async def test_index_page_without_build_says_how_to_build(client: Client) -> None:
    response = await client.get("/")
    text = await response.get_data(as_text=True)
    assert response.status_code == 200
    assert "make run" in text or "/static/" in text or "<script" in text


async def test_request_id_is_returned_and_kept(client: Client) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Request-ID"] == "abc-123"
    response = await client.get("/healthz", headers={"X-Request-ID": "bad id <script>"})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


@pytest.mark.parametrize("path", ["/chat", "/chat/stream", "/ask", "/ask/stream"])
async def test_server_timing_says_where_the_time_before_the_answer_went(
    client: Client, path: str
) -> None:
    response = await client.post(path, json=chat_body("What is the deductible?"))
    assert response.status_code == 200
    await response.get_data()
    metrics = dict(
        re.fullmatch(r"(\w+);dur=([0-9.e-]+)", part.strip()).groups()  # type: ignore[union-attr]
        for part in response.headers["Server-Timing"].split(",")
    )
    assert list(metrics) == ["query", "search", "model"]
    assert all(float(ms) >= 0 for ms in metrics.values())
