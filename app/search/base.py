"""The retriever protocol and the hit type both implementations return."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from app.auth import User
from app.search.access import AccessList

RetrievalMode = Literal["text", "vectors", "hybrid"]


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One retrieved chunk of a source document."""

    id: str
    content: str
    sourcepage: str
    sourcefile: str
    category: str | None = None
    score: float | None = None
    reranker_score: float | None = None
    captions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Chunk:
    """A piece of a source file, ready to index, with who may read it."""

    id: str
    content: str
    sourcepage: str
    sourcefile: str
    category: str | None = None
    embedding: Sequence[float] | None = None
    access: AccessList = field(default_factory=AccessList)


@dataclass(frozen=True, slots=True)
class SearchOptions:
    """What to search for and how; built from the request's overrides."""

    query: str
    mode: RetrievalMode = "text"
    vector: list[float] | None = None
    top: int = 3
    semantic_ranker: bool = False
    semantic_captions: bool = False
    minimum_search_score: float | None = None
    minimum_reranker_score: float | None = None
    include_category: str | None = None
    exclude_category: str | None = None


class Retriever(Protocol):
    """Finds the chunks that best answer a query, among those the caller may read."""

    async def search(self, options: SearchOptions, *, user: User | None) -> list[SearchHit]:
        """Return at most `options.top` hits that `user` may read, best first."""
        ...

    async def readable(self, sourcefile: str, *, user: User | None) -> bool:
        """Whether `user` may read some indexed part of `sourcefile` (and so the file)."""
        ...


def passes_minimums(hit: SearchHit, options: SearchOptions) -> bool:
    """Whether a hit clears the minimum search and reranker scores asked for."""
    if (
        options.minimum_search_score is not None
        and (hit.score or 0.0) < options.minimum_search_score
    ):
        return False
    return not (
        options.minimum_reranker_score is not None
        and hit.reranker_score is not None
        and hit.reranker_score < options.minimum_reranker_score
    )
