"""`python -m app.ingest [PATHS...]`: index documents into the configured backend."""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import os
import sys
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import AsyncExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli import SETTINGS_ERROR_STATUS, complain, settings_or_complaint
from app.content.local import LocalContentStore
from app.ingest.indexers import Indexer, LocalIndexer
from app.ingest.pipeline import FileResult, Pipeline, discover
from app.logs import configure_logging
from app.search.access import AccessList
from app.search.local import LocalIndex
from app.settings import SearchBackend, Settings, SettingsError
from app.uploads import is_upload

if TYPE_CHECKING:
    from openai import AsyncOpenAI

    from app.ingest.progress import IngestProgress
    from app.models.embeddings import Embedder, RemoteProvider

INGEST_RETRIES = 10


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m app.ingest", description="Index documents for the chat app."
    )
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        default=[Path("data")],
        help="files or folders (default: data/)",
    )
    parser.add_argument("--category", help="category to tag the chunks with")
    parser.add_argument(
        "--acl-user",
        metavar="OID",
        action="append",
        default=[],
        help="a user id that may read the files (repeatable; files with a sidecar "
        ".acl.json use that instead; see docs/auth.md)",
    )
    parser.add_argument(
        "--acl-group",
        metavar="GID",
        action="append",
        default=[],
        help="a group id whose members may read the files (repeatable)",
    )
    parser.add_argument("--backend", choices=["local", "azure"], help="default: SEARCH_BACKEND")
    parser.add_argument(
        "--remove",
        metavar="SOURCEFILE",
        action="append",
        default=[],
        help="remove one indexed file (repeatable)",
    )
    parser.add_argument(
        "--remove-all",
        action="store_true",
        help="remove every indexed file of the corpus (users' uploads are theirs: kept)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=min(os.cpu_count() or 1, 8),
        help="parsing and embedding processes (default: one per core; 0: in this process)",
    )
    return parser.parse_args(argv)


async def open_indexer(
    settings: Settings, backend: SearchBackend, embedder: Embedder | None, stack: AsyncExitStack
) -> Indexer:
    """The indexer for `backend`, closed with `stack`."""
    if backend == "local":
        index = await LocalIndex.open(settings.local_index_path)
        stack.push_async_callback(index.close)
        return LocalIndexer(index=index, content=LocalContentStore(settings.local_content_dir))
    # The Azure SDKs load only when they are used.
    from app import clients
    from app.ingest.azure_index import AzureIndexer, ensure_index, index_definition

    if not settings.azure_storage_endpoint:
        raise SettingsError(
            "AZURE_STORAGE_ENDPOINT: needed to store source files for Azure ingestion"
        )
    credential = clients.azure_credential(settings)
    stack.push_async_callback(credential.close)
    dimensions = None
    if embedder is not None:
        dimensions = len((await embedder.embed(["dimension probe"]))[0])
    container = clients.container_client(settings, credential, max_retries=INGEST_RETRIES)
    stack.push_async_callback(container.close)
    search_client = clients.search_client(settings, credential, max_retries=INGEST_RETRIES)
    stack.push_async_callback(search_client.close)
    azure = AzureIndexer(
        search_client=search_client, container=container, index_name=settings.azure_search_index
    )
    index_client = clients.index_client(settings, credential, max_retries=INGEST_RETRIES)
    stack.push_async_callback(index_client.close)
    definition = index_definition(
        settings.azure_search_index,
        semantic_configuration=settings.azure_search_semantic_configuration,
        dimensions=dimensions,
    )
    await ensure_index(index_client, definition, container)
    return azure


async def open_embedder_for_ingestion(
    settings: Settings, stack: AsyncExitStack, executor: Executor | None
) -> Embedder | None:
    """The configured embedder, its clients closed with `stack`; the local model runs in the
    CLI's process pool when there is one."""

    def openai_client(provider: RemoteProvider) -> AsyncOpenAI:
        from app import clients

        credential = None
        if provider == "azure" and not settings.azure_openai_api_key:
            credential = clients.azure_credential(settings)
            stack.push_async_callback(credential.close)
        # A long run must outlast throttling: many more retries than a chat request gets.
        client = clients.openai_client(settings, provider, credential, max_retries=INGEST_RETRIES)
        stack.push_async_callback(client.close)
        return client

    from app.models.embeddings import open_embedder  # loads the OpenAI SDK: only when used

    return await open_embedder(settings, openai_client=openai_client, executor=executor)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Ingest or remove as asked; return the process exit code."""
    backend: SearchBackend = args.backend or settings.search_backend
    async with AsyncExitStack() as stack:
        executor = None
        if args.workers > 0:
            # Workers start on the first parse or embedding, so an all-unchanged run pays
            # nothing for them.
            context = multiprocessing.get_context("spawn")
            executor = stack.enter_context(
                ProcessPoolExecutor(max_workers=args.workers, mp_context=context)
            )
        embedder = await open_embedder_for_ingestion(settings, stack, executor)
        indexer = await open_indexer(settings, backend, embedder, stack)
        if args.remove_all or args.remove:
            if args.remove_all:
                names = [n for n in await indexer.sourcefiles() if not is_upload(n)]
            else:
                names = args.remove
            for name in names:
                removed = await indexer.remove_file(name)
                print(f"removed  {name} ({removed} chunks)")
            return 0
        missing = [str(p) for p in args.paths if not p.exists()]
        if missing:
            print(f"error: no such file or folder: {', '.join(missing)}", file=sys.stderr)
            return 2
        files = list(discover(args.paths))
        with progress_for(len(files)) as progress:
            pipeline = Pipeline(
                indexer=indexer,
                embedder=embedder,
                category=args.category,
                access=AccessList.of(args.acl_user, args.acl_group),
                executor=executor,
                concurrency=max(2, args.workers * 2),
                on_result=progress.advance,
            )
            results = await pipeline.ingest_files(files)
    print_summary(results, backend)
    return 1 if any(r.status == "failed" for r in results) else 0


class _Quiet:
    """No progress bar: stderr is not a terminal (a log file, CI, a pipe)."""

    def __enter__(self) -> _Quiet:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def advance(self, result: FileResult) -> None:
        """Nothing to draw."""


def progress_for(total: int) -> IngestProgress | _Quiet:
    """A live progress bar on a terminal; nothing otherwise (the summary still prints)."""
    if not sys.stderr.isatty():
        return _Quiet()
    from app.ingest.progress import IngestProgress  # rich loads only when it draws

    return IngestProgress(total=total)


def print_summary(results: Sequence[FileResult], backend: str) -> None:
    """One line per file, then the totals."""
    for result in results:
        detail = f"{result.chunks} chunks" if result.status == "indexed" else result.reason
        print(f"{result.status:8} {result.sourcefile} ({detail})")
    counts = {
        status: sum(r.status == status for r in results)
        for status in ("indexed", "skipped", "failed")
    }
    print(
        f"{backend} index: {counts['indexed']} indexed, {counts['skipped']} unchanged, "
        f"{counts['failed']} failed"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    args = parse_args(argv)
    settings = settings_or_complaint()
    if settings is None:
        return SETTINGS_ERROR_STATUS
    configure_logging("WARNING", settings.log_format)
    logging.getLogger("azure").setLevel(logging.WARNING)
    try:
        return asyncio.run(run(args, settings))
    except SettingsError as exc:
        return complain(exc)


if __name__ == "__main__":
    sys.exit(main())
