"""AzureIndexer through the real search and blob SDKs, against FakeAzureSearch and Azurite
(tests/azurite.py).

The search fake evaluates `sourcefile eq '...'` filters on stored documents, so the stale-chunk
step of one file sees only that file's chunks, as with the real service.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import HttpResponseError
from azure.search.documents.aio import SearchClient
from azure.search.documents.indexes.aio import SearchIndexClient
from azure.search.documents.indexes.models import HnswAlgorithmConfiguration, SearchField
from azure.storage.blob.aio import ContainerClient
from fakes.azure_search import FakeAzureSearch
from services.azurite.emulator import BlobStorage

from app.ingest import azure_index
from app.ingest.azure_index import AzureIndexer, ensure_index, hash_key, index_definition
from app.ingest.pipeline import FileResult, Pipeline, chunk_key_prefix

pytest_plugins = ["azurite"]

INDEX = "gptkbindex"
CONTAINER = "content"
SEMANTIC = "my-semantic-config"
DOC_FIELDS = {
    "@search.action",
    "id",
    "content",
    "category",
    "sourcepage",
    "sourcefile",
    "oids",
    "groups",
}

FILES: dict[str, str] = {
    "guide.md": "# Guide\n\nEmployees get twenty days of paid vacation.\n",
    "page.html": (
        "<html><head><title>Perks</title></head><body><h1>Perks</h1>"
        "<p>The gym is open from seven to nine.</p><script>ignored()</script></body></html>"
    ),
    "sub/notes.txt": "Dental coverage starts after ninety days.\n",
}


def _long_text(sentences: int = 300) -> str:
    """About 2,400 tokens of prose: several 500-token chunks."""
    body = " ".join(
        f"Sentence {n} says that policy item {n} applies to team {n % 7}." for n in range(sentences)
    )
    return f"# Handbook\n\n{body}\n"


class _Embedder:
    """Deterministic three-dimensional vectors."""

    model = "fake-embedding"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls.append(list(texts))
        return [[float(len(text)), 0.5, -0.25] for text in texts]


@dataclass
class Services:
    search: FakeAzureSearch
    blobs: BlobStorage

    def container(self) -> ContainerClient:
        return self.blobs.container(CONTAINER)

    @contextlib.asynccontextmanager
    async def indexer(self) -> AsyncIterator[AzureIndexer]:
        """An indexer on clients of its own, closed on leaving (the indexer does not)."""
        credential = AzureKeyCredential("fake-key")
        async with (
            SearchClient(self.search.endpoint, INDEX, credential, retry_total=0) as search,
            self.container() as container,
        ):
            yield AzureIndexer(search_client=search, container=container, index_name=INDEX)

    async def ensure_index(self, *, dimensions: int | None = None) -> None:
        """What the CLI does before ingesting into Azure."""
        credential = AzureKeyCredential("fake-key")
        index = index_definition(INDEX, semantic_configuration=SEMANTIC, dimensions=dimensions)
        async with (
            SearchIndexClient(self.search.endpoint, credential, retry_total=0) as client,
            self.container() as container,
        ):
            await ensure_index(client, index, container)

    def reset(self) -> None:
        self.search.reset()
        self.blobs.proxy.reset()

    def uploads(self) -> list[list[dict[str, Any]]]:
        """The merge-or-upload batches sent to the index, in order."""
        batches = [r.json["value"] for r in self.search.requests_for("index_documents")]
        return [b for b in batches if b[0]["@search.action"] == "mergeOrUpload"]

    def deletes(self) -> list[list[dict[str, Any]]]:
        """The delete batches sent to the index, in order."""
        batches = [r.json["value"] for r in self.search.requests_for("index_documents")]
        return [b for b in batches if b[0]["@search.action"] == "delete"]

    def stored_ids(self, sourcefile: str | None = None) -> list[str]:
        docs = self.search.documents.get(INDEX, {})
        return sorted(k for k, d in docs.items() if sourcefile in (None, d["sourcefile"]))


@pytest_asyncio.fixture
async def services(blob_storage: BlobStorage) -> AsyncIterator[Services]:
    async with FakeAzureSearch() as search:
        yield Services(search, blob_storage)


@pytest_asyncio.fixture
async def indexer(services: Services) -> AsyncIterator[AzureIndexer]:
    """An indexer whose index and container exist; the fakes' request logs start empty."""
    await services.ensure_index()
    async with services.indexer() as azure:
        services.reset()
        yield azure


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _statuses(results: list[FileResult]) -> dict[str, str]:
    return {r.sourcefile: r.status for r in results}


