"""One content store in front of two: names under a prefix are kept in another store."""

from __future__ import annotations

from app.content.base import ContentStore, StoredFile, clean_name


class RoutedContentStore:
    """Names starting with `prefix` go to `routed`, every other name to `default`.

    On Azure, users' uploads live in a container of their own (the server may write there
    and nowhere else), while `/content` serves both under one name space.
    """

    def __init__(self, *, default: ContentStore, prefix: str, routed: ContentStore) -> None:
        self._default = default
        self._prefix = prefix
        self._routed = routed

    def _store(self, name: str) -> ContentStore:
        return self._routed if clean_name(name).startswith(self._prefix) else self._default

    async def open(self, name: str) -> StoredFile:
        """The stored file, from the store its name belongs to."""
        return await self._store(name).open(name)

    async def save(self, name: str, data: bytes) -> None:
        """Store a file in the store its name belongs to."""
        await self._store(name).save(name, data)

    async def delete(self, name: str) -> None:
        """Remove a file from the store its name belongs to."""
        await self._store(name).delete(name)
