"""The content store protocol, and the name check every store applies first."""

from __future__ import annotations

import mimetypes
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

from app.errors import NotFoundError

# A stored name: relative, forward slashes, no dot segments, no control characters.
_SEGMENT = re.compile(r"^[^\x00-\x1f\\/:*?\"<>|]+$")


@dataclass(frozen=True, slots=True)
class StoredFile:
    """An opened stored file: its bytes as a stream, and what they are."""

    name: str
    content_type: str
    size: int | None
    chunks: AsyncIterator[bytes]


class ContentStore(Protocol):
    """Keeps the source files that were indexed, by the name citations use."""

    async def open(self, name: str) -> StoredFile:
        """The stored file, or NotFoundError."""
        ...

    async def save(self, name: str, data: bytes) -> None:
        """Store a source file under `name` (ingestion)."""
        ...

    async def delete(self, name: str) -> None:
        """Remove a stored file, if it is there (ingestion)."""
        ...


def clean_name(path: str) -> str:
    """The stored-file name a request path refers to, or NotFoundError if it is not one.

    Citations look like `file.pdf#page=3`; browsers drop the fragment, other clients may not.
    """
    name = path.split("#", 1)[0].strip()
    segments = name.split("/")
    if not name or any(s in ("", ".", "..") or not _SEGMENT.match(s) for s in segments):
        raise NotFoundError("No such source file.")
    return name


def content_type(name: str) -> str:
    """The media type to serve a stored file with.

    Plain-text formats are declared UTF-8, which browsers otherwise guess at; HTML is left to
    its own `<meta charset>`, which a charset in the header would override.
    """
    guessed, _ = mimetypes.guess_type(name)
    if guessed is None:
        return "application/octet-stream"
    if guessed.startswith("text/") and guessed != "text/html":
        return f"{guessed}; charset=utf-8"
    return guessed
