"""Where chunks go: the local SQLite index, or Azure AI Search (see `azure_index.py`).

Both keep the original files for `/content` and remember each file's content hash, so an
unchanged file is skipped and a changed one has its old chunks replaced.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from app.content.local import LocalContentStore
from app.search.base import Chunk
from app.search.local import LocalIndex


class Indexer(Protocol):
    """Stores chunks and source files for one backend."""

    async def file_hashes(self) -> dict[str, str]:
        """Each completely indexed file with its content hash, fetched in one go."""
        ...

    async def index_file(
        self, sourcefile: str, sha256: str, data: bytes, chunks: Sequence[Chunk]
    ) -> None:
        """Store the file and replace its chunks; the hash is recorded last."""
        ...

    async def remove_file(self, sourcefile: str) -> int:
        """Delete a file's chunks; return how many there were."""
        ...

    async def sourcefiles(self, prefix: str = "") -> list[str]:
        """Every indexed source file whose name starts with `prefix`, sorted."""
        ...


class LocalIndexer:
    """The embedded index plus the folder of stored source files."""

    def __init__(self, *, index: LocalIndex, content: LocalContentStore) -> None:
        self._index = index
        self._content = content

    async def file_hashes(self) -> dict[str, str]:
        """Each completely indexed file with its content hash, in one query."""
        return await self._index.file_hashes()

    async def index_file(
        self, sourcefile: str, sha256: str, data: bytes, chunks: Sequence[Chunk]
    ) -> None:
        """Store the file, then swap its chunks in one transaction."""
        await self._content.save(sourcefile, data)
        await self._index.replace_file(sourcefile, sha256, chunks)

    async def remove_file(self, sourcefile: str) -> int:
        """Delete a file's chunks and its stored copy."""
        await self._content.delete(sourcefile)
        return await self._index.remove_file(sourcefile)

    async def sourcefiles(self, prefix: str = "") -> list[str]:
        """Every indexed source file whose name starts with `prefix`, sorted."""
        return await self._index.sourcefiles(prefix)
