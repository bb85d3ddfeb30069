"""all-MiniLM-L6-v2 sentence embeddings on this machine's CPU (EMBED_PROVIDER=local).

Public surface: `open_local_embedder`, `LocalEmbedder`, `PooledLocalEmbedder`, `MODEL` and
`DIMENSIONS`. `files.py` finds the packaged weights, `graph.py` turns them into a cached int8
ONNX graph, `embedder.py` runs it in this process, `pool.py` in ingestion's worker processes.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path

from app.models.local_embed.embedder import (
    DIMENSIONS,
    MODEL,
    LocalEmbedder,
    load_local_embedder,
)
from app.models.local_embed.files import find_model
from app.models.local_embed.graph import cached_graph
from app.models.local_embed.pool import PooledLocalEmbedder

__all__ = ["DIMENSIONS", "MODEL", "LocalEmbedder", "PooledLocalEmbedder", "open_local_embedder"]


async def open_local_embedder(
    cache_dir: Path, *, executor: Executor | None = None
) -> LocalEmbedder | PooledLocalEmbedder:
    """The local embedder: in `executor`'s worker processes when it is a process pool, else in
    this process. The graph is built here first, so workers only read it; SettingsError when
    the model package is missing."""
    if isinstance(executor, ProcessPoolExecutor):
        await asyncio.to_thread(lambda: cached_graph(find_model(), cache_dir))
        return PooledLocalEmbedder(executor=executor, cache_dir=cache_dir)
    return await asyncio.to_thread(load_local_embedder, cache_dir)
