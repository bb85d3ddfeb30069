"""Source files kept in a local folder (`LOCAL_INDEX_DIR/content`)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import BinaryIO

from app.content.base import StoredFile, clean_name, content_type
from app.errors import NotFoundError

_CHUNK = 64 * 1024


class LocalContentStore:
    """Stored files under one folder; nothing outside it is ever opened."""

    def __init__(self, root: Path) -> None:
        self._root = root.resolve()

    def _path(self, name: str) -> Path:
        path = (self._root / clean_name(name)).resolve()
        # resolve() follows symlinks, so a link pointing out of the folder is refused too.
        if not path.is_relative_to(self._root):
            raise NotFoundError("No such source file.")
        return path

    async def open(self, name: str) -> StoredFile:
        """The stored file, streamed from disk off the event loop."""
        path = self._path(name)
        try:
            handle, size = await asyncio.to_thread(_open, path)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise NotFoundError("No such source file.") from None
        return StoredFile(path.name, content_type(path.name), size, _read(handle))

    async def save(self, name: str, data: bytes) -> None:
        """Write a source file, atomically (a reader never sees half of it)."""
        path = self._path(name)
        await asyncio.to_thread(_write_atomic, path, data)

    async def delete(self, name: str) -> None:
        """Remove a stored file, if it is there."""
        await asyncio.to_thread(self._path(name).unlink, missing_ok=True)


def _open(path: Path) -> tuple[BinaryIO, int]:
    handle = path.open("rb")
    return handle, os.fstat(handle.fileno()).st_size


async def _read(handle: BinaryIO) -> AsyncIterator[bytes]:
    try:
        while chunk := await asyncio.to_thread(handle.read, _CHUNK):
            yield chunk
    finally:
        handle.close()


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    partial.replace(path)