# ---------------------------------------------------------------------- index definition


def _fields(dimensions: int | None) -> dict[str, SearchField]:
    index = index_definition("idx", semantic_configuration=SEMANTIC, dimensions=dimensions)
    return {f.name: f for f in index.fields}


def test_index_definition_without_vectors() -> None:
    index = index_definition("idx", semantic_configuration=SEMANTIC, dimensions=None)
    fields = {f.name: f for f in index.fields}

    assert index.name == "idx"
    assert list(fields) == [
        "id",
        "content",
        "category",
        "sourcepage",
        "sourcefile",
        "oids",
        "groups",
    ]
    assert fields["id"].key is True
    assert [name for name, f in fields.items() if f.key] == ["id"]
    assert fields["content"].searchable is True
    assert fields["content"].analyzer_name == "en.microsoft"
    assert fields["category"].filterable is True
    assert fields["category"].facetable is True
    for name in ("sourcepage", "sourcefile", "oids", "groups"):
        assert fields[name].filterable is True, name
        assert not fields[name].searchable, name
    assert fields["oids"].type == fields["groups"].type == "Collection(Edm.String)"
    assert index.vector_search is None

    assert index.semantic_search is not None
    configurations = index.semantic_search.configurations or []
    assert [c.name for c in configurations] == [SEMANTIC]
    prioritized = configurations[0].prioritized_fields
    assert [f.field_name for f in prioritized.content_fields or []] == ["content"]


def test_index_definition_with_vectors() -> None:
    index = index_definition("idx", semantic_configuration=SEMANTIC, dimensions=1536)
    fields = {f.name: f for f in index.fields}

    embedding = fields["embedding"]
    assert embedding.type == "Collection(Edm.Single)"
    assert embedding.searchable is True
    assert embedding.vector_search_dimensions == 1536
    assert index.vector_search is not None
    profiles = index.vector_search.profiles or []
    algorithms = index.vector_search.algorithms or []
    assert [p.name for p in profiles] == [embedding.vector_search_profile_name]
    assert len(algorithms) == 1
    assert isinstance(algorithms[0], HnswAlgorithmConfiguration)
    assert profiles[0].algorithm_configuration_name == algorithms[0].name
    assert set(fields) - {"embedding"} == set(_fields(None))


async def test_ensure_index_puts_the_definition_and_creates_the_container(
    services: Services,
) -> None:
    await services.ensure_index(dimensions=3)
    await services.ensure_index(dimensions=3)  # idempotent: the container now exists

    puts = services.search.requests_for("create_or_update_index")
    assert len(puts) == 2
    assert puts[0].method == "PUT"
    assert puts[0].path == f"/indexes('{INDEX}')"
    body = puts[0].json
    sent = {f["name"]: f for f in body["fields"]}
    assert list(sent) == [
        "id",
        "content",
        "category",
        "sourcepage",
        "sourcefile",
        "oids",
        "groups",
        "embedding",
    ]
    assert sent["id"]["key"] is True
    assert sent["id"]["type"] == "Edm.String"
    assert sent["content"]["searchable"] is True
    assert sent["content"]["analyzer"] == "en.microsoft"
    assert (sent["category"]["filterable"], sent["category"]["facetable"]) == (True, True)
    assert sent["oids"]["type"] == "Collection(Edm.String)"
    assert sent["groups"]["filterable"] is True
    assert sent["embedding"]["type"] == "Collection(Edm.Single)"
    assert sent["embedding"]["dimensions"] == 3
    assert sent["embedding"]["vectorSearchProfile"] == "embedding-profile"
    assert body["vectorSearch"]["profiles"] == [{"name": "embedding-profile", "algorithm": "hnsw"}]
    assert body["vectorSearch"]["algorithms"][0]["kind"] == "hnsw"
    assert body["semantic"]["configurations"][0]["name"] == SEMANTIC
    assert INDEX in services.search.indexes

    assert [r.operation for r in services.blobs.proxy.requests] == [
        "get_container_properties",
        "create_container",
        "get_container_properties",
    ]
    assert await services.blobs.container_names() == [CONTAINER]


async def test_ensure_index_without_vectors_sends_no_vector_search(services: Services) -> None:
    await services.ensure_index()

    body = services.search.requests_for("create_or_update_index")[0].json
    assert "embedding" not in {f["name"] for f in body["fields"]}
    assert body.get("vectorSearch") is None


# ---------------------------------------------------------------------- ingestion


