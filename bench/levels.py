"""One load level on a running server: closed loop at C clients or open loop at a rate.

A level's timing follows from the latency to expect (`level_timing`); while it runs,
`/healthz` is probed every 100 ms (event-loop lag), and its counters are read at the window's
edges (`bench.readings`). Before the level, the app core's speed is measured
(`Harness.calibrate`) and kept with the level's numbers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from bench.harness import Harness, Server
from bench.loadgen import LagProbe, Run, Target, closed_loop, new_session, open_loop
from bench.plan import Plan
from bench.readings import Readings, interference, read_counters, stats
from bench.specs import SystemSpec

MAX_RAMP = 8.0  # seconds; keep-alive timeouts must be longer (Hypercorn's 5 s: no preconnect)
Hook = Callable[[], Awaitable[None]]


def next_capacity(level: dict[str, Any]) -> float:
    """The throughput to expect at the next, higher level of an async server.

    Saturated (90% of its core), it will not do much better; below that, CPU per answer
    drops as load rises (more chunks per read and per write), so allow half as much again.
    """
    throughput = float(level["throughput_rps"])
    if float(level["app_cpu_util"]) >= 0.9 * level.get("workers", 1):
        return max(1.0, 1.1 * throughput)
    return max(1.0, throughput, 1.5 * 0.9 * 1000 / float(level["app_cpu_ms_per_answer"]))


def level_timing(
    plan: Plan, spec: SystemSpec, concurrency: int, capacity: float
) -> tuple[float, float, float, float]:
    """(ramp, warmup, window, drain) for a level, from the expected latency.

    `capacity` is the throughput the system can reach (answers per second); below it the
    latency is the ideal one, above it closed-loop latency grows as C / capacity. The warmup
    lets the first wave of requests through; requests still open `drain` seconds after the
    window are cancelled (not counted as errors: the level is over).
    """
    ideal = spec.ideal_latency(plan.workload)
    expected = max(ideal, concurrency / capacity) if capacity > 0 else ideal
    # Clients start spread over one answer's time, so their requests are out of phase: started
    # together, they would end together (in waves), and a window would count whole waves or
    # none. Past the ramp every client has a request open: steady state, once the requests
    # started early in the ramp (under less load) are through.
    ramp = min(MAX_RAMP, max(ideal, expected))
    warmup = ramp + 0.75 * expected + 0.5
    if spec.kind == "flask":
        shortest, longest = plan.flask_min_window, plan.flask_max_window
    else:
        shortest, longest = plan.min_window, plan.max_window
    window = min(longest, max(shortest, 1.5 * expected))
    drain = min(3.0, expected)
    return ramp, warmup, window, drain


async def measure(
    harness: Harness, server: Server, drive: Callable[[Hook, Hook], Awaitable[Run]]
) -> dict[str, Any]:
    """Run `drive(on_start, on_end)`, probing `/healthz` throughout; read the counters at the
    window's edges."""
    plan = harness.plan
    if plan.calibrate_levels:
        speed = await harness.calibrate(server.spec.name, server.core)
    else:
        speed = harness.last_speed
    readings: dict[str, Readings] = {}
    lag: dict[str, Any] = {}
    probe = LagProbe(server.url, interval=plan.probe_interval)
    stop = asyncio.Event()
    probe_task = asyncio.create_task(probe.run(stop))
    await probe.ready.wait()

    async def on_start() -> None:
        readings["before"] = read_counters(server.pid, harness.fakes_pid)
        if server.lag_endpoint:
            await probe.fetch_json("/debug/loop-lag?reset=1")

    async def on_end() -> None:
        readings["after"] = read_counters(server.pid, harness.fakes_pid)
        if server.lag_endpoint:
            lag.update(await probe.fetch_json("/debug/loop-lag") or {})

    try:
        run = await drive(on_start, on_end)
    finally:
        stop.set()
        await probe_task
    before, after = readings["before"], readings["after"]
    result = stats(
        run,
        before,
        after,
        upstream_ttft=server.spec.upstream_ttft(plan.workload),
        probe=probe,
        probe_cpu=server.probe_cpu,
    )
    saves = sum(1 for sample in run.samples if sample.save_bytes)
    sent = len(run.samples) + saves + len(probe.probes) + probe.errors + run.preconnected
    result["requests_sent"] = sent
    load_core = harness.load_core if server.core is not None else None
    result["interference"] = interference(before, after, server.core, load_core)
    result["app_core_speed"] = speed
    if lag:
        result["loop_lag_ms"] = lag
    return result


async def closed_level(
    harness: Harness,
    server: Server,
    concurrency: int,
    capacity: float,
    *,
    path: str = "/ask/stream",
    during: Callable[[], Coroutine[Any, Any, None]] | None = None,
) -> dict[str, Any]:
    """One closed-loop level; returns its numbers."""
    plan, workload, spec = harness.plan, harness.plan.workload, server.spec
    ramp, warmup, window, drain = level_timing(plan, spec, concurrency, capacity)
    target = Target(server.url, path=path, expected_pieces=workload.chunks)

    async def drive(on_start: Hook, on_end: Hook) -> Run:
        async def start() -> None:
            await on_start()
            if during is not None:
                extra.append(asyncio.create_task(during()))

        extra: list[asyncio.Task[None]] = []
        async with new_session() as session:
            run = await closed_loop(
                session,
                target,
                concurrency,
                ramp=ramp,
                warmup=warmup,
                window=window,
                drain=drain,
                on_start=start,
                on_end=on_end,
                connect_first=spec.uvloop,
                save_history=spec.history,
            )
        await asyncio.gather(*extra)
        return run

    result = await measure(harness, server, drive)
    ideal = spec.ideal_latency(workload)
    little = concurrency / ideal if ideal > 0 else None
    return {
        "system": spec.name,
        "mode": "closed",
        "path": path,
        "concurrency": concurrency,
        "workers": spec.workers,
        "pinned": server.core is not None,
        "ideal_latency_s": round(ideal, 3),
        "little_limit_rps": None if little is None else round(little, 2),
        **result,
        "little_fraction": None if little is None else round(result["throughput_rps"] / little, 3),
    }


async def open_level(harness: Harness, server: Server, rate: float) -> dict[str, Any]:
    """One open-loop run at a fixed Poisson arrival rate."""
    workload = harness.plan.workload
    ideal = server.spec.ideal_latency(workload)
    target = Target(server.url, expected_pieces=workload.chunks)

    async def drive(on_start: Hook, on_end: Hook) -> Run:
        async with new_session() as session:
            return await open_loop(
                session,
                target,
                rate,
                warmup=ideal + 1.0,
                window=harness.plan.open_loop_window,
                drain=4 * ideal + 30,
                on_start=on_start,
                on_end=on_end,
            )

    result = await measure(harness, server, drive)
    return {
        "system": server.spec.name,
        "mode": "open",
        "rate_rps": rate,
        "workers": server.spec.workers,
        "pinned": server.core is not None,
        "ideal_latency_s": round(ideal, 3),
        **result,
    }
