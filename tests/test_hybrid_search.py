"""Hybrid search of the local index with the local model's vectors: a paraphrase with no word
in common with its chunk is found, the retrieval mode is respected, access lists and
categories filter vectors too, and vectors are stored as float16 (older float32 indexes are
converted when opened)."""

from __future__ import annotations

import sqlite3
from array import array
from pathlib import Path

import numpy as np
import pytest

from app.auth import User
from app.models.local_embed import LocalEmbedder
from app.models.local_embed.embedder import load_local_embedder
from app.search import SearchOptions
from app.search.access import AccessList
from app.search.base import Chunk
from app.search.local import LocalIndex
from app.text import keywords

CACHE = Path.home() / ".cache" / "ragchat" / "models"
TEXTS = {
    "leave": "Employees receive sixteen weeks of paid parental leave after a birth or adoption.",
    "laptop": "Laptops must use full-disk encryption and lock the screen after five minutes.",
    "hotel": "Hotel rooms are reimbursed up to 250 dollars per night in large cities.",
    "dental": "The dental plan covers two cleanings per year at no cost to employees.",
    "stipend": "Remote staff receive a monthly stipend of 50 dollars for internet access.",
}
# Shares no keyword with any chunk (checked below): text search alone cannot find it.
PARAPHRASE = "How long may a mother or father stay home with a newborn?"


@pytest.fixture(scope="module")
def embedder() -> LocalEmbedder:
    return load_local_embedder(CACHE)


@pytest.fixture
async def index(tmp_path: Path, embedder: LocalEmbedder) -> LocalIndex:
    index = await LocalIndex.open(tmp_path / "index.sqlite3")
    vectors = embedder.encode(list(TEXTS.values()))
    chunks = [
        Chunk(
            id=name,
            content=text,
            sourcepage=f"{name}.md",
            sourcefile=f"{name}.md",
            category="secret" if name == "stipend" else None,
            embedding=vector.tolist(),
            access=AccessList(oids=("alice",)) if name == "leave" else AccessList(),
        )
        for (name, text), vector in zip(TEXTS.items(), vectors, strict=True)
    ]
    await index.replace_file("all.md", "hash", chunks)
    return index


async def test_a_paraphrase_with_no_shared_word_ranks_its_chunk_first(
    index: LocalIndex, embedder: LocalEmbedder
) -> None:
    assert not set(keywords(PARAPHRASE)) & {w for t in TEXTS.values() for w in keywords(t)}
    vector = embedder.encode([PARAPHRASE])[0].tolist()
    alice = User(oid="alice")
    for mode in ("hybrid", "vectors"):
        options = SearchOptions(query=PARAPHRASE, mode=mode, vector=vector, top=3)
        hits = await index.search(options, user=alice)
        assert hits[0].id == "leave", mode
    text = SearchOptions(query=PARAPHRASE, mode="text", vector=vector, top=3)
    assert await index.search(text, user=alice) == []
    await index.close()


async def test_hybrid_fuses_both_rankings(index: LocalIndex, embedder: LocalEmbedder) -> None:
    query = "What is reimbursed for hotel rooms?"
    vector = embedder.encode([query])[0].tolist()
    hits = await index.search(
        SearchOptions(query=query, mode="hybrid", vector=vector, top=5), user=None
    )
    assert hits[0].id == "hotel"
    # RRF scores: first in both lists is 2 / (60 + 1).
    assert hits[0].score == pytest.approx(2 / 61)
    await index.close()


async def test_vectors_respect_access_lists_and_categories(
    index: LocalIndex, embedder: LocalEmbedder
) -> None:
    vector = embedder.encode([PARAPHRASE])[0].tolist()
    for mode in ("vectors", "hybrid"):
        options = SearchOptions(query=PARAPHRASE, mode=mode, vector=vector, top=5)
        anonymous = await index.search(options, user=None)
        assert "leave" not in {h.id for h in anonymous}
        bob = await index.search(options, user=User(oid="bob", groups=("staff",)))
        assert "leave" not in {h.id for h in bob}
        excluded = SearchOptions(
            query=PARAPHRASE, mode=mode, vector=vector, top=5, exclude_category="secret"
        )
        assert "stipend" not in {h.id for h in await index.search(excluded, user=None)}
    await index.close()


async def test_vectors_are_stored_as_float16(index: LocalIndex, tmp_path: Path) -> None:
    await index.close()
    db = sqlite3.connect(tmp_path / "index.sqlite3")
    [(blob,)] = db.execute("SELECT embedding FROM chunks WHERE id = 'hotel'").fetchall()
    assert len(blob) == 384 * 2
    assert np.linalg.norm(np.frombuffer(blob, dtype=np.float16).astype(np.float32)) == (
        pytest.approx(1.0, abs=1e-3)
    )


async def test_an_older_float32_index_is_converted_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite3"
    index = await LocalIndex.open(path)
    chunk = Chunk(id="a", content="alpha", sourcepage="a.md", sourcefile="a.md")
    await index.replace_file("a.md", "h", [chunk])
    await index.close()
    db = sqlite3.connect(path)  # as the index was before float16: float32 blobs, version 0
    db.execute("UPDATE chunks SET embedding = ?", (array("f", [3.0, 4.0, 0.0]).tobytes(),))
    db.execute("PRAGMA user_version = 0")
    db.commit()
    db.close()
    index = await LocalIndex.open(path)
    options = SearchOptions(query="x", mode="vectors", vector=[0.6, 0.8, 0.0], top=1)
    [hit] = await index.search(options, user=None)
    assert hit.id == "a"
    assert hit.score == pytest.approx(1.0, abs=1e-3)
    await index.close()


async def test_a_query_vector_of_other_dimensions_finds_nothing_instead_of_failing(
    index: LocalIndex,
) -> None:
    options = SearchOptions(query="hotel rooms", mode="hybrid", vector=[1.0, 0.0], top=3)
    hits = await index.search(options, user=None)
    assert [h.id for h in hits] == ["hotel"]  # the text side alone
    await index.close()
