"""Azure AI Search through the SDK's async client: text, vectors, hybrid, semantic ranker."""

from __future__ import annotations

from typing import Any

from azure.search.documents.aio import SearchClient
from azure.search.documents.models import VectorizedQuery, VectorQuery

from app.auth import User
from app.deadlines import SEARCH_TOO_SLOW, within
from app.search.access import odata_filter
from app.search.base import SearchHit, SearchOptions, passes_minimums
from app.search.odata import category_filter, quote

_FIELDS = ["id", "content", "sourcepage", "sourcefile", "category"]
# How many neighbours the vector query fetches before fusion and reranking; the semantic
# ranker looks at the top 50 results, so fetching fewer would starve it.
_VECTOR_K = 50


class AzureSearchRetriever:
    """Searches one Azure AI Search index; a search, retries included, ends within `timeout`
    seconds (None: no limit beyond the client's own timeouts)."""

    def __init__(
        self, *, client: SearchClient, semantic_configuration: str, timeout: float | None = None
    ) -> None:
        self._client = client
        self._semantic_configuration = semantic_configuration
        self._timeout = timeout

    async def search(self, options: SearchOptions, *, user: User | None) -> list[SearchHit]:
        """Return at most `options.top` hits that `user` may read, best first."""
        use_text = options.mode in ("text", "hybrid")
        vector_queries: list[VectorQuery] | None = None
        if options.mode in ("vectors", "hybrid") and options.vector is not None:
            vector_queries = [
                VectorizedQuery(
                    vector=options.vector, k_nearest_neighbors=_VECTOR_K, fields="embedding"
                )
            ]
        kwargs: dict[str, Any] = {}
        if options.semantic_ranker and use_text:
            kwargs["query_type"] = "semantic"
            kwargs["semantic_configuration_name"] = self._semantic_configuration
            if options.semantic_captions:
                kwargs["query_caption"] = "extractive|highlight-false"
        async with within(self._timeout, SEARCH_TOO_SLOW):
            results = await self._client.search(
                search_text=options.query if use_text else None,
                vector_queries=vector_queries,
                filter=_and(
                    odata_filter(user),
                    category_filter(options.include_category, options.exclude_category),
                ),
                top=options.top,
                select=_FIELDS,
                **kwargs,
            )
            hits = [_hit(document) async for document in results]
        return [hit for hit in hits if passes_minimums(hit, options)]

    async def readable(self, sourcefile: str, *, user: User | None) -> bool:
        """Whether the index holds a chunk of `sourcefile` that `user` may read."""
        async with within(self._timeout, SEARCH_TOO_SLOW):
            results = await self._client.search(
                search_text=None,
                filter=_and(odata_filter(user), f"sourcefile eq {quote(sourcefile)}"),
                top=1,
                select=["id"],
            )
            async for _ in results:
                return True
        return False


def _and(*clauses: str | None) -> str:
    return " and ".join(clause for clause in clauses if clause)


def _hit(document: dict[str, Any]) -> SearchHit:
    captions = document.get("@search.captions") or []
    return SearchHit(
        id=str(document.get("id", "")),
        content=str(document.get("content") or ""),
        sourcepage=str(document.get("sourcepage") or ""),
        sourcefile=str(document.get("sourcefile") or ""),
        category=document.get("category"),
        score=document.get("@search.score"),
        reranker_score=document.get("@search.reranker_score"),
        captions=tuple(str(c.text) for c in captions if getattr(c, "text", None)),
    )
