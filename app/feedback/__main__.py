"""`python -m app.feedback export`: every rating in the configured store, as JSONL or CSV.

Reads the store the server writes (CHAT_HISTORY, or Cosmos DB / the local file for feedback),
newest first, a page at a time, so a large store never sits in memory whole.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import dataclasses
import json
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack
from pathlib import Path
from typing import TextIO

from app import clients
from app.cli import SETTINGS_ERROR_STATUS, settings_or_complaint
from app.history.base import Feedback, HistoryStore, Rating
from app.history.stores import open_history
from app.settings import Settings

PAGE = 500
CSV_COLUMNS = [f.name for f in dataclasses.fields(Feedback)]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m app.feedback", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="write every rating, newest first")
    export.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    export.add_argument("--output", type=Path, help="a file to write (default: standard output)")
    export.add_argument("--rating", choices=["up", "down"], help="only thumbs up or down")
    return parser.parse_args(argv)


async def all_feedback(store: HistoryStore, rating: Rating | None) -> AsyncIterator[Feedback]:
    """Every rating in the store, newest first."""
    token: str | None = None
    while True:
        page = await store.feedback(
            user_id=None, rating=rating, count=PAGE, continuation_token=token
        )
        for item in page.items:
            yield item
        token = page.continuation_token
        if token is None:
            return


async def export(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Write the ratings to `out`; return how many."""
    async with AsyncExitStack() as stack:
        credential = None
        if clients.uses_cosmos(settings) and not settings.azure_cosmosdb_key:
            credential = clients.azure_credential(settings)
            stack.push_async_callback(credential.close)
        _, store = await open_history(settings, credential, stack)
        writer = csv.DictWriter(out, CSV_COLUMNS) if args.format == "csv" else None
        if writer is not None:
            writer.writeheader()
        count = 0
        async for item in all_feedback(store, args.rating):
            row = dataclasses.asdict(item)
            if writer is not None:
                writer.writerow(
                    {
                        **row,
                        "citations": " ".join(item.citations),
                        "settings": json.dumps(item.settings),
                    }
                )
            else:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
        return count


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    args = parse_args(argv)
    settings = settings_or_complaint()
    if settings is None:
        return SETTINGS_ERROR_STATUS
    if args.output is None:
        count = asyncio.run(export(args, settings, sys.stdout))
    else:
        with args.output.open("w", encoding="utf-8", newline="") as out:
            count = asyncio.run(export(args, settings, out))
    print(f"exported {count} ratings", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
