"""What the fakes share: listening on 127.0.0.1, recording requests and injecting faults.

* `listen(app)` serves an aiohttp app on an ephemeral port and says which one;
* `Recorder` keeps what a fake received, in order: everything (tests assert on it), or only the
  last `keep` items (the benchmark, where thousands of requests must not grow memory), with
  `total` counting every item either way;
* `FaultQueue` holds the faults for the next requests (`fail_next`) and an optional random
  mix (`set_rate` for one fault, `set_mix` for several; seeded, so a run is repeatable).
  Each fake defines what a fault is.

The deque operations used here are atomic, so a test on another thread (see
`fakes.threaded`) may record, queue and read while the fake's loop serves.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any, Generic, TypeVar, overload

from aiohttp import web

T = TypeVar("T")
F = TypeVar("F")


async def listen(app: web.Application, **runner_options: Any) -> tuple[web.AppRunner, int]:
    """Serve `app` on 127.0.0.1 at an ephemeral port; returns the runner and the port."""
    backlog = runner_options.pop("backlog", 128)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0, **runner_options)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, backlog=backlog)
    await site.start()
    server = site._server  # aiohttp exposes no public accessor for the bound port
    if server is None or not getattr(server, "sockets", None):
        await runner.cleanup()
        raise RuntimeError("aiohttp site did not bind a socket")
    return runner, int(server.sockets[0].getsockname()[1])  # type: ignore[attr-defined]


class Recorder(Sequence[T]):
    """What a fake received, oldest first: all of it, or the last `keep` items (0: none).

    Reads like a list (`fake.requests[-1]`, `len(...)`, `== []`); `total` also counts the
    items a bounded recorder dropped or `clear()` forgot.
    """

    def __init__(self, *, keep: int | None = None) -> None:
        self.total = 0
        self._items: deque[T] = deque(maxlen=keep)

    def record(self, item: T) -> T:
        """Add `item` (dropping the oldest when bounded) and return it."""
        self.total += 1
        self._items.append(item)
        return item

    def clear(self) -> None:
        """Forget the items; `total` keeps counting."""
        self._items.clear()

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return list(self._items)[index]
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._items))  # a snapshot: the fake may record meanwhile

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str | bytes):
            return list(self._items) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Recorder({list(self._items)!r}, total={self.total})"


class FaultQueue(Generic[F]):
    """Faults for the next requests in order, else one drawn at random from a seeded mix."""

    def __init__(self, *, seed: int = 0) -> None:
        self.injected = 0
        self._mix: list[tuple[float, F]] = []  # (cumulative share, fault)
        self._queue: deque[F] = deque()
        self._random = random.Random(seed)

    def fail_next(self, fault: F, *, times: int = 1) -> None:
        """Queue `fault` for the next `times` requests, after those already queued."""
        if times < 1:
            raise ValueError("times must be >= 1")
        self._queue.extend([fault] * times)

    def set_rate(self, rate: float, fault: F | None) -> None:
        """Inject `fault` into a random share `rate` (0..1) of requests; 0 or None turns it off."""
        self.set_mix([] if fault is None else [(rate, fault)])

    def set_mix(self, mix: Sequence[tuple[float, F]]) -> None:
        """Inject each `(share, fault)` into that share of requests, with one draw per request
        (so the shares add up: 0.1 and 0.05 fail 15% of requests); `[]` turns it off."""
        shares = [share for share, _ in mix]
        if any(not 0.0 <= share <= 1.0 for share in shares) or sum(shares) > 1.0 + 1e-9:
            raise ValueError("each share must be between 0 and 1, and together at most 1")
        total = 0.0
        self._mix = []
        for share, fault in mix:
            total += share
            self._mix.append((total, fault))

    @property
    def rate(self) -> float:
        """The share of requests that get a random fault."""
        return self._mix[-1][0] if self._mix else 0.0

    @property
    def pending(self) -> int:
        """Faults queued by `fail_next` that no request consumed yet."""
        return len(self._queue)

    def take(self) -> F | None:
        """The fault for the request being served, if any (queued ones first)."""
        if self._queue:
            fault: F | None = self._queue.popleft()
        elif self._mix:
            draw = self._random.random()
            fault = next((f for bound, f in self._mix if draw < bound), None)
        else:
            return None
        if fault is not None:
            self.injected += 1
        return fault

    def clear(self) -> None:
        """Drop the queued faults and turn the random mix off."""
        self._queue.clear()
        self.set_mix([])
