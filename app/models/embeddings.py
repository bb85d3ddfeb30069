"""Embeddings for vector search and ingestion: `open_embedder` picks them from the settings.

`local` runs all-MiniLM-L6-v2 on this machine (`local_embed/`); `openai` and `azure` call an
OpenAI-compatible API through `openai.AsyncOpenAI`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from typing import Literal, Protocol

import openai
from openai import omit

from app.models.spans import model_span
from app.settings import Settings

RemoteProvider = Literal["openai", "azure"]


class Embedder(Protocol):
    """Turns texts into vectors."""

    @property
    def model(self) -> str:
        """The embedding model or deployment name."""
        ...

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One vector per text, in order."""
        ...


class OpenAIEmbedder:
    """Embeddings from an OpenAI-compatible API (OpenAI, Azure OpenAI v1, Ollama, vLLM...)."""

    def __init__(self, *, client: openai.AsyncOpenAI, model: str, dimensions: int | None) -> None:
        self._client = client
        self.model = model
        self._dimensions = dimensions

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One vector per text, in order."""
        with model_span("embeddings", self.model, batch=len(texts)):
            response = await self._client.embeddings.create(
                model=self.model,
                input=list(texts),
                dimensions=self._dimensions if self._dimensions else omit,
            )
        ordered = sorted(response.data, key=lambda item: item.index)
        return [list(item.embedding) for item in ordered]


async def open_embedder(
    settings: Settings,
    *,
    openai_client: Callable[[RemoteProvider], openai.AsyncOpenAI],
    executor: Executor | None = None,
) -> Embedder | None:
    """The embedder EMBED_PROVIDER resolves to (None: text search only), for the server and
    ingestion alike. `openai_client` makes or shares the client of a remote provider; the
    local model runs in `executor` when it is a process pool (ingestion), else in a thread."""
    provider = settings.embedding_provider
    if provider is None:
        return None
    if provider == "local":
        from app.models.local_embed import open_local_embedder  # loads onnxruntime: only here

        return await open_local_embedder(settings.local_embed_cache_dir, executor=executor)
    if provider == "azure":
        model = settings.azure_openai_embed_deployment
        dimensions = settings.azure_openai_embed_dimensions
    else:
        model = settings.openai_embed_model
        dimensions = settings.openai_embed_dimensions
    assert model  # the settings' validator requires it
    return OpenAIEmbedder(client=openai_client(provider), model=model, dimensions=dimensions)
