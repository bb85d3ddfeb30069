"""Run an `async with` fake for synchronous code: its own event loop in a daemon thread.

The browser tests are synchronous (Playwright's sync API runs a loop of its own), so a fake
cannot share their loop::

    with serve_in_thread(FakeOpenAI(chunk_delay=0.1)) as fake:
        start_backend(openai_base_url=fake.base_url)
        fake.fail_next("500")
        assert wait_until(lambda: fake.open_streams == 0, timeout=15)

Setting a knob, queueing a fault or reading a counter from the test's thread is one attribute
or deque operation, which is safe while the fake's loop serves.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, contextmanager
from typing import TypeVar

F = TypeVar("F", bound=AbstractAsyncContextManager[object])


@contextmanager
def serve_in_thread(fake: F, *, timeout: float = 10.0) -> Iterator[F]:
    """Enter `fake` on a new event loop in a background thread; exit it and stop the loop after."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name=type(fake).__name__, daemon=True)
    thread.start()

    def run(step: Callable[[], Awaitable[object]]) -> None:
        async def main() -> None:
            await step()

        asyncio.run_coroutine_threadsafe(main(), loop).result(timeout)

    try:
        run(fake.__aenter__)
        try:
            yield fake
        finally:
            run(lambda: fake.__aexit__(None, None, None))
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


def wait_until(condition: Callable[[], object], *, timeout: float, interval: float = 0.05) -> bool:
    """Poll `condition` until it is true (returns True) or `timeout` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
    return True
