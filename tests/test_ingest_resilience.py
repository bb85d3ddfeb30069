"""Ingestion under throttling, crashes and Ctrl-C: nothing lost, nothing duplicated."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import httpx
import pytest
import respx
from openai import AsyncOpenAI
from openai_fakes import BASE_URL, embedding_response

from app.content.local import LocalContentStore
from app.ingest import pipeline as pipeline_module
from app.ingest.indexers import LocalIndexer
from app.ingest.pipeline import EMBED_BATCH, FileResult, Pipeline
from app.models.embeddings import OpenAIEmbedder
from app.search.local import Chunk, LocalIndex


def write_files(folder: Path, count: int, sentences: int = 3) -> None:
    folder.mkdir(exist_ok=True)
    for i in range(count):
        body = " ".join(f"File {i} sentence {j} mentions topic{i}x{j}." for j in range(sentences))
        (folder / f"doc{i:02d}.md").write_text(f"# Document {i}\n\n{body}\n")


def stored_chunks(index_dir: Path) -> dict[str, int]:
    with sqlite3.connect(index_dir / "index.sqlite3") as db:
        rows = db.execute("SELECT sourcefile, count(*) FROM chunks GROUP BY sourcefile").fetchall()
        duplicates = db.execute("SELECT count(*) - count(DISTINCT content) FROM chunks").fetchone()
    assert duplicates == (0,)
    return dict(rows)


@pytest.fixture
async def indexer(tmp_path: Path) -> AsyncIterator[LocalIndexer]:
    index = await LocalIndex.open(tmp_path / "index" / "index.sqlite3")
    indexer = LocalIndexer(index=index, content=LocalContentStore(tmp_path / "index" / "content"))
    yield indexer
    await index.close()


async def test_embeddings_survive_throttling_with_retry_after(
    tmp_path: Path, indexer: LocalIndexer
) -> None:
    write_files(tmp_path / "docs", 3)
    calls = 0

    def throttle_twice(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls <= 2:
            return httpx.Response(
                429, json={"error": {"message": "slow down"}}, headers={"retry-after-ms": "5"}
            )
        texts = json.loads(request.content)["input"]
        return embedding_response([[float(len(t)), 1.0] for t in texts])

    client = AsyncOpenAI(base_url=BASE_URL, api_key="k", max_retries=5)
    embedder = OpenAIEmbedder(client=client, model="fake-embed", dimensions=None)
    with respx.mock(base_url=BASE_URL) as router:
        route = router.post("/embeddings").mock(side_effect=throttle_twice)
        results = await Pipeline(indexer=indexer, embedder=embedder).ingest([tmp_path / "docs"])
    await client.close()
    assert [r.status for r in results] == ["indexed"] * 3
    assert route.call_count == 5  # two throttled attempts, then one call per file
    with sqlite3.connect(tmp_path / "index" / "index.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM chunks WHERE embedding IS NULL").fetchone() == (0,)
    assert stored_chunks(tmp_path / "index") == {f"doc{i:02d}.md": 1 for i in range(3)}


async def test_embedding_requests_are_batched(tmp_path: Path, indexer: LocalIndexer) -> None:
    batches: list[int] = []

    class CountingEmbedder:
        model = "counting"

        async def embed(self, texts: Sequence[str]) -> list[list[float]]:
            batches.append(len(texts))
            return [[1.0, 0.0] for _ in texts]

    docs = tmp_path / "docs"
    docs.mkdir()
    sentences = " ".join(
        f"Sentence {j} is about subject number {j} in detail." for j in range(4000)
    )
    (docs / "long.md").write_text(sentences)
    [result] = await Pipeline(indexer=indexer, embedder=CountingEmbedder()).ingest([docs])
    assert result.chunks > EMBED_BATCH
    assert sum(batches) == result.chunks
    assert max(batches) == EMBED_BATCH


class SimulatedCrash(Exception):
    """Stands for the process dying (asyncio would re-raise a real KeyboardInterrupt)."""


class CrashingIndexer(LocalIndexer):
    """Dies while storing the third file."""

    stored = 0

    async def index_file(
        self, sourcefile: str, sha256: str, data: bytes, chunks: Sequence[Chunk]
    ) -> None:
        if self.stored == 2:
            raise SimulatedCrash
        self.stored += 1
        await super().index_file(sourcefile, sha256, data, chunks)


async def test_rerun_after_a_crash_finishes_without_duplicates(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    write_files(docs, 6)
    index_dir = tmp_path / "index"
    index = await LocalIndex.open(index_dir / "index.sqlite3")
    crashing = CrashingIndexer(index=index, content=LocalContentStore(index_dir / "content"))
    with pytest.raises(SimulatedCrash):
        await Pipeline(indexer=crashing, concurrency=1).ingest([docs])
    await index.close()
    assert len(stored_chunks(index_dir)) == 2

    index = await LocalIndex.open(index_dir / "index.sqlite3")
    indexer = LocalIndexer(index=index, content=LocalContentStore(index_dir / "content"))
    results = await Pipeline(indexer=indexer).ingest([docs])
    await index.close()
    assert sorted(r.status for r in results) == ["indexed"] * 4 + ["skipped"] * 2
    assert stored_chunks(index_dir) == {f"doc{i:02d}.md": 1 for i in range(6)}


async def test_ctrl_c_midway_then_rerun(tmp_path: Path, indexer: LocalIndexer) -> None:
    docs = tmp_path / "docs"
    write_files(docs, 8)
    done: list[FileResult] = []
    task: asyncio.Task[list[FileResult]]

    def interrupt_after_three(result: FileResult) -> None:
        done.append(result)
        if len(done) == 3:
            task.cancel()

    pipeline = Pipeline(indexer=indexer, concurrency=2, on_result=interrupt_after_three)
    task = asyncio.create_task(pipeline.ingest([docs]))
    with pytest.raises(asyncio.CancelledError):
        await task
    partial = stored_chunks(tmp_path / "index")
    assert 3 <= len(partial) < 8

    results = await Pipeline(indexer=indexer).ingest([docs])
    assert sum(r.status == "skipped" for r in results) == len(partial)
    assert stored_chunks(tmp_path / "index") == {f"doc{i:02d}.md": 1 for i in range(8)}


async def test_each_file_is_read_once_per_run(
    indexer: LocalIndexer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hashing reads every file; a changed one is ingested from those bytes, not read again,
    unless the bytes kept for that would pass KEEP_READ_BYTES."""
    docs = tmp_path / "docs"
    write_files(docs, 4)
    reads: list[str] = []
    read_bytes = Path.read_bytes

    def counted(path: Path) -> bytes:
        if path.parent == docs:
            reads.append(path.name)
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", counted)
    first = await Pipeline(indexer=indexer).ingest([docs])
    assert [r.status for r in first] == ["indexed"] * 4
    assert sorted(reads) == [f"doc{i:02d}.md" for i in range(4)]

    reads.clear()
    (docs / "doc01.md").write_text("# Changed\n\nA new sentence about sabbaticals.\n")
    second = await Pipeline(indexer=indexer).ingest([docs])
    assert [r.status for r in second] == ["skipped", "indexed", "skipped", "skipped"]
    assert sorted(reads) == [f"doc{i:02d}.md" for i in range(4)]

    # With no room to keep bytes, a changed file is read again for its ingestion.
    reads.clear()
    monkeypatch.setattr(pipeline_module, "KEEP_READ_BYTES", 0)
    (docs / "doc02.md").write_text("# Changed too\n\nParking is free on weekends.\n")
    third = await Pipeline(indexer=indexer).ingest([docs])
    assert [r.status for r in third] == ["skipped", "skipped", "indexed", "skipped"]
    assert sorted(reads) == ["doc00.md", "doc01.md", "doc02.md", "doc02.md", "doc03.md"]
