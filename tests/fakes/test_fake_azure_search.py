"""Self-check: the real azure-search-documents async SDK against :class:`FakeAzureSearch`."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from azure.core.credentials import AccessToken, AzureKeyCredential
from azure.core.exceptions import (
    HttpResponseError,
    ResourceNotFoundError,
    ServiceRequestError,
    ServiceResponseTimeoutError,
)
from azure.search.documents.aio import SearchClient
from azure.search.documents.indexes.aio import SearchIndexClient
from azure.search.documents.indexes.models import (
    SearchableField,
    SearchFieldDataType,
    SearchIndex,
    SimpleField,
)
from azure.search.documents.models import VectorizableTextQuery, VectorizedQuery

from .azure_search import AllowHttpBearerPolicy, FakeAzureSearch, ODataFilterError, parse_filter

INDEX = "gptkbindex"

RESULTS: list[dict[str, Any]] = [
    {
        "id": "doc-1",
        "content": "Employees get 20 days of PTO.",
        "sourcepage": "Benefits.pdf#page=2",
        "sourcefile": "Benefits.pdf",
        "category": "hr",
        "@search.score": 0.033,
        "@search.rerankerScore": 2.91,
        "@search.captions": [{"text": "20 days of PTO", "highlights": "<em>20 days</em> of PTO"}],
    },
    {
        "id": "doc-2",
        "content": "Dental plan details.",
        "sourcepage": "Benefits.pdf#page=5",
        "sourcefile": "Benefits.pdf",
        "category": "hr",
        "@search.score": 0.021,
        "@search.rerankerScore": 1.5,
        "@search.captions": [{"text": "Dental plan", "highlights": None}],
    },
]


class _StaticToken:
    """Minimal AsyncTokenCredential."""

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken("fake-token", int(time.time()) + 3600)

    async def close(self) -> None:
        return None

    async def __aenter__(self) -> _StaticToken:
        return self

    async def __aexit__(self, *args: object) -> None:
        return None


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeAzureSearch]:
    async with FakeAzureSearch() as server:
        yield server


def _client(fake: FakeAzureSearch, **kwargs: Any) -> SearchClient:
    kwargs.setdefault("retry_total", 0)
    return SearchClient(fake.endpoint, INDEX, AzureKeyCredential("fake-key"), **kwargs)


@pytest.mark.asyncio
async def test_endpoint_is_loopback(fake: FakeAzureSearch) -> None:
    assert fake.endpoint == f"http://127.0.0.1:{fake.port}"
    assert fake.port > 0


@pytest.mark.asyncio
async def test_semantic_hybrid_search_round_trip(fake: FakeAzureSearch) -> None:
    fake.search_results = RESULTS
    fake.answers = [{"key": "doc-1", "text": "20 days", "highlights": None, "score": 0.9}]
    async with _client(fake) as client:
        results = await client.search(
            "how much PTO?",
            top=3,
            filter="category ne 'secret'",
            query_type="semantic",
            semantic_configuration_name="default",
            query_caption="extractive|highlight-false",
            query_answer="extractive",
            include_total_count=True,
            select=["id", "content", "sourcepage", "sourcefile", "category"],
            vector_queries=[
                VectorizedQuery(vector=[0.1, 0.2, 0.3], k_nearest_neighbors=50, fields="embedding"),
                VectorizableTextQuery(text="how much PTO?", k_nearest_neighbors=50, fields="emb2"),
            ],
        )
        docs = [doc async for doc in results]
        answers = await results.get_answers()
        count = await results.get_count()

    assert [d["id"] for d in docs] == ["doc-1", "doc-2"]
    first = docs[0]
    assert first["sourcepage"] == "Benefits.pdf#page=2"
    assert first["@search.score"] == pytest.approx(0.033)
    assert first["@search.reranker_score"] == pytest.approx(2.91)
    caption = first["@search.captions"][0]
    assert caption.text == "20 days of PTO"
    assert caption.highlights == "<em>20 days</em> of PTO"
    assert caption["text"] == "20 days of PTO"
    assert answers is not None
    assert answers[0].text == "20 days"
    assert count == 2

    assert len(fake.search_requests) == 1
    sent = fake.search_requests[0]
    assert sent.method == "POST"
    assert sent.path == f"/indexes('{INDEX}')/docs/search.post.search"
    assert sent.api_version == "2026-04-01"
    assert sent.headers["api-key"] == "fake-key"
    body = fake.last_search
    assert body["search"] == "how much PTO?"
    assert body["top"] == 3
    assert body["filter"] == "category ne 'secret'"
    assert body["queryType"] == "semantic"
    assert body["semanticConfiguration"] == "default"
    assert body["captions"] == "extractive|highlight-false"
    assert body["answers"] == "extractive"
    assert body["count"] is True
    assert body["select"] == "id,content,sourcepage,sourcefile,category"
    assert body["vectorQueries"] == [
        {"kind": "vector", "vector": [0.1, 0.2, 0.3], "k": 50, "fields": "embedding"},
        {"kind": "text", "text": "how much PTO?", "k": 50, "fields": "emb2"},
    ]


@pytest.mark.asyncio
async def test_non_semantic_search_drops_reranker_fields_and_applies_top(
    fake: FakeAzureSearch,
) -> None:
    fake.search_results = RESULTS
    async with _client(fake) as client:
        docs = [d async for d in await client.search("pto", top=1, select=["id"])]
    assert len(docs) == 1
    assert docs[0]["id"] == "doc-1"
    assert "content" not in docs[0]
    assert docs[0]["@search.score"] == pytest.approx(0.033)
    assert docs[0]["@search.reranker_score"] is None
    assert docs[0]["@search.captions"] is None

    fake.strict_semantic = False
    async with _client(fake) as client:
        docs = [d async for d in await client.search("pto")]
    assert docs[0]["@search.reranker_score"] == pytest.approx(2.91)


@pytest.mark.asyncio
async def test_fail_next_503_raises_http_response_error(fake: FakeAzureSearch) -> None:
    fake.search_results = RESULTS
    fake.fail_next(503)
    async with _client(fake) as client:
        with pytest.raises(HttpResponseError) as info:
            [d async for d in await client.search("pto")]
        assert info.value.status_code == 503
        assert len(fake.requests) == 1
        # The fault is used up: the next call succeeds.
        docs = [d async for d in await client.search("pto")]
    assert len(docs) == 2
    assert fake.pending_faults == 0


@pytest.mark.asyncio
async def test_sdk_retries_503_on_post_by_default(fake: FakeAzureSearch) -> None:
    fake.search_results = RESULTS
    fake.fail_next(503, times=2)
    # Default retry policy, but no backoff sleeps.
    async with _client(fake, retry_total=10, retry_backoff_factor=0) as client:
        docs = [d async for d in await client.search("pto")]
    assert len(docs) == 2
    assert len(fake.search_requests) == 3


@pytest.mark.asyncio
async def test_429_on_post_is_retried_only_with_retry_after(fake: FakeAzureSearch) -> None:
    fake.search_results = RESULTS
    async with _client(fake, retry_total=10, retry_backoff_factor=0) as client:
        fake.fail_next(429, times=4)
        with pytest.raises(HttpResponseError) as info:
            [d async for d in await client.search("pto")]
        assert info.value.status_code == 429
        assert len(fake.requests) == 1

        fake.reset()
        fake.fail_next(429, headers={"Retry-After": "0"}, times=2)
        docs = [d async for d in await client.search("pto")]
    assert len(docs) == 2
    assert len(fake.requests) == 3


async def _statuses(fake: FakeAzureSearch, searches: int) -> list[int]:
    statuses = []
    async with _client(fake) as client:
        for _ in range(searches):
            try:
                [d async for d in await client.search("pto")]
            except HttpResponseError as exc:
                statuses.append(exc.status_code or 0)
            else:
                statuses.append(200)
    return statuses


@pytest.mark.asyncio
async def test_fault_rate_is_seeded_and_counted() -> None:
    runs = []
    for _ in range(2):
        async with FakeAzureSearch(search_results=RESULTS, seed=7) as fake:
            fake.set_fault_rate(0.5, 503)
            runs.append(await _statuses(fake, 20))
            assert fake.faults.injected == runs[-1].count(503)
            fake.set_fault_rate(0.5, None)
            assert await _statuses(fake, 3) == [200, 200, 200]
    assert runs[0] == runs[1]  # the same seed fails the same requests
    assert set(runs[0]) == {200, 503}


@pytest.mark.asyncio
async def test_without_recording_only_the_count_is_kept() -> None:
    async with FakeAzureSearch(search_results=RESULTS, record_requests=False) as fake:
        assert await _statuses(fake, 3) == [200, 200, 200]
        assert fake.requests.total == 3
        assert fake.requests == []


@pytest.mark.asyncio
async def test_fault_body_and_not_found(fake: FakeAzureSearch) -> None:
    fake.fail_next(500, body={"error": {"code": "Boom", "message": "kaput"}})
    fake.fail_next(404)
    async with _client(fake) as client:
        with pytest.raises(HttpResponseError) as info:
            [d async for d in await client.search("x")]
        assert info.value.status_code == 500
        assert "kaput" in str(info.value)
        with pytest.raises(ResourceNotFoundError):
            [d async for d in await client.search("x")]


@pytest.mark.asyncio
async def test_auth_checks() -> None:
    async with FakeAzureSearch(api_key="right-key") as fake:
        async with SearchClient(
            fake.endpoint, INDEX, AzureKeyCredential("wrong"), retry_total=0
        ) as c:
            with pytest.raises(HttpResponseError) as info:
                [d async for d in await c.search("x")]
            assert info.value.status_code == 403
        async with aiohttp.ClientSession() as session:
            url = f"{fake.endpoint}/indexes('{INDEX}')/docs/search.post.search"
            async with session.post(url, params={"api-version": "2026-04-01"}, json={}) as resp:
                assert resp.status == 401
        # Bearer tokens: refused by azure-core over http unless enforce_https is disabled.
        async with SearchClient(fake.endpoint, INDEX, _StaticToken(), retry_total=0) as c:
            with pytest.raises(ServiceRequestError):
                [d async for d in await c.search("x")]
        async with SearchClient(
            fake.endpoint,
            INDEX,
            _StaticToken(),
            retry_total=0,
            per_call_policies=[AllowHttpBearerPolicy()],
        ) as c:
            assert [d async for d in await c.search("x")] == []
        assert fake.requests[-1].headers["authorization"] == "Bearer fake-token"


@pytest.mark.asyncio
async def test_delay_and_read_timeout(fake: FakeAzureSearch) -> None:
    fake.search_results = RESULTS
    fake.delay = 2.0
    async with _client(fake) as client:
        started = time.monotonic()
        with pytest.raises(ServiceResponseTimeoutError):
            [d async for d in await client.search("x", read_timeout=0.2)]
        assert time.monotonic() - started < 1.5
        fake.delay = 0.1
        docs = [d async for d in await client.search("x")]
    assert len(docs) == 2


@pytest.mark.asyncio
async def test_document_upload_merge_delete_and_search_stored(fake: FakeAzureSearch) -> None:
    async with _client(fake) as client:
        uploaded = await client.upload_documents(
            [
                {"id": "a", "content": "alpha", "sourcepage": "a.pdf#page=1", "category": "x"},
                {"id": "b", "content": "beta", "sourcepage": "b.pdf#page=1", "category": "y"},
            ]
        )
        assert [(r.key, r.succeeded, r.status_code) for r in uploaded] == [
            ("a", True, 201),
            ("b", True, 201),
        ]
        merged = await client.merge_documents([{"id": "a", "category": "z"}, {"id": "nope"}])
        assert [(r.key, r.succeeded, r.status_code) for r in merged] == [
            ("a", True, 200),
            ("nope", False, 404),
        ]
        assert merged[1].error_message == "Document not found."

        fake.fail_document("c", status_code=422, message="bad vector")
        partial = await client.merge_or_upload_documents([{"id": "c"}, {"id": "d"}])
        assert [(r.key, r.succeeded) for r in partial] == [("c", False), ("d", True)]

        deleted = await client.delete_documents([{"id": "d"}])
        assert deleted[0].succeeded

        assert await client.get_document_count() == 2
        assert await client.get_document("a") == {
            "id": "a",
            "content": "alpha",
            "sourcepage": "a.pdf#page=1",
            "category": "z",
        }
        with pytest.raises(ResourceNotFoundError):
            await client.get_document("missing")

        docs = [d async for d in await client.search("*", top=10)]
        assert [d["id"] for d in docs] == ["a", "b"]

        semantic = [
            d
            async for d in await client.search(
                "alpha", query_type="semantic", query_caption="extractive"
            )
        ]
        assert semantic[0]["@search.reranker_score"] is not None
        assert semantic[0]["@search.captions"][0].text == "alpha"

    index_calls = fake.requests_for("index_documents")
    assert len(index_calls) == 4
    assert index_calls[0].path == f"/indexes('{INDEX}')/docs/search.index"
    assert index_calls[0].json["value"][0]["@search.action"] == "upload"
    assert index_calls[1].json["value"][0]["@search.action"] == "merge"
    assert index_calls[3].json["value"][0] == {"@search.action": "delete", "id": "d"}
    assert set(fake.documents[INDEX]) == {"a", "b"}


@pytest.mark.asyncio
async def test_index_client_lifecycle(fake: FakeAzureSearch) -> None:
    index = SearchIndex(
        name="docs-idx",
        fields=[
            SimpleField(name="key", type=SearchFieldDataType.STRING, key=True),
            SearchableField(name="content"),
        ],
    )
    async with SearchIndexClient(fake.endpoint, AzureKeyCredential("fake-key")) as client:
        created = await client.create_or_update_index(index)
        assert created.name == "docs-idx"
        assert [f.name for f in created.fields] == ["key", "content"]
        await client.create_or_update_index(index)
        fetched = await client.get_index("docs-idx")
        assert fetched.name == "docs-idx"
        assert [n async for n in client.list_index_names()] == ["docs-idx"]

        async with client.get_search_client("docs-idx") as search_client:
            result = await search_client.upload_documents([{"key": "k1", "content": "hi"}])
            assert result[0].succeeded
        assert fake.documents["docs-idx"] == {"k1": {"key": "k1", "content": "hi"}}

        await client.delete_index("docs-idx")
        with pytest.raises(ResourceNotFoundError):
            await client.get_index("docs-idx")

    ops = [(r.method, r.path, r.operation) for r in fake.requests]
    assert ops[:2] == [
        ("PUT", "/indexes('docs-idx')", "create_or_update_index"),
        ("PUT", "/indexes('docs-idx')", "create_or_update_index"),
    ]
    assert ("DELETE", "/indexes('docs-idx')", "delete_index") in ops
    sent_field = fake.requests[0].json["fields"][0]
    assert (sent_field["name"], sent_field["type"], sent_field["key"]) == (
        "key",
        "Edm.String",
        True,
    )
    assert fake.indexes == {}
    assert "docs-idx" not in fake.documents


@pytest.mark.asyncio
async def test_unknown_route_is_recorded_and_404(fake: FakeAzureSearch) -> None:
    async with _client(fake) as client:
        with pytest.raises(ResourceNotFoundError):
            await client.autocomplete("pt", "sg")
    assert fake.requests[-1].operation == "unknown"
    assert fake.requests[-1].path == f"/indexes('{INDEX}')/docs/search.post.autocomplete"


@pytest.mark.asyncio
async def test_closed_server_refuses_connections() -> None:
    async with FakeAzureSearch() as fake:
        endpoint = fake.endpoint
    async with SearchClient(endpoint, INDEX, AzureKeyCredential("k"), retry_total=0) as client:
        with pytest.raises(ServiceRequestError):
            [d async for d in await client.search("x")]


@pytest.mark.asyncio
async def test_simple_filters_are_evaluated_on_stored_documents(fake: FakeAzureSearch) -> None:
    async with _client(fake) as client:
        await client.upload_documents(
            [
                {"id": "1", "sourcefile": "a.md", "category": "hr"},
                {"id": "2", "sourcefile": "it's.md", "category": "hr"},
                {"id": "3", "sourcefile": "a.md", "category": None},
                {"id": "4", "sourcefile": "b and c.md"},
            ]
        )

        async def ids(expression: str) -> list[str]:
            return [d["id"] async for d in await client.search("*", filter=expression)]

        assert await ids("sourcefile eq 'a.md'") == ["1", "3"]
        assert await ids("sourcefile eq 'it''s.md'") == ["2"]
        assert await ids("sourcefile eq 'b and c.md'") == ["4"]
        assert await ids("sourcefile ne 'a.md' and category eq 'hr'") == ["2"]
        # `ne` matches documents without the field or with null, like the service.
        assert await ids("category ne 'hr'") == ["3", "4"]
        assert await ids("category eq null") == ["3", "4"]
        assert await ids("sourcefile eq 'nothing'") == []
        assert await ids("search.in(category, 'hr')") == ["1", "2"]
        assert await ids("sourcefile eq 'a.md' or sourcefile eq 'b and c.md'") == ["1", "3", "4"]
        # Canned results are never filtered.
        fake.search_results = [{"id": "canned", "sourcefile": "z.md"}]
        assert await ids("sourcefile eq 'a.md'") == ["canned"]


# Who may read what: u1 alone, groups g1 / g2 / g3, public documents with no lists at all.
ACL_DOCS: list[dict[str, Any]] = [
    {"id": "public-missing", "category": "x"},
    {"id": "public-empty", "category": "x", "oids": [], "groups": []},
    {"id": "u1-only", "category": "x", "oids": ["u1"], "groups": []},
    {"id": "u2-only", "category": "x", "oids": ["u2"]},
    {"id": "g1", "category": "x", "groups": ["g1"]},
    {"id": "g2-other-cat", "category": "y", "oids": [], "groups": ["g2"]},
    {"id": "g3", "category": "x", "groups": ["g3", "g 4"]},
    {"id": "u2-or-g3", "category": "x", "oids": ["u2"], "groups": ["g3"]},
    {"id": "quoted", "category": "o'neil", "oids": ["o'neil"]},
]
PUBLIC = "(not oids/any() and not groups/any())"


@pytest.mark.asyncio
async def test_access_control_filters_are_evaluated_on_stored_documents(
    fake: FakeAzureSearch,
) -> None:
    async with _client(fake) as client:
        await client.upload_documents(ACL_DOCS)

        async def ids(expression: str) -> set[str]:
            return {d["id"] async for d in await client.search("*", filter=expression)}

        u1_g1_g2 = (
            f"(oids/any(g:search.in(g, 'u1')) or groups/any(g:search.in(g, 'g1, g2')) or {PUBLIC})"
        )
        assert await ids(u1_g1_g2) == {
            "public-missing",
            "public-empty",
            "u1-only",
            "g1",
            "g2-other-cat",
        }
        assert await ids(f"category eq 'x' and {u1_g1_g2}") == {
            "public-missing",
            "public-empty",
            "u1-only",
            "g1",
        }
        # Anonymous: public documents only.
        assert await ids(PUBLIC) == {"public-missing", "public-empty"}
        # The form app.search.access emits: eq on oids, search.in with an explicit delimiter.
        assert await ids(
            f"({PUBLIC} or oids/any(o: o eq 'u2') or groups/any(g: search.in(g, 'g 4|g9', '|')))"
        ) == {"public-missing", "public-empty", "u2-only", "g3", "u2-or-g3"}
        # With the default delimiters 'g 4' is two values, 'g' and '4', so it matches nothing.
        assert await ids("groups/any(g: search.in(g, 'g 4'))") == set()
        # Quoted values with '' in both the field filter and the access list.
        assert await ids("category eq 'o''neil' and oids/any(o: o eq 'o''neil')") == {"quoted"}
        assert await ids("groups/all(g: g ne 'g3')") == {
            "public-missing",
            "public-empty",
            "u1-only",
            "u2-only",
            "g1",
            "g2-other-cat",
            "quoted",
        }
        assert await ids("oids/any() and not groups/any()") == {"u1-only", "u2-only", "quoted"}
    assert fake.last_search["filter"] == "oids/any() and not groups/any()"


@pytest.mark.asyncio
async def test_malformed_filter_is_answered_400_like_the_service(fake: FakeAzureSearch) -> None:
    malformed = "category eq 'x' and (oids/any(o: o eq 'u1') or"
    async with _client(fake) as client:
        await client.upload_documents(ACL_DOCS)
        with pytest.raises(HttpResponseError) as info:
            [d async for d in await client.search("*", filter=malformed)]
        assert info.value.status_code == 400
        assert "Invalid expression: expected a boolean expression" in str(info.value)
        # Canned results skip the filter, but a malformed one still fails.
        fake.search_results = RESULTS
        with pytest.raises(HttpResponseError) as info:
            [d async for d in await client.search("*", filter="category eq 'x")]
        assert info.value.status_code == 400
    assert [r.json["filter"] for r in fake.search_requests] == [malformed, "category eq 'x"]


@pytest.mark.asyncio
async def test_unevaluable_filters_are_answered_400(fake: FakeAzureSearch) -> None:
    async with _client(fake) as client:
        await client.upload_documents([{"id": "1", "oids": "u1", "rating": 3}])
        for expression, message in [
            ("rating gt 2", "does not support the operator 'gt'"),
            ("search.ismatch('x')", "does not support the function 'search.ismatch'"),
            ("oids/any(o: o eq 'u1')", "'oids' is not a collection"),
        ]:
            with pytest.raises(HttpResponseError) as info:
                [d async for d in await client.search("*", filter=expression)]
            assert info.value.status_code == 400
            assert message in str(info.value)


@pytest.mark.asyncio
async def test_400_body_has_the_service_error_shape(fake: FakeAzureSearch) -> None:
    async with aiohttp.ClientSession() as session:
        url = f"{fake.endpoint}/indexes('{INDEX}')/docs/search.post.search"
        async with session.post(
            url,
            params={"api-version": "2026-04-01"},
            headers={"api-key": "k"},
            json={"search": "*", "filter": "a eq"},
        ) as resp:
            assert resp.status == 400
            body = await resp.json()
    assert body == {
        "error": {
            "code": "",
            "message": "Invalid expression: expected a constant, found end of input"
            " at position 4 in 'a eq'.",
        }
    }


def _matches(expression: str, document: dict[str, Any]) -> bool:
    return parse_filter(expression).matches(document)


def test_precedence_is_not_then_and_then_or() -> None:
    doc = {"a": "1", "b": "0", "c": "0"}
    # and binds tighter than or: a or (b and c).
    assert _matches("a eq '1' or b eq '1' and c eq '1'", doc)
    assert not _matches("(a eq '1' or b eq '1') and c eq '1'", doc)
    # not binds tighter than and: (not b) and (not c).
    assert _matches("not b/any() and not (c eq '1')", {**doc, "b": []})
    assert not _matches("not (a eq '1' or b eq '1')", doc)
    assert _matches("not not (a eq '1')", doc)
    assert _matches("((((a eq '1'))))", doc)
    assert _matches("(a eq '0' or (b eq '0' and (c eq '1' or c eq '0')))", doc)
    assert not _matches("(a eq '0' or (b eq '0' and (c eq '1' or not (c eq '0'))))", doc)


def test_literals_and_equality() -> None:
    doc = {"s": "it's", "n": 3, "f": 2.5, "t": True, "z": None, "u": "Up"}
    assert _matches("s eq 'it''s'", doc)
    assert _matches("'it''s' eq s", doc)
    assert not _matches("s eq 'it'", doc)
    assert _matches("s ne 'it''s ''quoted'''", doc)
    assert _matches("x eq 'it''s'' and y eq ''z'", {"x": "it's' and y eq 'z"})
    assert _matches("n eq 3 and n eq 3.0 and f eq 2.5 and f ne 2", doc)
    assert _matches("n eq -3", {"n": -3})
    assert _matches("t eq true and t ne false and t", doc)
    assert not _matches("n eq true", {"n": 1})
    assert not _matches("u eq 'up'", doc)
    assert _matches("z eq null and missing eq null and s ne null", doc)
    assert not _matches("missing ne null", doc)
    assert _matches("missing ne 'x'", doc)
    assert _matches("true", {})
    assert not _matches("false or missing", {})
    assert _matches("address/city eq 'Oslo'", {"address": {"city": "Oslo"}})
    assert _matches("address/city eq null", {"address": None})


def test_search_in_delimiters() -> None:
    assert _matches("search.in(g, 'a,b')", {"g": "b"})
    assert _matches("search.in(g, 'a, b')", {"g": "b"})
    assert _matches("search.in(g, 'a b')", {"g": "a"})
    assert not _matches("search.in(g, 'a, b')", {"g": "a, b"})
    assert not _matches("search.in(g, 'a, b')", {"g": ""})
    assert _matches("search.in(g, 'a b|c,d', '|')", {"g": "a b"})
    assert _matches("search.in(g, 'a b|c,d', '|')", {"g": "c,d"})
    assert not _matches("search.in(g, 'a b|c,d', '|')", {"g": "a"})
    assert _matches("search.in(g, 'a;b|c', ';|')", {"g": "c"})
    assert _matches("search.in(g, 'o''neil|x', '|')", {"g": "o'neil"})
    assert not _matches("search.in(g, 'a')", {})
    assert _matches("not search.in(g, 'a')", {})


def test_collection_operators() -> None:
    assert _matches("tags/any()", {"tags": ["x"]})
    assert not _matches("tags/any()", {"tags": []})
    assert not _matches("tags/any()", {})
    assert not _matches("tags/any()", {"tags": None})
    assert _matches("tags/any(t: t eq 'x' or t eq 'y')", {"tags": ["z", "y"]})
    assert not _matches("tags/any(t: t eq 'x')", {})
    assert _matches("tags/all(t: t ne 'x')", {})
    assert _matches("tags/all(t: not search.in(t, 'x,y'))", {"tags": ["z"]})
    assert not _matches("tags/all(t: t ne 'x')", {"tags": ["z", "x"]})
    rooms = {"rooms": [{"type": "suite", "tags": ["view"]}, {"type": "basic", "tags": []}]}
    assert _matches("rooms/any(r: r/type eq 'suite' and r/tags/any(t: t eq 'view'))", rooms)
    assert not _matches("rooms/any(r: r/type eq 'basic' and r/tags/any())", rooms)


@pytest.mark.parametrize(
    ("expression", "detail"),
    [
        ("", "expected a boolean expression, found end of input"),
        ("a eq 'x' and", "expected a boolean expression, found end of input"),
        ("a eq 'x' or or b eq 'y'", "expected a boolean expression, found 'or'"),
        ("a eq 'x' b eq 'y'", "unexpected 'b'"),
        ("(a eq 'x'", "expected ')'"),
        ("a eq 'x')", "unexpected ')'"),
        ("a eq 'x", "unterminated string literal"),
        ("a eq", "expected a constant"),
        ("a eq b", "expected a constant, found 'b'"),
        ("'x'", "expected a boolean expression"),
        ("a EQ 'x'", "unexpected 'EQ'"),
        ("a = 'x'", "unexpected character '='"),
        ("not a eq 'x'", "'not' binds tighter than 'eq'"),
        ("a gt 1", "does not support the operator 'gt'"),
        ("d eq 2024-01-01T00:00:00Z", "unexpected character '-'"),
        ("geo.distance(p, x) le 5", "does not support the function 'geo.distance'"),
        ("tags/all()", "'all' needs a lambda expression"),
        ("tags/any(t t eq 'x')", "expected ':' after the range variable"),
        ("tags/any(t: t eq 'x'", "')' closing the lambda expression"),
        ("tags/any(t: other eq 'x')", "only bound field references"),
        ("tags/any(t: search.in(other, 'x'))", "only bound field references"),
        ("search.in(g)", "',' after the first argument of search.in"),
        ("search.in(g, x)", "expected a string literal list of values"),
        ("search.in(g, 'a', '')", "delimiters of search.in must not be empty"),
        ("search.in('a', 'a')", "expected a field path or range variable"),
        ("search.in(g, 'a') eq true", "'eq' must compare a field with a constant"),
        ("tags/any() eq true", "'eq' must compare a field with a constant"),
    ],
)
def test_malformed_filters_are_rejected(expression: str, detail: str) -> None:
    with pytest.raises(ODataFilterError) as info:
        parse_filter(expression)
    message = str(info.value)
    assert message.startswith("Invalid expression: ")
    assert detail in message
