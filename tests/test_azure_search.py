"""Azure AI Search through the real async SDK against a local fake service."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from azure.core.credentials import AzureKeyCredential
from azure.search.documents.aio import SearchClient
from fakes.azure_search import FakeAzureSearch
from helpers import answer_text, chat_body, post_stream
from quart.typing import TestClientProtocol as Client
from syrupy.assertion import SnapshotAssertion

from app.search import SearchOptions
from app.search.azure import AzureSearchRetriever
from app.settings import Settings

INDEX = "gptkbindex"
DOCS: list[dict[str, Any]] = [
    {
        "id": "plans-1",
        "content": "On the Plus plan, the deductible is $1,000 for an individual.",
        "sourcepage": "health-plans.pdf#page=2",
        "sourcefile": "health-plans.pdf",
        "category": "benefits",
        "@search.score": 0.03,
        "@search.rerankerScore": 2.9,
        "@search.captions": [{"text": "the deductible is $1,000", "highlights": None}],
    },
    {
        "id": "plans-2",
        "content": "Premier has the lowest deductible.",
        "sourcepage": "benefits-overview.md",
        "sourcefile": "benefits-overview.md",
        "category": "benefits",
        "@search.score": 0.02,
        "@search.rerankerScore": 1.1,
        "@search.captions": [{"text": "lowest deductible", "highlights": None}],
    },
]


@pytest.fixture
async def fake() -> AsyncIterator[FakeAzureSearch]:
    async with FakeAzureSearch(search_results=DOCS) as service:
        yield service


@pytest.fixture
async def retriever(fake: FakeAzureSearch) -> AsyncIterator[AzureSearchRetriever]:
    client = SearchClient(fake.endpoint, INDEX, AzureKeyCredential("fake-key"), retry_total=0)
    async with client:  # the retriever does not close the client it is given
        yield AzureSearchRetriever(client=client, semantic_configuration="default")


async def test_text_search_sends_query_filter_and_top(
    fake: FakeAzureSearch, retriever: AzureSearchRetriever
) -> None:
    hits = await retriever.search(
        SearchOptions(
            query="plus deductible", top=2, include_category="bene'fits", exclude_category="x"
        ),
        user=None,
    )
    sent = fake.last_search
    assert sent["search"] == "plus deductible"
    assert sent["top"] == 2
    assert sent["filter"] == (
        "(not oids/any() and not groups/any()) and category eq 'bene''fits' and category ne 'x'"
    )
    assert "queryType" not in sent
    assert "vectorQueries" not in sent
    assert [h.sourcepage for h in hits] == ["health-plans.pdf#page=2", "benefits-overview.md"]
    assert hits[0].score == 0.03


async def test_semantic_hybrid_with_captions_and_minimum_reranker_score(
    fake: FakeAzureSearch, retriever: AzureSearchRetriever
) -> None:
    hits = await retriever.search(
        SearchOptions(
            query="deductible",
            mode="hybrid",
            vector=[0.1, 0.2],
            semantic_ranker=True,
            semantic_captions=True,
            minimum_reranker_score=2.0,
        ),
        user=None,
    )
    sent = fake.last_search
    assert sent["queryType"] == "semantic"
    assert sent["semanticConfiguration"] == "default"
    assert sent["captions"] == "extractive|highlight-false"
    assert sent["vectorQueries"][0]["vector"] == [0.1, 0.2]
    assert sent["vectorQueries"][0]["fields"] == "embedding"
    assert [h.id for h in hits] == ["plans-1"]
    assert hits[0].reranker_score == 2.9
    assert hits[0].captions == ("the deductible is $1,000",)


async def test_vector_only_search_sends_no_text(
    fake: FakeAzureSearch, retriever: AzureSearchRetriever
) -> None:
    await retriever.search(SearchOptions(query="ignored", mode="vectors", vector=[1.0]), user=None)
    assert fake.last_search.get("search") in (None, "")
    assert "vectorQueries" in fake.last_search


@pytest.fixture
async def azure_client(
    fake: FakeAzureSearch, serve: Callable[[Settings], Any], make_settings: Callable[..., Settings]
) -> Client:
    settings = make_settings(
        search_backend="azure",
        azure_search_endpoint=fake.endpoint,
        azure_search_api_key="fake-key",
    )
    result: Client = await serve(settings)
    return result


async def test_app_answers_from_azure_search(
    azure_client: Client, fake: FakeAzureSearch, snapshot: SnapshotAssertion
) -> None:
    status, lines = await post_stream(
        azure_client,
        "/chat/stream",
        chat_body(
            "What is the Plus deductible?", semantic_ranker=True, semantic_captions=True, top=2
        ),
    )
    assert status == 200
    assert lines[0]["context"]["data_points"]["text"][0] == (
        "health-plans.pdf#page=2: the deductible is $1,000"
    )
    assert "[health-plans.pdf#page=2]" in answer_text(lines)
    assert fake.last_search["queryType"] == "semantic"
    config = await (await azure_client.get("/config")).get_json()
    assert config["showSemanticRankerOption"] is True
    assert lines == snapshot


@pytest.mark.parametrize(
    ("upstream", "status"), [(429, 429), (500, 502), (503, 503), (403, 502), (401, 502)]
)
async def test_search_failures_become_statuses(
    azure_client: Client, fake: FakeAzureSearch, upstream: int, status: int
) -> None:
    fake.fail_next(upstream, headers={"Retry-After": "0"} if upstream == 429 else None)
    response = await azure_client.post("/chat/stream", json=chat_body("deductible"))
    assert response.status_code == status
    assert "error" in await response.get_json()
    ok = await azure_client.post("/chat", json=chat_body("deductible"))
    assert ok.status_code == 200


async def test_unreachable_search_is_503(
    serve: Callable[[Settings], Any], make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(
        search_backend="azure",
        azure_search_endpoint="http://127.0.0.1:9",
        azure_search_api_key="k",
    )
    client: Client = await serve(settings)
    response = await client.post("/ask", json=chat_body("deductible"))
    assert response.status_code == 503
    content = await client.get("/content/health-plans.pdf")
    assert content.status_code == 404  # no blob storage configured


@pytest.mark.parametrize(("level", "logged"), [("INFO", False), ("DEBUG", True)])
async def test_the_sdk_logs_each_search_only_at_debug(
    fake: FakeAzureSearch,
    serve: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    level: str,
    logged: bool,
) -> None:
    """At INFO, the default, the Azure SDK logged two multi-line records per search."""
    # The ingestion CLI, run in this process by the index fixture, quiets all of "azure".
    monkeypatch.setattr(logging.getLogger("azure"), "level", logging.NOTSET)
    client: Client = await serve(
        make_settings(
            search_backend="azure",
            azure_search_endpoint=fake.endpoint,
            azure_search_api_key="fake-key",
            log_level=level,
        )
    )
    with caplog.at_level(logging.DEBUG):
        status, _ = await post_stream(client, "/chat/stream", chat_body("deductible?"))
    assert status == 200
    sdk = [
        r for r in caplog.records if r.name == "azure.core.pipeline.policies.http_logging_policy"
    ]
    assert bool(sdk) is logged
