"""Thousands of slow answers open at once on one worker: does it hold them, at what RSS each.

On a fresh server, warmed up with ordinary answers (so imports and pools are not counted per
stream), the fakes are set to a slow answer (`Plan.hold_workload`) and `count` streams open
over a short ramp; RSS is sampled every 250 ms and the RSS per stream is taken where the most
streams were open at once.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from bench import procs
from bench.harness import Harness, Server, serving
from bench.loadgen import (
    Sample,
    Target,
    closed_loop,
    new_session,
    preconnect,
    stream_once,
    summary_ms,
)
from bench.plan import Workload
from bench.specs import SystemSpec

Snapshot = Callable[[Server, str], Awaitable[None]]


@dataclass
class Tracker:
    """How many streams have shown their first token and not ended yet."""

    open: int = 0
    opened: int = 0


async def tracked(session: aiohttp.ClientSession, target: Target, tracker: Tracker) -> Sample:
    """`stream_once`, counting the stream as open from its first token to its end."""

    def opened() -> None:
        tracker.open += 1
        tracker.opened += 1

    sample = await stream_once(session, target, on_token=opened)
    if not math.isnan(sample.ttft):
        tracker.open -= 1
    return sample


async def hold_streams(
    harness: Harness,
    spec: SystemSpec,
    *,
    count: int | None = None,
    slow: Workload | None = None,
    env: dict[str, str] | None = None,
    snapshot: Snapshot | None = None,
) -> dict[str, Any]:
    """Hold `count` slow answers open at once on a fresh server; RSS per stream.

    `snapshot(server, "idle")` runs before the streams open and `snapshot(server, "open")`
    once 90% of them are open (the memory profile takes tracemalloc snapshots there).
    """
    plan = harness.plan
    count = count or plan.hold_streams
    slow = slow or plan.hold_workload
    async with serving(harness, spec, env) as server:
        await harness.configure_fakes(plan.workload)
        warm = Target(server.url, expected_pieces=plan.workload.chunks)
        async with new_session() as session:
            await closed_loop(session, warm, 10, ramp=0.2, warmup=0, window=1.0, drain=30)
        await asyncio.sleep(1.0)
        workers = procs.worker_pids(server.pid)
        if snapshot is not None:
            await snapshot(server, "idle")
        idle = procs.rss_bytes(workers)
        await harness.configure_fakes(slow)
        tracker = Tracker()
        target = Target(server.url, expected_pieces=slow.chunks, timeout=300)
        ramp = min(2.0, count / 1000)
        peak_open, rss_at_peak, rss_max, cpu_before = 0, idle, idle, procs.cpu_seconds(server.pid)

        async def one(n: int, session: aiohttp.ClientSession) -> Sample:
            await asyncio.sleep(ramp * n / count)
            return await tracked(session, target, tracker)

        async with new_session() as session:
            # Connections first (they count towards the RSS per stream): see `preconnect`.
            if spec.uvloop:
                await preconnect(session, server.url, count)
            started = time.perf_counter()
            tasks = [asyncio.create_task(one(n, session)) for n in range(count)]
            all_open_at: float | None = None
            snapped = 0  # streams open when the "open" snapshot was asked for
            deadline = started + ramp + slow.model_seconds  # the first streams end then
            while not all(task.done() for task in tasks):
                await asyncio.sleep(0.25)
                rss = procs.rss_bytes(workers)
                rss_max = max(rss_max, rss)
                if tracker.open > peak_open or (tracker.open == peak_open and rss > rss_at_peak):
                    peak_open, rss_at_peak = tracker.open, rss
                if tracker.open == count and all_open_at is None:
                    all_open_at = time.perf_counter() - started
                if snapshot is not None and not snapped and tracker.open >= 0.9 * count:
                    snapped = tracker.open
                    await snapshot(server, "open")
                    break  # a memory profile needs no more: cancel the streams
                if time.perf_counter() > deadline + 60:
                    break
            for task in tasks:
                task.cancel()  # only those still running after the deadline or a snapshot
            await asyncio.gather(*tasks, return_exceptions=True)
            samples = [task.result() for task in tasks if not task.cancelled()]
        cpu = procs.cpu_seconds(server.pid) - cpu_before
        await harness.configure_fakes(plan.workload)
    errors: dict[str, int] = {}
    for sample in samples:
        if not sample.ok:
            errors[sample.error or "unknown"] = errors.get(sample.error or "unknown", 0) + 1
    per_stream = (rss_at_peak - idle) / peak_open if peak_open else math.nan
    return {
        "system": spec.name,
        "streams": count,
        "answer_seconds": round(slow.model_seconds + spec.search_wait(slow), 2),
        "peak_open": peak_open,
        "all_open_after_s": None if all_open_at is None else round(all_open_at, 2),
        "completed": sum(s.ok for s in samples),
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "idle_rss_mb": round(idle / 2**20, 1),
        "rss_at_peak_mb": round(rss_at_peak / 2**20, 1),
        "max_rss_mb": round(rss_max / 2**20, 1),
        "rss_per_open_stream_kb": round(per_stream / 1024, 1) if peak_open else None,
        "rss_per_stream_all_kb": round((rss_max - idle) / count / 1024, 1),
        "ttft_ms": summary_ms([s.ttft for s in samples if s.ok]),
        "app_cpu_ms_per_answer": round(1000 * cpu / max(1, len(samples)), 3),
        **({"open_at_snapshot": snapped} if snapshot is not None else {}),
    }
