"""The embedded SQLite index: BM25 text, cosine vectors, RRF hybrid, filters, minimum scores."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.search import SearchOptions
from app.search.local import Chunk, LocalIndex


def chunk(
    n: int, text: str, vector: list[float] | None = None, category: str | None = None
) -> Chunk:
    return Chunk(
        id=f"doc-{n}",
        content=text,
        sourcepage=f"doc.pdf#page={n}",
        sourcefile="doc.pdf",
        category=category,
        embedding=vector,
    )


@pytest.fixture
async def index(tmp_path: Path) -> LocalIndex:
    index = await LocalIndex.open(tmp_path / "index.sqlite3")
    await index.replace_file(
        "doc.pdf",
        "hash-1",
        [
            chunk(
                1, "The Plus plan has a deductible of 1000 dollars.", [1.0, 0.0, 0.0], "benefits"
            ),
            chunk(2, "Parental leave lasts fourteen weeks.", [0.0, 1.0, 0.0], "leave"),
            chunk(3, "Hotels in big cities cost up to 300 dollars.", [0.0, 0.0, 1.0], "travel"),
            chunk(4, "Deductible amounts reset every January.", [0.7, 0.7, 0.0]),
        ],
    )
    return index


async def test_text_search_ranks_by_bm25(index: LocalIndex) -> None:
    hits = await index.search(SearchOptions(query="what is the deductible?", top=5), user=None)
    assert [h.id for h in hits][:2] in (["doc-1", "doc-4"], ["doc-4", "doc-1"])
    assert all(h.score and h.score > 0 for h in hits)
    await index.close()


async def test_query_syntax_is_not_interpreted(index: LocalIndex) -> None:
    hits = await index.search(
        SearchOptions(query='deductible" OR content:* NEAR(', top=5), user=None
    )
    assert {h.id for h in hits} == {"doc-1", "doc-4"}
    assert await index.search(SearchOptions(query="the of and", top=5), user=None) == []
    await index.close()


async def test_vector_search_uses_cosine_similarity(index: LocalIndex) -> None:
    hits = await index.search(
        SearchOptions(query="", mode="vectors", vector=[0.1, 0.9, 0.0], top=2),
        user=None,
    )
    assert [h.id for h in hits] == ["doc-2", "doc-4"]
    await index.close()


async def test_hybrid_fuses_both_rankings(index: LocalIndex) -> None:
    hits = await index.search(
        SearchOptions(query="hotels", mode="hybrid", vector=[0.0, 0.0, 1.0], top=3),
        user=None,
    )
    assert hits[0].id == "doc-3"
    assert hits[0].score == pytest.approx(2 / 61)
    await index.close()


async def test_category_filters(index: LocalIndex) -> None:
    only = await index.search(
        SearchOptions(query="deductible", include_category="benefits"), user=None
    )
    assert [h.id for h in only] == ["doc-1"]
    without = await index.search(
        SearchOptions(query="deductible", exclude_category="benefits"), user=None
    )
    assert [h.id for h in without] == ["doc-4"]  # uncategorised chunks are not excluded
    tricky = await index.search(
        SearchOptions(query="deductible", include_category="x' OR 1=1 --"), user=None
    )
    assert tricky == []
    await index.close()


async def test_minimum_score_and_top(index: LocalIndex) -> None:
    assert len(await index.search(SearchOptions(query="deductible dollars", top=1), user=None)) == 1
    assert (
        await index.search(SearchOptions(query="deductible", minimum_search_score=1e9), user=None)
        == []
    )
    await index.close()


async def test_replacing_a_file_swaps_its_chunks_and_vectors(index: LocalIndex) -> None:
    before = await index.search(
        SearchOptions(query="", mode="vectors", vector=[0.0, 1.0, 0.0], top=1),
        user=None,
    )
    assert before[0].id == "doc-2"
    await index.replace_file(
        "doc.pdf", "hash-2", [chunk(9, "Sabbaticals last four weeks.", [0.0, 1.0, 0.0])]
    )
    assert (await index.file_hashes())["doc.pdf"] == "hash-2"
    after = await index.search(
        SearchOptions(query="", mode="vectors", vector=[0.0, 1.0, 0.0], top=5),
        user=None,
    )
    assert [h.id for h in after] == ["doc-9"]
    assert await index.search(SearchOptions(query="deductible"), user=None) == []
    assert await index.remove_file("doc.pdf") == 1
    assert await index.sourcefiles() == []
    await index.close()


async def test_vectors_written_by_another_connection_are_seen(tmp_path: Path) -> None:
    reader = await LocalIndex.open(tmp_path / "i.sqlite3")
    assert (
        await reader.search(SearchOptions(query="", mode="vectors", vector=[1.0, 0.0]), user=None)
        == []
    )
    writer = await LocalIndex.open(tmp_path / "i.sqlite3")
    await writer.replace_file("doc.pdf", "h", [chunk(1, "text", [1.0, 0.0])])
    hits = await reader.search(
        SearchOptions(query="", mode="vectors", vector=[1.0, 0.0]), user=None
    )
    assert [h.id for h in hits] == ["doc-1"]
    await writer.close()
    await reader.close()


async def test_best_matches_hidden_by_filters_do_not_hide_the_rest(tmp_path: Path) -> None:
    """Text search ranks a few candidates before it checks access and categories; when the
    filters remove them all, the readable matches further down still come back, in order."""
    from app.auth import User
    from app.search.access import AccessList

    index = await LocalIndex.open(tmp_path / "index.sqlite3")
    owner = AccessList(oids=("someone-else",))
    private = [
        Chunk(
            id=f"private-{n}",
            content="deductible deductible deductible",
            sourcepage=f"private.pdf#page={n}",
            sourcefile="private.pdf",
            access=owner,
        )
        for n in range(40)
    ]
    await index.replace_file("private.pdf", "h1", private)
    await index.replace_file(
        "public.pdf",
        "h2",
        [
            chunk(1, "The deductible is 500 dollars, and many other words follow here."),
            chunk(2, "A deductible, described at length among very many other words here."),
        ],
    )
    for user in (None, User(oid="reader", groups=())):
        hits = await index.search(SearchOptions(query="deductible", top=2), user=user)
        assert [h.id for h in hits] == ["doc-1", "doc-2"]
    owner_hits = await index.search(
        SearchOptions(query="deductible", top=3), user=User(oid="someone-else", groups=())
    )
    assert all(h.id.startswith("private-") for h in owner_hits)
    other = await index.search(
        SearchOptions(query="deductible", top=2, exclude_category="none"), user=None
    )
    assert [h.id for h in other] == ["doc-1", "doc-2"]
    await index.close()


async def test_text_search_gives_the_same_hits_on_the_loop_and_on_the_thread(
    index: LocalIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Small indexes are searched on the event loop, big ones on the index's thread."""
    import app.search.local as local

    options = SearchOptions(query="deductible dollars", top=5)
    inline = await index.search(options, user=None)
    monkeypatch.setattr(local, "INLINE_MAX_CHUNKS", 0)
    threaded = await index.search(options, user=None)
    assert inline == threaded
    assert [h.id for h in inline][:1] in (["doc-1"], ["doc-4"])
    await index.close()
