"""`python -m app`: serve with Hypercorn on PORT (default 50505), settings checked first."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from hypercorn.asyncio import serve
from hypercorn.config import Config

from app import create_app
from app.cli import SETTINGS_ERROR_STATUS, settings_or_complaint


def main() -> int:
    """Check the settings, then serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m app", description="Serve the chat app.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    args = parser.parse_args()
    settings = settings_or_complaint()
    if settings is None:
        return SETTINGS_ERROR_STATUS
    config = Config()
    config.bind = [f"{args.host}:{settings.port}"]
    # Hypercorn's loggers propagate to ours, so each line is written once, with a request id.
    config.accesslog = logging.getLogger("hypercorn.access")
    config.errorlog = logging.getLogger("hypercorn.error")
    print(f"Serving on http://localhost:{settings.port} (Ctrl-C to stop)", flush=True)
    asyncio.run(serve(create_app(settings), config))
    return 0


if __name__ == "__main__":
    sys.exit(main())
