"""Ingestion with embeddings: unchanged files are not embedded again, a new embedding model
re-embeds them, and the CLI embeds with the local model by default, in its process pool."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pytest

from app.content.local import LocalContentStore
from app.ingest.__main__ import main as ingest_main
from app.ingest.indexers import LocalIndexer
from app.ingest.pipeline import Pipeline
from app.search.local import LocalIndex


class CountingEmbedder:
    def __init__(self, model: str = "counting-1") -> None:
        self.model = model
        self.texts: list[str] = []

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.texts.extend(texts)
        return [[1.0, float(len(text)), 0.0] for text in texts]


def write_corpus(folder: Path) -> None:
    folder.mkdir()
    (folder / "leave.md").write_text("# Leave\n\nParental leave lasts sixteen weeks.\n")
    (folder / "travel.txt").write_text("Hotels are reimbursed up to 250 dollars a night.\n")


async def test_unchanged_files_are_not_embedded_again(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_corpus(corpus)
    index = await LocalIndex.open(tmp_path / "index" / "index.sqlite3")
    indexer = LocalIndexer(index=index, content=LocalContentStore(tmp_path / "index" / "content"))
    embedder = CountingEmbedder()

    first = await Pipeline(indexer=indexer, embedder=embedder).ingest([corpus])
    assert [r.status for r in first] == ["indexed", "indexed"]
    embedded = len(embedder.texts)
    assert embedded == 2

    second = await Pipeline(indexer=indexer, embedder=embedder).ingest([corpus])
    assert [r.status for r in second] == ["skipped", "skipped"]
    assert len(embedder.texts) == embedded

    (corpus / "travel.txt").write_text("Hotels are reimbursed up to 300 dollars a night.\n")
    third = await Pipeline(indexer=indexer, embedder=embedder).ingest([corpus])
    assert [r.status for r in third] == ["skipped", "indexed"]
    assert embedder.texts[embedded:] == ["Hotels are reimbursed up to 300 dollars a night."]

    # Vectors of another model cannot be compared with the new ones: every file is redone.
    other = CountingEmbedder("counting-2")
    fourth = await Pipeline(indexer=indexer, embedder=other).ingest([corpus])
    assert [r.status for r in fourth] == ["indexed", "indexed"]
    await index.close()


@pytest.mark.parametrize("workers", ["0", "2"])
def test_the_cli_embeds_with_the_local_model_by_default(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    workers: str,
) -> None:
    corpus = tmp_path / "corpus"
    write_corpus(corpus)
    monkeypatch.setenv("LOCAL_INDEX_DIR", str(tmp_path / "index"))
    assert ingest_main([str(corpus), "--workers", workers]) == 0
    db = sqlite3.connect(tmp_path / "index" / "index.sqlite3")
    sizes = [row[0] for row in db.execute("SELECT length(embedding) FROM chunks")]
    db.close()
    assert sizes == [384 * 2, 384 * 2]  # float16
    capsys.readouterr()
    assert ingest_main([str(corpus), "--workers", workers]) == 0
    assert "0 indexed, 2 unchanged" in capsys.readouterr().out
