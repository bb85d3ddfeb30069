"""Embedding in ingestion's process pool: one single-threaded onnxruntime session per worker.

The CLI's pool already parses files, one worker per core; embedding there too keeps one busy
thread per core, where onnxruntime's own threads would compete with the parsing processes.
Measured on this 2-core machine (768 chunks of 128 tokens, batches of 64): two workers of one
thread 93 to 118 chunks/s, one process of two threads 78 to 116; a noisy VM, so about even
when nothing else runs, and the pool wins once parsing overlaps.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import Executor
from pathlib import Path

import numpy as np
import numpy.typing as npt

from app.models.local_embed.embedder import DIMENSIONS, MODEL, load_local_embedder


class PooledLocalEmbedder:
    """The local model run in the worker processes of `executor`, a batch per call."""

    model = MODEL
    dimensions = DIMENSIONS

    def __init__(self, *, executor: Executor, cache_dir: Path) -> None:
        self._executor = executor
        self._cache_dir = cache_dir

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One unit vector per text, in order, computed in a worker process."""
        loop = asyncio.get_running_loop()
        vectors = await loop.run_in_executor(
            self._executor, embed_in_worker, self._cache_dir, list(texts)
        )
        return vectors.tolist()  # type: ignore[no-any-return]


def embed_in_worker(cache_dir: Path, texts: list[str]) -> npt.NDArray[np.float32]:
    """Vectors of `texts` from this worker's own single-threaded session (loaded once)."""
    return load_local_embedder(cache_dir, threads=1).encode(texts)
