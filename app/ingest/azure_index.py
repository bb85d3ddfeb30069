"""Ingestion into Azure AI Search, with the source files in Blob Storage.

Crash safety: the file is uploaded, then its chunks (deterministic ids, merge-or-upload),
then stale chunks of an older version are deleted, and only then is the content hash written
to the blob's metadata. A run cut off anywhere before that redoes the file next time, without
duplicates.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from typing import Any

from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.search.documents.aio import SearchClient
from azure.search.documents.indexes.aio import SearchIndexClient
from azure.search.documents.indexes.models import (
    HnswAlgorithmConfiguration,
    SearchableField,
    SearchField,
    SearchIndex,
    SemanticConfiguration,
    SemanticField,
    SemanticPrioritizedFields,
    SemanticSearch,
    SimpleField,
    VectorSearch,
    VectorSearchProfile,
)
from azure.search.documents.models import IndexingResult
from azure.storage.blob.aio import ContainerClient

from app.content.blob import BlobContentStore
from app.search.base import Chunk
from app.search.odata import quote

UPLOAD_BATCH = 500
_ID_PAGE = 1000
_STRING = "Edm.String"
_STRINGS = "Collection(Edm.String)"


def hash_key(index_name: str) -> str:
    """The blob metadata key that records a file's hash as indexed into `index_name`.

    Per index, so that a new index (another embedding model, say) over the same container
    indexes every file instead of finding them all "unchanged".
    """
    return "sha256_" + re.sub(r"[^A-Za-z0-9]", "_", index_name)


def index_definition(
    name: str, *, semantic_configuration: str, dimensions: int | None
) -> SearchIndex:
    """The index: text, optional HNSW vectors, filters, access-control fields, semantic config."""
    fields: list[SearchField] = [
        SimpleField(name="id", type=_STRING, key=True, filterable=True),
        SearchableField(name="content", type=_STRING, analyzer_name="en.microsoft"),
        SimpleField(name="category", type=_STRING, filterable=True, facetable=True),
        SimpleField(name="sourcepage", type=_STRING, filterable=True),
        SimpleField(name="sourcefile", type=_STRING, filterable=True),
        SimpleField(
            name="oids",
            type=_STRINGS,
            filterable=True,
        ),
        SimpleField(
            name="groups",
            type=_STRINGS,
            filterable=True,
        ),
    ]
    vector_search = None
    if dimensions:
        fields.append(
            SearchField(
                name="embedding",
                type="Collection(Edm.Single)",
                searchable=True,
                vector_search_dimensions=dimensions,
                vector_search_profile_name="embedding-profile",
            )
        )
        vector_search = VectorSearch(
            algorithms=[HnswAlgorithmConfiguration(name="hnsw")],
            profiles=[
                VectorSearchProfile(name="embedding-profile", algorithm_configuration_name="hnsw")
            ],
        )
    semantic = SemanticSearch(
        configurations=[
            SemanticConfiguration(
                name=semantic_configuration,
                prioritized_fields=SemanticPrioritizedFields(
                    content_fields=[SemanticField(field_name="content")]
                ),
            )
        ]
    )
    return SearchIndex(
        name=name, fields=fields, vector_search=vector_search, semantic_search=semantic
    )


async def ensure_index(
    index_client: SearchIndexClient, index: SearchIndex, container: ContainerClient
) -> None:
    """Create or update the index, and the container if it is missing (ingestion only: the
    server's identity may write documents but not change the index)."""
    await index_client.create_or_update_index(index)
    if not await container.exists():
        await container.create_container()


class AzureIndexer:
    """Chunks into an Azure AI Search index, files into a blob container."""

    def __init__(
        self, *, search_client: SearchClient, container: ContainerClient, index_name: str
    ) -> None:
        self._search = search_client
        self._container = container
        self._content = BlobContentStore(container=container)
        self._hash_key = hash_key(index_name)

    async def file_hashes(self) -> dict[str, str]:
        """Hashes from the blobs' metadata, in one listing instead of a request per file."""
        hashes = {}
        async for blob in self._container.list_blobs(include=["metadata"]):
            value = (blob.metadata or {}).get(self._hash_key)
            if value:
                hashes[blob.name] = str(value)
        return hashes

    async def index_file(
        self, sourcefile: str, sha256: str, data: bytes, chunks: Sequence[Chunk]
    ) -> None:
        """Upload the file and its chunks, drop stale chunks, then record the hash."""
        await self._content.save(sourcefile, data)
        documents = [_document(chunk) for chunk in chunks]
        for start in range(0, len(documents), UPLOAD_BATCH):
            batch = documents[start : start + UPLOAD_BATCH]
            _raise_for_failures(await self._search.merge_or_upload_documents(batch))
        fresh = {chunk.id for chunk in chunks}
        stale = [key for key in await self._chunk_ids(sourcefile) if key not in fresh]
        await self._delete(stale)
        await self._container.get_blob_client(sourcefile).set_blob_metadata(
            {self._hash_key: sha256}
        )

    async def remove_file(self, sourcefile: str) -> int:
        """Forget the file's hash, then delete its chunks and its blob.

        The hash goes first, so a removal cut off midway leaves a file that the next
        ingestion redoes, never one that looks indexed without its chunks.
        """
        with contextlib.suppress(ResourceNotFoundError):
            await self._container.get_blob_client(sourcefile).set_blob_metadata({})
        keys = await self._chunk_ids(sourcefile)
        await self._delete(keys)
        await self._content.delete(sourcefile)
        return len(keys)

    async def sourcefiles(self, prefix: str = "") -> list[str]:
        """Every stored source file (whose name starts with `prefix`)."""
        names = self._container.list_blob_names(name_starts_with=prefix or None)
        return sorted([name async for name in names])

    async def _chunk_ids(self, sourcefile: str) -> list[str]:
        # Without `top` the service returns 50 results; page explicitly through them all.
        keys: list[str] = []
        while True:
            results = await self._search.search(
                search_text="*",
                filter=f"sourcefile eq {quote(sourcefile)}",
                select=["id"],
                top=_ID_PAGE,
                skip=len(keys),
            )
            page = [str(document["id"]) async for document in results]
            keys += page
            if len(page) < _ID_PAGE:
                return keys

    async def _delete(self, keys: list[str]) -> None:
        for start in range(0, len(keys), UPLOAD_BATCH):
            batch = [{"id": key} for key in keys[start : start + UPLOAD_BATCH]]
            _raise_for_failures(await self._search.delete_documents(batch))


def _raise_for_failures(results: list[IndexingResult]) -> None:
    """The SDK reports per-document failures (HTTP 207) in its results instead of raising."""
    failed = [result for result in results if not result.succeeded]
    if failed:
        first = failed[0]
        raise HttpResponseError(
            f"{len(failed)} of {len(results)} documents failed, e.g. {first.key}: "
            f"{first.status_code} {first.error_message}"
        )


def _document(chunk: Chunk) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": chunk.id,
        "content": chunk.content,
        "category": chunk.category,
        "sourcepage": chunk.sourcepage,
        "sourcefile": chunk.sourcefile,
        # Always sent, empty too: a merge must not keep the lists of an older version.
        "oids": list(chunk.access.oids),
        "groups": list(chunk.access.groups),
    }
    if chunk.embedding is not None:
        document["embedding"] = list(chunk.embedding)
    return document
