"""`python -m app`: serve with Hypercorn on PORT (default 50505), settings checked first."""

from __future__ import annotations

import argparse
import asyncio
import sys

from hypercorn.asyncio import serve
from hypercorn.config import Config

from app import create_app
from app.settings import SettingsError, load_settings


def main() -> int:
    """Check the settings, then serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m app", description="Serve the chat app.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    args = parser.parse_args()
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    config = Config()
    config.bind = [f"{args.host}:{settings.port}"]
    config.accesslog = "-"
    print(f"Serving on http://localhost:{settings.port} (Ctrl-C to stop)", flush=True)
    asyncio.run(serve(create_app(settings), config))
    return 0


if __name__ == "__main__":
    sys.exit(main())
