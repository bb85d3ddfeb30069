"""Per-worker limits on the answer routes: a token bucket per client, and a cap on open streams.

Both are in-process, so with several workers each one counts for itself (a client may get up
to `workers x` the rate). That is the trade for costing nothing per request but a dict lookup;
a shared store (Redis) would cost a network round trip on every answer.

* `RateLimiter`: RATE_LIMIT_PER_MINUTE answers per minute and client, in bursts of up to
  RATE_LIMIT_BURST. A client is the signed-in user when there is one, otherwise its address;
  `X-Forwarded-For` is believed only when the connection comes from RATE_LIMIT_TRUSTED_PROXIES.
  Off unless RATE_LIMIT_PER_MINUTE is set (the Azure deployment sets it).
* `StreamSlots`: at most MAX_STREAMS_PER_WORKER answers in progress (streamed or collected);
  the next one gets 503 with `Retry-After` instead of queueing behind them.
"""

from __future__ import annotations

import math
import time
import weakref
from collections.abc import Callable

from quart import Quart, current_app

from app.auth import User
from app.errors import RateLimitedError, ServerBusyError
from app.settings import Settings

# Clients remembered at once; the least recently seen is forgotten first (its bucket refills).
MAX_TRACKED_CLIENTS = 100_000
_EXTENSION_KEY = "ragchat.limits"


class RateLimiter:
    """Token buckets keyed by client: each holds up to `burst` answers, refilled continuously."""

    def __init__(
        self,
        *,
        per_minute: int,
        burst: int,
        max_clients: int = MAX_TRACKED_CLIENTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rate = per_minute / 60.0  # tokens per second
        self._burst = float(burst)
        self._max_clients = max_clients
        self._clock = clock
        # key -> (tokens left, when they were counted); insertion order is recency order.
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, key: str) -> None:
        """Spend one token of `key`'s bucket, or raise RateLimitedError saying when to retry."""
        now = self._clock()
        tokens, then = self._buckets.pop(key, (self._burst, now))
        tokens = min(self._burst, tokens + (now - then) * self._rate)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            raise RateLimitedError(retry_after=math.ceil((1.0 - tokens) / self._rate))
        self._buckets[key] = (tokens - 1.0, now)
        if len(self._buckets) > self._max_clients:
            del self._buckets[next(iter(self._buckets))]

    def __len__(self) -> int:
        return len(self._buckets)


def client_key(user: User | None, address: str | None) -> str:
    """Who is asking: the signed-in user, else the client's address (which FORWARDED_ALLOW_IPS
    lets trusted proxies tell, see app/factory.py)."""
    if user is not None:
        return "user:" + user.oid
    return "address:" + (address or "unknown")


class StreamSlots:
    """A counter of answers in progress in this worker, with a ceiling."""

    def __init__(self, limit: int, *, retry_after: int = 2) -> None:
        self._limit = limit
        self._retry_after = retry_after
        self.open = 0

    def acquire(self) -> Slot:
        """A slot for one answer, or ServerBusyError (503) when all are taken."""
        if self.open >= self._limit:
            raise ServerBusyError(retry_after=self._retry_after)
        self.open += 1
        return Slot(self)


class Slot:
    """One answer's place; `release()` is safe to call more than once."""

    __slots__ = ("__weakref__", "_slots")

    def __init__(self, slots: StreamSlots) -> None:
        self._slots: StreamSlots | None = slots

    def release(self) -> None:
        """Give the place back (once)."""
        if self._slots is not None:
            self._slots.open -= 1
            self._slots = None

    def release_with(self, owner: object) -> None:
        """Also release when `owner` (a response body) is garbage: a body the server never
        started iterating (the client left first) never runs its own `finally`."""
        weakref.finalize(owner, self.release)


class AnswerLimits:
    """This worker's limits on answers, made from the settings."""

    def __init__(self, settings: Settings) -> None:
        self.slots = StreamSlots(settings.max_streams_per_worker)
        self._limiter = (
            RateLimiter(per_minute=settings.rate_limit_per_minute, burst=settings.rate_limit_burst)
            if settings.rate_limit_per_minute
            else None
        )

    def admit(self, user: User | None, address: str | None) -> None:
        """Count one answer request against its client's budget (RateLimitedError when spent)."""
        if self._limiter is not None:
            self._limiter.take(client_key(user, address))


def install(app: Quart, settings: Settings) -> None:
    """Give `app` its limits (read with `answer_limits()` while serving a request)."""
    app.extensions[_EXTENSION_KEY] = AnswerLimits(settings)


def answer_limits() -> AnswerLimits:
    """The limits of the app serving this request."""
    limits: AnswerLimits = current_app.extensions[_EXTENSION_KEY]
    return limits
