"""BlobContentStore through the real azure-storage-blob SDK against Azurite (tests/azurite.py)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from azure.storage.blob import BlobType
from services.azurite.emulator import ACCOUNT_NAME, BlobStorage

from app.content.blob import BlobContentStore
from app.errors import NotFoundError, UpstreamError, UpstreamUnavailableError, to_app_error

pytest_plugins = ["azurite"]

CONTAINER = "content"


@pytest.fixture
async def blobs(blob_storage: BlobStorage) -> BlobStorage:
    """The account with the container the store reads, as infra/ makes it."""
    await blob_storage.create_container(CONTAINER)
    return blob_storage


@contextlib.asynccontextmanager
async def _store(blobs: BlobStorage, **kwargs: Any) -> AsyncIterator[BlobContentStore]:
    """A store on a container client of its own, closed on leaving (the store does not)."""
    async with blobs.container(CONTAINER, **kwargs) as container:
        yield BlobContentStore(container=container)


@pytest.fixture
async def store(blobs: BlobStorage) -> AsyncIterator[BlobContentStore]:
    async with _store(blobs) as content:
        yield content


async def _read(chunks: AsyncIterator[bytes]) -> list[bytes]:
    return [chunk async for chunk in chunks]


async def test_save_then_open_streams_the_same_bytes_in_chunks(blobs: BlobStorage) -> None:
    data = bytes(range(256)) * 20  # 5120 bytes
    # Small get sizes make the SDK fetch the blob in several ranged GETs.
    async with _store(blobs, max_single_get_size=1024, max_chunk_get_size=1024) as store:
        await store.save("reports/Q1 report.pdf", data)
        opened = await store.open("reports/Q1 report.pdf")
        chunks = await _read(opened.chunks)

    assert opened.name == "reports/Q1 report.pdf"
    assert opened.content_type == "application/pdf"
    assert opened.size == len(data)
    assert chunks == [data[n * 1024 : (n + 1) * 1024] for n in range(5)]

    # Azurite checks the shared-key signature: that it stored the blob shows the SDK signed.
    stored = await blobs.blob(CONTAINER, "reports/Q1 report.pdf")
    assert stored.data == data
    assert stored.content_type == "application/pdf"
    assert stored.blob_type == BlobType.BLOCKBLOB
    [upload] = blobs.proxy.requests_for("upload_blob")
    assert (upload.container, upload.blob) == (CONTAINER, "reports/Q1 report.pdf")
    assert upload.headers["authorization"].startswith(f"SharedKey {ACCOUNT_NAME}:")
    ranges = [r.headers["x-ms-range"] for r in blobs.proxy.requests_for("download_blob")]
    assert ranges == [f"bytes={n * 1024}-{n * 1024 + 1023}" for n in range(5)]


async def test_open_small_file_in_one_request(blobs: BlobStorage, store: BlobContentStore) -> None:
    await store.save("notes.md", b"# Notes\n\nHello.")
    opened = await store.open("notes.md#page=2")  # a citation fragment is ignored

    assert opened.name == "notes.md"
    assert opened.content_type == "text/markdown; charset=utf-8"
    assert opened.size == 15
    assert await _read(opened.chunks) == [b"# Notes\n\nHello."]
    assert len(blobs.proxy.requests_for("download_blob")) == 1


async def test_save_overwrites(blobs: BlobStorage, store: BlobContentStore) -> None:
    await store.save("a.txt", b"old")
    # Without overwrite=True the SDK would send If-None-Match: * and Azurite answer 409.
    await store.save("a.txt", b"new and longer")

    opened = await store.open("a.txt")
    assert b"".join(await _read(opened.chunks)) == b"new and longer"
    assert opened.content_type == "text/plain; charset=utf-8"
    assert await blobs.blob_names(CONTAINER) == ["a.txt"]
    assert all("if-none-match" not in r.headers for r in blobs.proxy.requests_for("upload_blob"))


async def test_open_empty_file(blobs: BlobStorage, store: BlobContentStore) -> None:
    await store.save("empty.txt", b"")
    opened = await store.open("empty.txt")

    assert opened.size == 0
    assert b"".join(await _read(opened.chunks)) == b""
    # The ranged GET of an empty blob is refused (416); the SDK then GETs without a range.
    downloads = blobs.proxy.requests_for("download_blob")
    assert ["x-ms-range" in r.headers for r in downloads] == [True, False]


async def test_open_uses_stored_content_type(blobs: BlobStorage, store: BlobContentStore) -> None:
    await store.save("page.html", b"<p>hi</p>")
    await blobs.set_content_type(CONTAINER, "page.html", "text/html; charset=utf-8")

    opened = await store.open("page.html")
    assert opened.content_type == "text/html; charset=utf-8"
    await _read(opened.chunks)


async def test_open_missing_blob_is_not_found(blobs: BlobStorage, store: BlobContentStore) -> None:
    with pytest.raises(NotFoundError):
        await store.open("missing.pdf")
    assert [r.operation for r in blobs.proxy.requests] == ["download_blob"]


@pytest.mark.parametrize(
    "name",
    ["../x", "/etc/passwd", "a/../../b", "", "   ", "./a.txt", "a//b.txt", "a\\..\\b", "#page=1"],
)
async def test_unsafe_names_are_refused_before_any_request(
    blobs: BlobStorage, store: BlobContentStore, name: str
) -> None:
    with pytest.raises(NotFoundError):
        await store.open(name)
    with pytest.raises(NotFoundError):
        await store.save(name, b"data")
    with pytest.raises(NotFoundError):
        await store.delete(name)
    assert blobs.proxy.requests == []
    assert await blobs.blob_names(CONTAINER) == []


async def test_delete(blobs: BlobStorage, store: BlobContentStore) -> None:
    await store.save("a.txt", b"a")
    await store.save("b.txt", b"b")

    await store.delete("a.txt")
    assert await blobs.blob_names(CONTAINER) == ["b.txt"]
    with pytest.raises(NotFoundError):
        await store.open("a.txt")


async def test_delete_of_missing_blob_is_silent(
    blobs: BlobStorage, store: BlobContentStore
) -> None:
    await store.delete("never-stored.pdf")

    [delete] = blobs.proxy.requests_for("delete_blob")
    assert (delete.container, delete.blob) == (CONTAINER, "never-stored.pdf")


@pytest.mark.parametrize(
    ("status", "mapped"), [(500, UpstreamError), (503, UpstreamUnavailableError)]
)
async def test_storage_errors_surface_as_http_response_errors(
    blobs: BlobStorage, store: BlobContentStore, status: int, mapped: type[UpstreamError]
) -> None:
    await store.save("a.txt", b"a")

    blobs.proxy.fail_next(status)
    with pytest.raises(HttpResponseError) as opened:
        await store.open("a.txt")
    assert opened.value.status_code == status
    assert not isinstance(opened.value, NotFoundError)
    assert type(to_app_error(opened.value)) is mapped

    blobs.proxy.fail_next(status)
    with pytest.raises(HttpResponseError) as saved:
        await store.save("b.txt", b"b")
    assert saved.value.status_code == status

    blobs.proxy.fail_next(status)
    with pytest.raises(HttpResponseError) as deleted:
        await store.delete("a.txt")
    assert deleted.value.status_code == status

    # retry_total=0: one request per failure, and the store still works afterwards.
    assert blobs.proxy.pending_faults == 0
    assert len(blobs.proxy.requests) == 4
    assert await blobs.blob_names(CONTAINER) == ["a.txt"]


async def test_missing_container_is_not_found_on_open(blobs: BlobStorage) -> None:
    async with _store(blobs) as store:
        await blobs.delete_container(CONTAINER)
        with pytest.raises(NotFoundError):
            await store.open("a.txt")
        await store.delete("a.txt")  # ContainerNotFound is a ResourceNotFoundError too
    assert [r.operation for r in blobs.proxy.requests] == ["download_blob", "delete_blob"]
