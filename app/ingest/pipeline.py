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
from typing import TYPE_CHECKING, Literal, NamedTuple

from app.content.base import clean_name
from app.errors import NotFoundError
from app.ingest.access import access_for, is_sidecar
from app.ingest.indexers import Indexer
from app.ingest.parsers import ParseError, is_supported, parser_for
from app.ingest.splitter import TextChunk, split_pages
from app.search.access import AccessList
from app.search.base import Chunk

if TYPE_CHECKING:
    from app.models.embeddings import Embedder

logger = logging.getLogger(__name__)

EMBED_BATCH = 64
EMBED_PARALLEL = 4
# The bytes of changed files read while hashing are kept for their ingestion, up to this
# much in all; files past it are read again when their turn comes (a first run of a big
# corpus must not hold all of it).
KEEP_READ_BYTES = 64 * 1024 * 1024
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


class SourceFile(NamedTuple):
    """A file to ingest: where it is, the name it is stored and cited by, its top folder."""

    path: Path
    name: str
    root: Path


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
        access: AccessList | None = None,
        executor: Executor | None = None,
        concurrency: int = 4,
        on_result: Callable[[FileResult], None] | None = None,
    ) -> None:
        self._indexer = indexer
        self._embedder = embedder
        self._category = category
        self._access = access or AccessList()  # for files without a sidecar
        self._executor = executor
        self._files = asyncio.Semaphore(concurrency)
        self._embeds = asyncio.Semaphore(EMBED_PARALLEL)
        self._on_result = on_result
        self._model = None if embedder is None else embedder.model

    async def ingest(self, paths: Sequence[Path]) -> list[FileResult]:
        """Ingest every file under `paths`; one failing file does not stop the others."""
        return await self.ingest_files(list(discover(paths)))

    async def ingest_files(self, files: Sequence[SourceFile]) -> list[FileResult]:
        """Ingest files as `discover` lists them."""
        known = await self._indexer.file_hashes()
        # Hash every file in one worker thread first: an unchanged file then costs neither a
        # task nor a thread hop of its own, which keeps a re-run of a big corpus quick.
        scanned = await asyncio.to_thread(_scan, files, known, self._access, self._model)
        results: dict[int, FileResult] = {}
        changed = []
        for n, (file, scan) in enumerate(zip(files, scanned, strict=True)):
            if isinstance(scan.access, ParseError):
                results[n] = self._report(FileResult(file.name, "failed", reason=str(scan.access)))
            elif scan.version is not None and known.get(file.name) == scan.version:
                results[n] = self._report(
                    FileResult(file.name, "skipped", size=scan.size, reason="unchanged")
                )
            else:
                changed.append((n, file, scan))
        del scanned  # each changed file's bytes now go with its task, and are let go by it
        # A task group, not gather: cancelled (Ctrl-C), it returns only once every file's
        # task has stopped, so no write lands after the caller has moved on.
        try:
            async with asyncio.TaskGroup() as group:
                tasks = [
                    group.create_task(self._guarded(f, scan, known.get(f.name)))
                    for _, f, scan in changed
                ]
        except BaseExceptionGroup as failed:
            raise failed.exceptions[0] from None  # what one file's unexpected error was
        done = [task.result() for task in tasks]
        results.update((n, result) for (n, _, _), result in zip(changed, done, strict=True))
        return [results[n] for n in range(len(files))]

    def _report(self, result: FileResult) -> FileResult:
        if self._on_result is not None:
            self._on_result(result)
        return result

    async def _guarded(self, file: SourceFile, scan: _Scan, known_hash: str | None) -> FileResult:
        sourcefile, access, data = file.name, scan.access, scan.data
        assert isinstance(access, AccessList)
        scan.data = None  # the task holds the bytes now, and lets go of them when it ends
        async with self._files:
            try:
                result = await self.ingest_file(file.path, sourcefile, access, known_hash, data)
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
        self,
        path: Path,
        sourcefile: str,
        access: AccessList | None = None,
        known_hash: str | None = None,
        data: bytes | None = None,
    ) -> FileResult:
        """Ingest one file, unless its version is `known_hash`, the one already indexed;
        `data` is its bytes when they have been read already."""
        if not is_supported(sourcefile):  # checked before reading the file, too
            return _unsupported(sourcefile)
        if data is None:
            data = await asyncio.to_thread(path.read_bytes)
        return await self.ingest_data(sourcefile, data, access or self._access, known_hash)

    async def ingest_data(
        self, sourcefile: str, data: bytes, access: AccessList, known_hash: str | None = None
    ) -> FileResult:
        """Ingest a file's bytes under `sourcefile`, readable by `access`; ParseError if it
        cannot be parsed."""
        if not is_supported(sourcefile):
            return _unsupported(sourcefile)
        if not _citable(sourcefile):
            reason = "the name cannot be cited (it has a '#' or a leading or trailing space)"
            return FileResult(sourcefile, "failed", reason=reason)
        version = file_version(hashlib.sha256(data).hexdigest(), access, self._model)
        if known_hash == version:
            return FileResult(sourcefile, "skipped", size=len(data), reason="unchanged")
        loop = asyncio.get_running_loop()
        parsed = await loop.run_in_executor(self._executor, parse_and_split, sourcefile, data)
        chunks = await self._chunks(sourcefile, parsed.chunks, access)
        await self._indexer.index_file(sourcefile, version, data, chunks)
        return FileResult(
            sourcefile, "indexed", chunks=len(chunks), pages=parsed.pages, size=len(data)
        )

    async def _chunks(
        self, sourcefile: str, pieces: Sequence[TextChunk], access: AccessList
    ) -> list[Chunk]:
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
                access=access,
            )
            for n, (piece, vector) in enumerate(zip(pieces, vectors, strict=True))
        ]

    async def _embed(self, texts: list[str]) -> list[list[float] | None]:
        assert self._embedder is not None
        async with self._embeds:
            return list(await self._embedder.embed(texts))


