"""One system's sweep: its closed-loop levels, its open-loop run, and `/chat/stream` and
`/v1/chat/completions` (the same answers through OpenAI's API) in alternating rounds.

Each level's expected throughput comes from the one before (`next_capacity`), so the
windows of saturated levels are long enough to see steady state.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from bench import chat_completions, report
from bench.harness import Harness
from bench.levels import closed_level, next_capacity, open_level
from bench.recycle import Recycled
from bench.specs import system_spec


@dataclass
class Sweep:
    """A system's levels, and its worker's memory from its first level to its last."""

    levels: list[dict[str, Any]] = field(default_factory=list)
    rss: dict[str, Any] = field(default_factory=dict)


async def run_system(harness: Harness, name: str) -> Sweep:
    """Every closed-loop level, the open-loop run and (app-gunicorn) /chat/stream and
    /v1/chat/completions."""
    plan = harness.plan
    spec = system_spec(name)
    levels = plan.flask_levels if spec.kind == "flask" else plan.levels
    if spec.max_level is not None:
        levels = tuple(c for c in levels if c <= spec.max_level) or levels[:1]
    ideal = spec.ideal_latency(plan.workload)
    capacity = spec.workers / ideal if spec.kind == "flask" else math.inf
    system = Recycled(harness, spec)
    sweep = Sweep()

    def add(level: dict[str, Any]) -> None:
        sweep.levels.append(system.ran(level))
        harness.log(report.level_line(level))

    try:
        for concurrency in levels:
            server = await system.before_level(concurrency, capacity)
            level = await closed_level(harness, server, concurrency, capacity)
            add(level)
            if spec.kind != "flask" and level["app_cpu_ms_per_answer"]:
                capacity = next_capacity(level)
        rate = plan.open_loop_rates.get(name)
        if rate:
            server = await system.before_level(int(rate * ideal) + 1, capacity)
            add(await open_level(harness, server, rate))
        if spec.name == "app-gunicorn" and plan.chat_level:
            # The two routes back to back, alternating which goes first (bench/api_parity.py).
            paths = ("/chat/stream", chat_completions.PATH)
            for n in range(plan.api_rounds):
                for path in paths if n % 2 == 0 else paths[::-1]:
                    server = await system.before_level(plan.chat_level, capacity)
                    add(await closed_level(harness, server, plan.chat_level, capacity, path=path))
    finally:
        system.stop()
    sweep.rss = rss_growth(name, sweep.levels, system.starts)
    return sweep


def rss_growth(system: str, levels: list[dict[str, Any]], starts: int) -> dict[str, Any]:
    """The worker's RSS at the end of the first and of the last closed-loop level.

    It grows with C (connections, buffers) and should not grow otherwise; `starts` says
    whether it is one process throughout (a restart before max_requests resets it).
    """
    closed = [lv for lv in levels if lv["mode"] == "closed"]
    if not closed:
        return {}
    first, last = closed[0], closed[-1]
    return {
        "system": system,
        "first": {"concurrency": first["concurrency"], "worker_rss_mb": first["worker_rss_mb"]},
        "last": {"concurrency": last["concurrency"], "worker_rss_mb": last["worker_rss_mb"]},
        "growth_mb": round(last["worker_rss_mb"] - first["worker_rss_mb"], 1),
        "server_starts": starts,
    }
