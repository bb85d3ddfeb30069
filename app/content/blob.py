"""Source files kept in an Azure Blob Storage container, read with the async client."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from azure.core.exceptions import ResourceNotFoundError
from azure.storage.blob import ContentSettings
from azure.storage.blob.aio import ContainerClient, StorageStreamDownloader

from app.content.base import StoredFile, clean_name, content_type
from app.errors import NotFoundError


class BlobContentStore:
    """Stored files in one blob container."""

    def __init__(self, *, container: ContainerClient) -> None:
        self._container = container

    async def open(self, name: str) -> StoredFile:
        """The blob, streamed in chunks."""
        blob_name = clean_name(name)
        try:
            download = await self._container.download_blob(blob_name)
        except ResourceNotFoundError:
            raise NotFoundError("No such source file.") from None
        settings = download.properties.content_settings
        media_type = settings.content_type or content_type(blob_name)
        return StoredFile(blob_name, media_type, download.size, _chunks(download))

    async def save(self, name: str, data: bytes) -> None:
        """Upload (or overwrite) one source file."""
        blob_name = clean_name(name)
        await self._container.upload_blob(
            blob_name,
            data,
            overwrite=True,
            content_settings=ContentSettings(content_type=content_type(blob_name)),
        )

    async def delete(self, name: str) -> None:
        """Delete one stored file, if it is there."""
        with contextlib.suppress(ResourceNotFoundError):
            await self._container.delete_blob(clean_name(name))


async def _chunks(download: StorageStreamDownloader[bytes]) -> AsyncIterator[bytes]:
    async for chunk in download.chunks():
        yield chunk