def file_version(sha256: str, access: AccessList, embedding_model: str | None = None) -> str:
    """What ingestion records for a file: its content hash, its access list if it has one and
    the embedding model if there is one, so that changing who may read a file, or the model
    its vectors come from, re-indexes it."""
    if access.is_public and embedding_model is None:
        return sha256  # as before access lists existed: public files are not re-indexed
    parts = [sha256]
    if not access.is_public:
        parts.append(access.fingerprint())
    if embedding_model is not None:
        parts.append(f"embedding: {embedding_model}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


@dataclass(slots=True)
class _Scan:
    """One file as the hashing pass found it: its version (None: it could not be read), its
    size, its access list (or why that could not be read), and its bytes when it changed
    and they fitted in KEEP_READ_BYTES."""

    version: str | None
    size: int
    access: AccessList | ParseError
    data: bytes | None = None


def _scan(
    files: Sequence[SourceFile],
    known: dict[str, str],
    default: AccessList,
    embedding_model: str | None,
) -> list[_Scan]:
    """Each file's `_Scan`, reading every file once."""
    scans: list[_Scan] = []
    kept = 0
    for file in files:
        try:
            access: AccessList | ParseError = access_for(file.path, file.root, default)
        except ParseError as exc:
            access = exc
        try:
            data = file.path.read_bytes()
        except OSError:
            scans.append(_Scan(None, 0, access))  # the full path reports why
            continue
        if not isinstance(access, AccessList):
            scans.append(_Scan(None, len(data), access))
            continue
        version = file_version(hashlib.sha256(data).hexdigest(), access, embedding_model)
        scan = _Scan(version, len(data), access)
        if known.get(file.name) != version and kept + len(data) <= KEEP_READ_BYTES:
            scan.data = data
            kept += len(data)
        scans.append(scan)
    return scans


def _unsupported(sourcefile: str) -> FileResult:
    suffix = Path(sourcefile).suffix
    return FileResult(sourcefile, "failed", reason=f"unsupported format '{suffix}'")


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


def discover(paths: Sequence[Path]) -> Iterator[SourceFile]:
    """Files under `paths` with their stored names (relative to the folder given), sorted.

    Hidden files and folders and access-list sidecars are not documents.
    """
    for root in paths:
        if root.is_file():
            yield SourceFile(root, root.name, root.parent)
            continue
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root)
            if (
                path.is_file()
                and not any(part.startswith(".") for part in relative.parts)
                and not is_sidecar(path)
            ):
                yield SourceFile(path, relative.as_posix(), root)
