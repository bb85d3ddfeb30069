"""The ingestion progress bar: files done, pages and chunks, and pages per second."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from app.ingest.pipeline import FileResult


class IngestProgress:
    """A rich progress bar on stderr, advanced once per finished file."""

    def __init__(self, *, total: int, console: Console | None = None) -> None:
        self._progress = Progress(
            TextColumn("[bold]indexing"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("files"),
            TextColumn("{task.fields[pages]} pages, {task.fields[chunks]} chunks"),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            console=console or Console(stderr=True),
        )
        self._task: TaskID = self._progress.add_task(
            "ingest", total=total, pages=0, chunks=0, rate=""
        )
        self._pages = 0
        self._chunks = 0

    def advance(self, result: FileResult) -> None:
        """Count one finished file."""
        self._pages += result.pages
        self._chunks += result.chunks
        task = self._progress.tasks[0]
        elapsed = task.elapsed or 0.0
        rate = ""
        if elapsed > 0 and self._pages:
            rate = f"{self._pages / elapsed:.0f} pages/s, {self._chunks / elapsed:.0f} chunks/s"
        self._progress.update(
            self._task, advance=1, pages=self._pages, chunks=self._chunks, rate=rate
        )

    def __enter__(self) -> IngestProgress:
        self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._progress.stop()