async def test_pipeline_uploads_chunks_and_blobs(
    services: Services, indexer: AzureIndexer, tmp_path: Path
) -> None:
    _write(tmp_path, FILES)
    results = await Pipeline(indexer=indexer, category="benefits").ingest([tmp_path])

    assert [(r.sourcefile, r.status, r.chunks) for r in results] == [
        ("guide.md", "indexed", 1),
        ("page.html", "indexed", 1),
        ("sub/notes.txt", "indexed", 1),
    ]
    uploads = services.uploads()
    assert len(uploads) == 3
    documents = [doc for batch in uploads for doc in batch]
    assert all(set(doc) == DOC_FIELDS for doc in documents)
    assert all(doc["@search.action"] == "mergeOrUpload" for doc in documents)
    # Files are ingested concurrently, so compare without order.
    assert sorted(doc["id"] for doc in documents) == sorted(
        f"{chunk_key_prefix(name)}-00000" for name in ("guide.md", "page.html", "sub/notes.txt")
    )
    assert chunk_key_prefix("sub/notes.txt").startswith("sub_notes_txt-")
    by_file = {doc["sourcefile"]: doc for doc in documents}
    assert by_file["guide.md"]["content"] == (
        "# Guide\n\nEmployees get twenty days of paid vacation."
    )
    assert "gym is open" in by_file["page.html"]["content"]
    assert "ignored" not in by_file["page.html"]["content"]
    assert by_file["sub/notes.txt"]["sourcepage"] == "sub/notes.txt"
    assert {doc["category"] for doc in documents} == {"benefits"}
    assert services.deletes() == []  # nothing stale on a first run

    # Each file's stale-chunk lookup is filtered to that file and asks only for ids.
    lookups = [r.json for r in services.search.search_requests]
    assert sorted(body["filter"] for body in lookups) == [
        "sourcefile eq 'guide.md'",
        "sourcefile eq 'page.html'",
        "sourcefile eq 'sub/notes.txt'",
    ]
    assert {body["select"] for body in lookups} == {"id"}

    blobs = services.blobs
    assert await blobs.blob_names(CONTAINER) == ["guide.md", "page.html", "sub/notes.txt"]
    for name, text in FILES.items():
        stored = await blobs.blob(CONTAINER, name)
        assert stored.data == text.encode()
        assert stored.metadata == {hash_key(INDEX): _sha256(text)}
    assert (await blobs.blob(CONTAINER, "page.html")).content_type == "text/html"
    # Per file: upload (which clears the metadata), then the hash, last.
    assert [(r.operation, r.blob) for r in blobs.proxy.requests if r.blob == "guide.md"][:3] == [
        ("upload_blob", "guide.md"),
        ("set_blob_metadata", "guide.md"),
    ]
    assert blobs.proxy.requests_for("upload_blob")[0].metadata == {}
    assert await indexer.sourcefiles() == ["guide.md", "page.html", "sub/notes.txt"]


async def test_second_run_skips_unchanged_files(
    services: Services, indexer: AzureIndexer, tmp_path: Path
) -> None:
    _write(tmp_path, FILES)
    pipeline = Pipeline(indexer=indexer)
    await pipeline.ingest([tmp_path])
    ids_before = services.stored_ids()
    services.reset()

    results = await pipeline.ingest([tmp_path])

    assert _statuses(results) == dict.fromkeys(FILES, "skipped")
    assert all(r.reason == "unchanged" for r in results)
    assert services.search.requests == []
    # One listing with metadata answers for every file; no request per file.
    assert [r.operation for r in services.blobs.proxy.requests] == ["list_blobs"]
    assert services.stored_ids() == ids_before


async def test_changed_file_is_reuploaded_alone(
    services: Services, indexer: AzureIndexer, tmp_path: Path
) -> None:
    _write(tmp_path, FILES)
    pipeline = Pipeline(indexer=indexer)
    await pipeline.ingest([tmp_path])
    services.reset()

    changed = "Dental coverage starts after thirty days.\n"
    _write(tmp_path, {"sub/notes.txt": changed})
    results = await pipeline.ingest([tmp_path])

    assert _statuses(results) == {
        "guide.md": "skipped",
        "page.html": "skipped",
        "sub/notes.txt": "indexed",
    }
    uploads = services.uploads()
    assert len(uploads) == 1
    assert [(d["id"], d["sourcefile"]) for d in uploads[0]] == [
        (f"{chunk_key_prefix('sub/notes.txt')}-00000", "sub/notes.txt")
    ]
    assert "thirty days" in uploads[0][0]["content"]
    assert services.deletes() == []  # same chunk id, overwritten in place
    assert [r.blob for r in services.blobs.proxy.requests_for("upload_blob")] == ["sub/notes.txt"]
    assert (await services.blobs.blob(CONTAINER, "sub/notes.txt")).metadata == {
        hash_key(INDEX): _sha256(changed)
    }
    assert len(services.stored_ids()) == 3


