"""Ingest files: read, hash, parse, split, embed, index; one result per file.

Files are processed concurrently, a few at a time. Parsing and splitting (CPU-bound) run in
an executor: a process pool from the CLI, so PDFs parse on every core; a thread otherwise.
Embedding calls share one bound on parallelism. A file's hash is recorded only after all of
its chunks are stored, so a crash or Ctrl-C leaves it to be redone, without duplicates.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from app.content.base import clean_name
from app.errors import NotFoundError
from app.ingest.indexers import Indexer
from app.ingest.parsers import ParseError, is_supported, parser_for
from app.ingest.splitter import TextChunk, split_pages
from app.search.local import Chunk

if TYPE_CHECKING:
    from app.models.embeddings import Embedder

logger = logging.getLogger(__name__)

EMBED_BATCH = 64
EMBED_PARALLEL = 4
_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")

Status = Literal["indexed", "skipped", "failed"]


@dataclass(frozen=True, slots=True)
class FileResult:
    """What happened to one file."""

    sourcefile: str
    status: Status
    chunks: int = 0
    pages: int = 0
    size: int = 0
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Parsed:
    """A parsed and split file, as the executor hands it back."""

    chunks: list[TextChunk]
    pages: int


def parse_and_split(sourcefile: str, data: bytes) -> Parsed:
    """Parse and split one file; runs in a worker process or thread."""
    parse = parser_for(sourcefile)
    if parse is None:  # pragma: no cover - checked before the file is read
        raise ParseError("unsupported format")
    pages = parse(data)
    chunks = split_pages(pages)
    if not chunks:
        raise ParseError("no text found")
    return Parsed(chunks, len(pages))


class Pipeline:
    """Turns files into indexed chunks, skipping the ones that did not change."""

    def __init__(
        self,
        *,
        indexer: Indexer,
        embedder: Embedder | None = None,
        category: str | None = None,
        executor: Executor | None = None,
        concurrency: int = 4,
        on_result: Callable[[FileResult], None] | None = None,
    ) -> None:
        self._indexer = indexer
        self._embedder = embedder
        self._category = category
        self._executor = executor
        self._files = asyncio.Semaphore(concurrency)
        self._embeds = asyncio.Semaphore(EMBED_PARALLEL)
        self._on_result = on_result

    async def ingest(self, paths: Sequence[Path]) -> list[FileResult]:
        """Ingest every file under `paths`; one failing file does not stop the others."""
        return await self.ingest_files(list(discover(paths)))

    async def ingest_files(self, files: Sequence[tuple[Path, str]]) -> list[FileResult]:
        """Ingest (path, stored name) pairs, as `discover` lists them."""
        known = await self._indexer.file_hashes()
        # Hash every file in one worker thread first: an unchanged file then costs neither a
        # task nor a thread hop of its own, which keeps a re-run of a big corpus quick.
        hashes = await asyncio.to_thread(_hash_files, [path for path, _ in files])
        results: dict[int, FileResult] = {}
        changed = []
        for n, ((path, name), (sha256, size)) in enumerate(zip(files, hashes, strict=True)):
            if sha256 is not None and known.get(name) == sha256:
                results[n] = self._report(
                    FileResult(name, "skipped", size=size, reason="unchanged")
                )
            else:
                changed.append((n, path, name))
        done = await asyncio.gather(
            *(self._guarded(p, name, known.get(name)) for _, p, name in changed)
        )
        results.update((n, result) for (n, _, _), result in zip(changed, done, strict=True))
        return [results[n] for n in range(len(files))]

    def _report(self, result: FileResult) -> FileResult:
        if self._on_result is not None:
            self._on_result(result)
        return result

    async def _guarded(self, path: Path, sourcefile: str, known_hash: str | None) -> FileResult:
        async with self._files:
            try:
                result = await self.ingest_file(path, sourcefile, known_hash)
            except ParseError as exc:
                result = FileResult(sourcefile, "failed", reason=str(exc))
            except OSError as exc:
                result = FileResult(sourcefile, "failed", reason=exc.strerror or "cannot read")
            except Exception as exc:
                # A service failure fails this file; its hash is not recorded, so a rerun redoes it.
                from app.errors import is_service_error, to_app_error  # loads the SDKs: not earlier

                if not is_service_error(exc):
                    raise
                logger.warning("ingesting %s failed", sourcefile, exc_info=exc)
                result = FileResult(sourcefile, "failed", reason=to_app_error(exc).message)
        return self._report(result)

    async def ingest_file(
        self, path: Path, sourcefile: str, known_hash: str | None = None
    ) -> FileResult:
        """Ingest one file, unless its content hash is `known_hash`, the one already indexed."""
        if not is_supported(sourcefile):
            return FileResult(sourcefile, "failed", reason=f"unsupported format '{path.suffix}'")
        if not _citable(sourcefile):
            reason = "the name cannot be cited (it has a '#' or a leading or trailing space)"
            return FileResult(sourcefile, "failed", reason=reason)
        data, sha256 = await asyncio.to_thread(_read_and_hash, path)
        if known_hash == sha256:
            return FileResult(sourcefile, "skipped", size=len(data), reason="unchanged")
        loop = asyncio.get_running_loop()
        parsed = await loop.run_in_executor(self._executor, parse_and_split, sourcefile, data)
        chunks = await self._chunks(sourcefile, parsed.chunks)
        await self._indexer.index_file(sourcefile, sha256, data, chunks)
        return FileResult(
            sourcefile, "indexed", chunks=len(chunks), pages=parsed.pages, size=len(data)
        )

    async def _chunks(self, sourcefile: str, pieces: Sequence[TextChunk]) -> list[Chunk]:
        vectors: list[list[float] | None] = [None] * len(pieces)
        if self._embedder is not None:
            batches = range(0, len(pieces), EMBED_BATCH)
            embedded = await asyncio.gather(
                *(self._embed([p.text for p in pieces[i : i + EMBED_BATCH]]) for i in batches)
            )
            vectors = [vector for batch in embedded for vector in batch]
        prefix = chunk_key_prefix(sourcefile)
        return [
            Chunk(
                id=f"{prefix}-{n:05d}",
                content=piece.text,
                sourcepage=sourcepage(sourcefile, piece.page),
                sourcefile=sourcefile,
                category=self._category,
                embedding=vector,
            )
            for n, (piece, vector) in enumerate(zip(pieces, vectors, strict=True))
        ]

    async def _embed(self, texts: list[str]) -> list[list[float] | None]:
        assert self._embedder is not None
        async with self._embeds:
            return list(await self._embedder.embed(texts))


def _hash_files(paths: Sequence[Path]) -> list[tuple[str | None, int]]:
    """(SHA-256, size) of each file; (None, 0) for one that cannot be read."""
    hashes: list[tuple[str | None, int]] = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError:
            hashes.append((None, 0))  # the full path reports why
            continue
        hashes.append((hashlib.sha256(data).hexdigest(), len(data)))
    return hashes


def _read_and_hash(path: Path) -> tuple[bytes, str]:
    data = path.read_bytes()
    return data, hashlib.sha256(data).hexdigest()


def _citable(sourcefile: str) -> bool:
    """Whether citations and the content store will use exactly this name."""
    try:
        return clean_name(sourcefile) == sourcefile
    except NotFoundError:
        return False


def sourcepage(sourcefile: str, page: int | None) -> str:
    """The citation of a chunk: `file.pdf#page=3`, or the file name for formats without pages."""
    return f"{sourcefile}#page={page}" if page is not None else sourcefile


def chunk_key_prefix(sourcefile: str) -> str:
    """A readable, key-safe and unique prefix for a file's chunk ids."""
    slug = _KEY_UNSAFE.sub("_", sourcefile)[:60]
    digest = hashlib.sha256(sourcefile.encode()).hexdigest()[:10]
    return f"{slug}-{digest}"


def discover(paths: Sequence[Path]) -> Iterator[tuple[Path, str]]:
    """Files under `paths` with their stored names (relative to the folder given), sorted."""
    for root in paths:
        if root.is_file():
            yield root, root.name
            continue
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root)
            if path.is_file() and not any(part.startswith(".") for part in relative.parts):
                yield path, relative.as_posix()
