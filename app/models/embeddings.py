"""Embeddings through `openai.AsyncOpenAI`, for vector search and ingestion."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import openai
from openai import omit

from app.telemetry import model_span


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