async def test_uploads_are_batched(
    services: Services, indexer: AzureIndexer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(azure_index, "UPLOAD_BATCH", 2)
    _write(tmp_path, {"handbook.md": _long_text()})

    [result] = await Pipeline(indexer=indexer).ingest([tmp_path])

    assert result.status == "indexed"
    assert result.chunks > 4
    uploads = services.uploads()
    assert len(uploads) == math.ceil(result.chunks / 2)
    assert [len(batch) for batch in uploads[:-1]] == [2] * (len(uploads) - 1)
    prefix = chunk_key_prefix("handbook.md")
    sent = [doc["id"] for batch in uploads for doc in batch]
    assert sent == [f"{prefix}-{n:05d}" for n in range(result.chunks)]
    assert services.stored_ids("handbook.md") == sent


async def test_shrunk_file_has_its_stale_chunks_deleted(
    services: Services, indexer: AzureIndexer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path, {"handbook.md": _long_text(), "other.md": "Other file, one chunk."})
    pipeline = Pipeline(indexer=indexer)
    first = {r.sourcefile: r for r in await pipeline.ingest([tmp_path])}
    long_count = first["handbook.md"].chunks
    assert long_count > 4
    monkeypatch.setattr(azure_index, "UPLOAD_BATCH", 2)
    services.reset()

    _write(tmp_path, {"handbook.md": "# Handbook\n\nNow it is short."})
    results = await pipeline.ingest([tmp_path])

    assert _statuses(results) == {"handbook.md": "indexed", "other.md": "skipped"}
    prefix = chunk_key_prefix("handbook.md")
    deleted = [doc for batch in services.deletes() for doc in batch]
    assert deleted == [
        {"@search.action": "delete", "id": f"{prefix}-{n:05d}"} for n in range(1, long_count)
    ]
    assert len(services.deletes()) == math.ceil((long_count - 1) / 2)
    assert services.stored_ids("handbook.md") == [f"{prefix}-00000"]
    assert services.stored_ids("other.md") == [f"{chunk_key_prefix('other.md')}-00000"]


async def test_embeddings_are_uploaded(services: Services, tmp_path: Path) -> None:
    await services.ensure_index(dimensions=3)
    embedder = _Embedder()
    async with services.indexer() as azure:
        _write(tmp_path, {"guide.md": FILES["guide.md"]})
        [result] = await Pipeline(indexer=azure, embedder=embedder).ingest([tmp_path])

    assert result.status == "indexed"
    [[document]] = services.uploads()
    assert document["embedding"] == [float(len(document["content"])), 0.5, -0.25]
    assert embedder.calls == [[document["content"]]]


async def test_quote_in_file_name_is_escaped_in_the_filter(
    services: Services, indexer: AzureIndexer, tmp_path: Path
) -> None:
    _write(tmp_path, {"it's.md": "Quoted name.", "its.md": "Plain name."})
    pipeline = Pipeline(indexer=indexer)
    await pipeline.ingest([tmp_path])

    removed = await indexer.remove_file("it's.md")

    assert removed == 1
    assert services.search.search_requests[-1].json["filter"] == "sourcefile eq 'it''s.md'"
    assert services.stored_ids() == [f"{chunk_key_prefix('its.md')}-00000"]
    assert await services.blobs.blob_names(CONTAINER) == ["its.md"]


# ---------------------------------------------------------------------- crash safety


async def test_failed_chunk_upload_leaves_the_file_to_be_redone(
    services: Services, indexer: AzureIndexer, tmp_path: Path
) -> None:
    _write(tmp_path, {"guide.md": FILES["guide.md"]})
    pipeline = Pipeline(indexer=indexer)

    services.search.fail_next(503)
    [failed] = await pipeline.ingest([tmp_path])
    assert failed.status == "failed"
    assert failed.reason is not None
    assert "could not be reached" in failed.reason
    # The file was stored but its hash was not: the next run redoes it.
    assert (await services.blobs.blob(CONTAINER, "guide.md")).metadata == {}
    assert "guide.md" not in await indexer.file_hashes()

    [result] = await pipeline.ingest([tmp_path])
    assert result.status == "indexed"
    assert services.stored_ids() == [f"{chunk_key_prefix('guide.md')}-00000"]
    assert (await indexer.file_hashes())["guide.md"] == _sha256(FILES["guide.md"])


async def test_failed_hash_write_redoes_the_file_without_duplicates(
    services: Services, indexer: AzureIndexer, tmp_path: Path
) -> None:
    _write(tmp_path, {"handbook.md": _long_text()})
    pipeline = Pipeline(indexer=indexer)

    services.blobs.proxy.fail_next(500, operation="set_blob_metadata")
    [failed] = await pipeline.ingest([tmp_path])
    assert failed.status == "failed"
    ids = services.stored_ids()
    assert len(ids) > 4  # the chunks went in
    assert "handbook.md" not in await indexer.file_hashes()

    [result] = await pipeline.ingest([tmp_path])
    assert result.status == "indexed"
    assert services.stored_ids() == ids
    [again] = await pipeline.ingest([tmp_path])
    assert again.status == "skipped"


async def test_partially_failed_upload_is_not_recorded_as_indexed(
    services: Services, indexer: AzureIndexer, tmp_path: Path
) -> None:
    _write(tmp_path, {"guide.md": FILES["guide.md"]})
    services.search.fail_document(f"{chunk_key_prefix('guide.md')}-00000", 400, "bad field")

    try:
        results = await Pipeline(indexer=indexer).ingest([tmp_path])
    except Exception:  # raising is one acceptable outcome, reporting "failed" another
        results = []
    assert all(r.status != "indexed" for r in results)
    assert "guide.md" not in await indexer.file_hashes()


async def test_interrupted_removal_does_not_leave_the_file_looking_indexed(
    services: Services, indexer: AzureIndexer, tmp_path: Path
) -> None:
    _write(tmp_path, {"guide.md": FILES["guide.md"]})
    pipeline = Pipeline(indexer=indexer)
    await pipeline.ingest([tmp_path])

    services.blobs.proxy.fail_next(500, operation="delete_blob")
    with pytest.raises(HttpResponseError):
        await indexer.remove_file("guide.md")
    assert services.stored_ids() == []  # the chunks are gone...

    [result] = await pipeline.ingest([tmp_path])
    assert result.status == "indexed"  # ...so the file must not be skipped


async def test_file_name_with_hash_sign_does_not_abort_the_run(
    services: Services, indexer: AzureIndexer, tmp_path: Path
) -> None:
    _write(tmp_path, {"C#-notes.md": "Sharp notes.", "z.md": "Zed."})

    results = await Pipeline(indexer=indexer).ingest([tmp_path])

    assert _statuses(results)["z.md"] == "indexed"
    assert "C" not in await services.blobs.blob_names(CONTAINER)


# ---------------------------------------------------------------------- removal


async def test_remove_file_deletes_its_chunks_and_blob(
    services: Services, indexer: AzureIndexer, tmp_path: Path
) -> None:
    _write(tmp_path, {"handbook.md": _long_text(), **FILES})
    results = {r.sourcefile: r for r in await Pipeline(indexer=indexer).ingest([tmp_path])}
    count = results["handbook.md"].chunks
    services.reset()

    removed = await indexer.remove_file("handbook.md")

    assert removed == count
    prefix = chunk_key_prefix("handbook.md")
    [batch] = services.deletes()
    assert batch == [{"@search.action": "delete", "id": f"{prefix}-{n:05d}"} for n in range(count)]
    assert services.search.last_search["filter"] == "sourcefile eq 'handbook.md'"
    assert services.stored_ids("handbook.md") == []
    assert len(services.stored_ids()) == len(FILES)
    operations = [(r.operation, r.blob) for r in services.blobs.proxy.requests]
    assert operations[-1] == ("delete_blob", "handbook.md")
    assert "upload_blob" not in {op for op, _ in operations}
    assert await indexer.sourcefiles() == sorted(FILES)


async def test_remove_unknown_file_is_silent(services: Services, indexer: AzureIndexer) -> None:
    assert await indexer.remove_file("never-indexed.pdf") == 0

    assert services.deletes() == []
    assert services.blobs.proxy.requests[-1].operation == "delete_blob"
    assert await services.blobs.blob_names(CONTAINER) == []


async def test_a_new_index_over_the_same_container_indexes_everything(
    services: Services, indexer: AzureIndexer, tmp_path: Path
) -> None:
    _write(tmp_path, FILES)
    await Pipeline(indexer=indexer).ingest([tmp_path])
    other = AzureIndexer(
        search_client=indexer._search, container=indexer._container, index_name="gptkbindex-v2"
    )
    results = await Pipeline(indexer=other).ingest([tmp_path])
    assert {r.status for r in results} == {"indexed"}
    assert hash_key("gptkbindex-v2") == "sha256_gptkbindex_v2"
