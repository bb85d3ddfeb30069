"""A system under test kept across levels, and restarted before Gunicorn would recycle it.

Gunicorn replaces its worker after max_requests (read from gunicorn.conf.py, plus up to
max_requests_jitter more), and a sweep can send more than that: a replacement inside a level
resets keep-alive connections (an early run saw 207 failed requests) and mixes two workers'
numbers. So the server is restarted before a level that would take it past 90% of the limit;
the recycling itself is production behaviour, reported here rather than measured.
"""

from __future__ import annotations

import asyncio
import runpy
from dataclasses import dataclass
from typing import Any

from bench.harness import PROBE_CALIBRATION, Harness, Server
from bench.levels import level_timing
from bench.loadgen import Browser, Target, new_session, stream_once
from bench.plan import Plan, Workload
from bench.specs import ROOT, SystemSpec


def gunicorn_max_requests() -> int | None:
    """`max_requests` of gunicorn.conf.py: the worker is replaced after that many requests."""
    value = runpy.run_path(str(ROOT / "gunicorn.conf.py")).get("max_requests")
    return int(value) if value else None


def expected_requests(plan: Plan, spec: SystemSpec, concurrency: int, capacity: float) -> int:
    """About how many requests a level sends (answers, probes, preconnects), to stay clear of
    the worker's max_requests."""
    ramp, warmup, window, drain = level_timing(plan, spec, concurrency, capacity)
    seconds = ramp + warmup + window + drain
    # A fake with no delays (the smoke run) answers in about 10 ms.
    rate = min(concurrency / max(spec.ideal_latency(plan.workload), 0.01), capacity)
    per_answer = 2 if spec.history else 1  # the answer and its save
    return int(concurrency + per_answer * rate * seconds + seconds / plan.probe_interval)


async def warm_up(server: Server, workload: Workload) -> int:
    """A few answers (and saves) on a fresh server: imports, connection pools, the SQLite
    files. Returns the requests sent."""
    warm = Target(server.url, expected_pieces=workload.chunks)
    if server.spec.history:
        browser = Browser()
        try:
            samples = [await browser.ask(warm) for _ in range(4)]
        finally:
            await browser.close()
        sent = 8
    else:
        async with new_session() as session:
            samples = list(await asyncio.gather(*(stream_once(session, warm) for _ in range(4))))
        sent = 4
    failed = [s.error for s in samples if not s.ok]
    if failed:
        raise RuntimeError(f"{server.spec.name}: the warm-up failed: {failed}")
    return sent


@dataclass
class Recycled:
    """A system under test, started on first use and restarted before a level that would
    take its worker past Gunicorn's max_requests."""

    harness: Harness
    spec: SystemSpec
    pinned: bool = True  # on the app core; else on every core (see `Harness.unpinned`)
    server: Server | None = None
    sent: int = 0  # requests the current worker has served
    starts: int = 0

    async def before_level(self, concurrency: int, capacity: float) -> Server:
        """The server to run a level of `concurrency` clients on."""
        plan = self.harness.plan
        limit = gunicorn_max_requests() if self.spec.gunicorn else None
        expected = expected_requests(plan, self.spec, concurrency, capacity)
        if self.server is not None and not (limit and self.sent + expected > 0.9 * limit):
            return self.server
        if self.server is not None:
            self.harness.stop_server(self.server)
            self.harness.log(
                f"restarting {self.spec.name}: a fresh worker, below max_requests={limit}"
            )
        self.server = await self.harness.start_server(self.spec, pinned=self.pinned)
        self.starts += 1
        self.sent = PROBE_CALIBRATION + await warm_up(self.server, plan.workload)
        return self.server

    def ran(self, level: dict[str, Any]) -> dict[str, Any]:
        """Count a level's requests; returns the level."""
        self.sent += level["requests_sent"]
        return level

    def stop(self) -> None:
        """Stop the server, if it runs."""
        if self.server is not None:
            self.harness.stop_server(self.server)
            self.server = None
