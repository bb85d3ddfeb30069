"""`LocalEmbedder`: sentence vectors computed on this machine's CPU, with no network or account.

Texts are tokenized with the model's own `tokenizer.json` (the `tokenizers` library), sorted by
length and cut into batches padded to their longest text, so little time goes on padding; one
onnxruntime session then returns the pooled, normalised vectors (see `graph.py`).

In the server every call runs on one thread of the embedder's own, one batch at a time, and
onnxruntime spreads each batch over all cores: a query never waits on the event loop, and
concurrent requests queue instead of fighting over the cores. numpy and onnxruntime release
the GIL. Ingestion instead embeds in its process pool, one single-threaded session per worker
(`pool.py`).
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from app.models.local_embed.files import find_model
from app.models.local_embed.graph import cached_graph

# all-MiniLM-L6-v2 was trained on 128 word pieces (sentence-transformers cuts at 256, and 256
# costs 2.1x the time of 128). A chunk (up to ~550 word pieces) is embedded as the mean of its
# windows of 128: on the sample corpus's evaluation, hybrid hit@1 0.80 against 0.70 with only
# its first 128 and 0.74 with text alone, at ~4x the time (docs/ingestion.md).
WINDOW = 128
MAX_WINDOWS = 8  # bounds the time of a very long query; chunks have at most 5
DIMENSIONS = 384
BATCH = 32
MODEL = f"all-MiniLM-L6-v2 (local, int8, mean of {WINDOW}-token windows)"


class LocalEmbedder:
    """all-MiniLM-L6-v2 through onnxruntime; one per process (see `load_local_embedder`)."""

    model = MODEL
    dimensions = DIMENSIONS

    def __init__(self, *, session: Any, tokenizer: Any) -> None:
        self._session = session
        self._tokenizer = tokenizer
        self._cls = int(tokenizer.token_to_id("[CLS]"))
        self._sep = int(tokenizer.token_to_id("[SEP]"))
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="local-embed")

    @classmethod
    def load(cls, cache_dir: Path, *, threads: int | None = None) -> LocalEmbedder:
        """Find the model, build its graph into `cache_dir` if needed, and open it with
        `threads` (default: every core of this process) (blocking)."""
        import onnxruntime
        from tokenizers import Tokenizer

        files = find_model()
        graph = cached_graph(files, cache_dir)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or len(os.sched_getaffinity(0))
        options.inter_op_num_threads = 1
        # Idle threads sleep rather than spin: in the server they would take the event
        # loop's core between queries.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3  # the shape-merge warnings of the quantized graph
        session = onnxruntime.InferenceSession(
            str(graph), options, providers=["CPUExecutionProvider"]
        )
        tokenizer = Tokenizer.from_file(str(files.tokenizer))
        tokenizer.no_padding()
        tokenizer.no_truncation()  # cut into windows by `encode`
        return cls(session=session, tokenizer=tokenizer)

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One unit vector per text, in order, computed off the event loop."""
        loop = asyncio.get_running_loop()
        vectors = await loop.run_in_executor(self._thread, self.encode, list(texts))
        return vectors.tolist()  # type: ignore[no-any-return]

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Vectors of `texts` as a [len(texts), 384] array of unit rows (blocking)."""
        vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        if not texts:
            return vectors
        windows: list[list[int]] = []
        owners: list[int] = []
        for n, encoding in enumerate(self._tokenizer.encode_batch(list(texts))):
            for window in self._windows(encoding.ids[1:-1]):  # without [CLS] and [SEP]
                windows.append(window)
                owners.append(n)
        sums = np.zeros_like(vectors)
        np.add.at(sums, owners, self._run(windows))
        norms = np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)
        vectors[:] = sums / norms
        return vectors

    def _windows(self, ids: list[int]) -> list[list[int]]:
        size = WINDOW - 2
        starts = range(0, max(len(ids), 1), size)[:MAX_WINDOWS]
        return [[self._cls, *ids[start : start + size], self._sep] for start in starts]

    def _run(self, windows: list[list[int]]) -> npt.NDArray[np.float32]:
        """The vector of each window, batched by length so little goes on padding."""
        out = np.zeros((len(windows), DIMENSIONS), dtype=np.float32)
        order = sorted(range(len(windows)), key=lambda n: len(windows[n]))
        for start in range(0, len(order), BATCH):
            batch = order[start : start + BATCH]
            width = len(windows[batch[-1]])
            tokens = np.zeros((len(batch), width), dtype=np.int64)  # 0 is [PAD]
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, n in enumerate(batch):
                tokens[row, : len(windows[n])] = windows[n]
                mask[row, : len(windows[n])] = 1
            feed = {"input_ids": tokens, "attention_mask": mask}
            (out[batch],) = self._session.run(["sentence_embedding"], feed)
        return out


_loaded: dict[int | None, LocalEmbedder] = {}
_loading = threading.Lock()


def load_local_embedder(cache_dir: Path, *, threads: int | None = None) -> LocalEmbedder:
    """The process's embedder: loaded on the first call, the same one after (blocking)."""
    with _loading:
        embedder = _loaded.get(threads)
        if embedder is None:
            embedder = _loaded[threads] = LocalEmbedder.load(cache_dir, threads=threads)
        return embedder
