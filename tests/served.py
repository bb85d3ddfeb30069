"""The app served by Hypercorn on a real socket in the test's own event loop, for clients that
need a URL (the OpenAI SDKs): `async with served(settings) as url: ...`.

The socket is bound (port 0) before Hypercorn starts and handed to it by file descriptor, so
there is no window in which another process could take the port.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator

import aiohttp
from hypercorn.asyncio import serve
from hypercorn.config import Config

from app import create_app
from app.settings import Settings


@contextlib.asynccontextmanager
async def served(settings: Settings) -> AsyncIterator[str]:
    """Serve an app made with `settings` until the block ends; yields its base URL."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    port = listener.getsockname()[1]
    config = Config()
    config.bind = [f"fd://{listener.detach()}"]  # Hypercorn owns (and closes) it from here
    config.graceful_timeout = 1.0
    stop = asyncio.Event()
    server = asyncio.create_task(serve(create_app(settings), config, shutdown_trigger=stop.wait))
    url = f"http://127.0.0.1:{port}"
    try:
        await _until_healthy(url, server)
        yield url
    finally:
        stop.set()
        await server


async def _until_healthy(url: str, server: asyncio.Task[None]) -> None:
    async with asyncio.timeout(20), aiohttp.ClientSession() as session:
        while True:
            if server.done():
                server.result()  # start-up failed: raise why
                raise RuntimeError("the server stopped during start-up")
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(f"{url}/healthz") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.02)
