"""BlobContentStore through the real azure-storage-blob SDK against FakeBlobStorage."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from azure.core.exceptions import HttpResponseError
from azure.storage.blob.aio import ContainerClient
from fakes.azure_blob import FakeBlobStorage

from app.content.blob import BlobContentStore
from app.errors import NotFoundError, UpstreamError, UpstreamUnavailableError, to_app_error

CONTAINER = "content"


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeBlobStorage]:
    async with FakeBlobStorage(containers=[CONTAINER]) as server:
        yield server


def _container(fake: FakeBlobStorage, **kwargs: Any) -> ContainerClient:
    kwargs.setdefault("retry_total", 0)
    return ContainerClient(
        account_url=fake.account_url,
        container_name=CONTAINER,
        credential=fake.credential,
        **kwargs,
    )


@pytest_asyncio.fixture
async def store(fake: FakeBlobStorage) -> AsyncIterator[BlobContentStore]:
    content = BlobContentStore(container=_container(fake))
    yield content
    await content.close()


async def _read(chunks: AsyncIterator[bytes]) -> list[bytes]:
    return [chunk async for chunk in chunks]


async def test_save_then_open_streams_the_same_bytes_in_chunks(fake: FakeBlobStorage) -> None:
    data = bytes(range(256)) * 20  # 5120 bytes
    # Small get sizes make the SDK fetch the blob in several ranged GETs.
    store = BlobContentStore(
        container=_container(fake, max_single_get_size=1024, max_chunk_get_size=1024)
    )
    try:
        await store.save("reports/Q1 report.pdf", data)
        opened = await store.open("reports/Q1 report.pdf")
        chunks = await _read(opened.chunks)
    finally:
        await store.close()

    assert opened.name == "reports/Q1 report.pdf"
    assert opened.content_type == "application/pdf"
    assert opened.size == len(data)
    assert len(chunks) == 5
    assert b"".join(chunks) == data

    stored = fake.blob(CONTAINER, "reports/Q1 report.pdf")
    assert stored.data == data
    assert stored.content_type == "application/pdf"
    upload = fake.requests_for("upload_blob")[0]
    assert upload.method == "PUT"
    assert upload.path == f"/{fake.account_name}/{CONTAINER}/reports/Q1 report.pdf"
    assert upload.headers["x-ms-blob-type"] == "BlockBlob"
    assert upload.headers["x-ms-blob-content-type"] == "application/pdf"
    assert upload.headers["authorization"].startswith(f"SharedKey {fake.account_name}:")
    ranges = [r.headers["x-ms-range"] for r in fake.requests_for("download_blob")]
    assert ranges == [f"bytes={n * 1024}-{n * 1024 + 1023}" for n in range(5)]


async def test_open_small_file_in_one_request(
    fake: FakeBlobStorage, store: BlobContentStore
) -> None:
    await store.save("notes.md", b"# Notes\n\nHello.")
    opened = await store.open("notes.md#page=2")  # a citation fragment is ignored

    assert opened.name == "notes.md"
    assert opened.content_type == "text/markdown; charset=utf-8"
    assert opened.size == 15
    assert await _read(opened.chunks) == [b"# Notes\n\nHello."]
    assert len(fake.requests_for("download_blob")) == 1


async def test_save_overwrites(fake: FakeBlobStorage, store: BlobContentStore) -> None:
    await store.save("a.txt", b"old")
    await store.save("a.txt", b"new and longer")

    opened = await store.open("a.txt")
    assert b"".join(await _read(opened.chunks)) == b"new and longer"
    assert opened.content_type == "text/plain; charset=utf-8"
    assert fake.blob_names(CONTAINER) == ["a.txt"]
    # overwrite=True: no If-None-Match precondition is sent.
    assert all("if-none-match" not in r.headers for r in fake.requests_for("upload_blob"))


async def test_open_empty_file(fake: FakeBlobStorage, store: BlobContentStore) -> None:
    await store.save("empty.txt", b"")
    opened = await store.open("empty.txt")

    assert opened.size == 0
    assert b"".join(await _read(opened.chunks)) == b""
    # The ranged GET of an empty blob is refused (416); the SDK then GETs without a range.
    downloads = fake.requests_for("download_blob")
    assert ["x-ms-range" in r.headers for r in downloads] == [True, False]


async def test_open_uses_stored_content_type(
    fake: FakeBlobStorage, store: BlobContentStore
) -> None:
    await store.save("page.html", b"<p>hi</p>")
    fake.blob(CONTAINER, "page.html").content_type = "text/html; charset=utf-8"

    opened = await store.open("page.html")
    assert opened.content_type == "text/html; charset=utf-8"
    await _read(opened.chunks)


async def test_open_missing_blob_is_not_found(
    fake: FakeBlobStorage, store: BlobContentStore
) -> None:
    with pytest.raises(NotFoundError):
        await store.open("missing.pdf")
    assert [r.operation for r in fake.requests] == ["download_blob"]


@pytest.mark.parametrize(
    "name",
    ["../x", "/etc/passwd", "a/../../b", "", "   ", "./a.txt", "a//b.txt", "a\\..\\b", "#page=1"],
)
async def test_unsafe_names_are_refused_before_any_request(
    fake: FakeBlobStorage, store: BlobContentStore, name: str
) -> None:
    with pytest.raises(NotFoundError):
        await store.open(name)
    with pytest.raises(NotFoundError):
        await store.save(name, b"data")
    with pytest.raises(NotFoundError):
        await store.delete(name)
    assert fake.requests == []
    assert fake.blob_names(CONTAINER) == []


async def test_delete(fake: FakeBlobStorage, store: BlobContentStore) -> None:
    await store.save("a.txt", b"a")
    await store.save("b.txt", b"b")

    await store.delete("a.txt")
    assert fake.blob_names(CONTAINER) == ["b.txt"]
    with pytest.raises(NotFoundError):
        await store.open("a.txt")


async def test_delete_of_missing_blob_is_silent(
    fake: FakeBlobStorage, store: BlobContentStore
) -> None:
    await store.delete("never-stored.pdf")

    deletes = fake.requests_for("delete_blob")
    assert len(deletes) == 1
    assert deletes[0].path == f"/{fake.account_name}/{CONTAINER}/never-stored.pdf"


@pytest.mark.parametrize(
    ("status", "mapped"), [(500, UpstreamError), (503, UpstreamUnavailableError)]
)
async def test_storage_errors_surface_as_http_response_errors(
    fake: FakeBlobStorage, store: BlobContentStore, status: int, mapped: type[UpstreamError]
) -> None:
    await store.save("a.txt", b"a")

    fake.fail_next(status)
    with pytest.raises(HttpResponseError) as opened:
        await store.open("a.txt")
    assert opened.value.status_code == status
    assert not isinstance(opened.value, NotFoundError)
    assert type(to_app_error(opened.value)) is mapped

    fake.fail_next(status)
    with pytest.raises(HttpResponseError) as saved:
        await store.save("b.txt", b"b")
    assert saved.value.status_code == status

    fake.fail_next(status)
    with pytest.raises(HttpResponseError) as deleted:
        await store.delete("a.txt")
    assert deleted.value.status_code == status

    # retry_total=0: one request per failure, and the store still works afterwards.
    assert fake.pending_faults == 0
    assert len(fake.requests) == 4
    assert fake.blob_names(CONTAINER) == ["a.txt"]


async def test_missing_container_is_not_found_on_open(fake: FakeBlobStorage) -> None:
    store = BlobContentStore(container=_container(fake))
    try:
        del fake.containers[CONTAINER]
        with pytest.raises(NotFoundError):
            await store.open("a.txt")
        await store.delete("a.txt")  # ContainerNotFound is a ResourceNotFoundError too
    finally:
        await store.close()
    assert [r.operation for r in fake.requests] == ["download_blob", "delete_blob"]
