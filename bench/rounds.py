"""Two systems compared at one level in back-to-back rounds, alternating which goes first.

Two levels minutes apart in a sweep can differ by 10% on a shared host (a test run next
door, a throttled core); pairs run back to back, in alternating order, see the same host. A
round in which something else used the cores is run again, up to twice as many rounds in all,
and the medians are taken over the undisturbed rounds (`bench.comparisons`).

* History (issue 10): C=100 on `app-gunicorn` without history and with a save after every
  answer, pinned as the sweep is.
* Multi-core: `app-local10k-gunicorn` with one worker and with two (one SQLite file shared),
  at C=200, unpinned: on this 2-core machine the two workers share the cores with the fakes
  and the load generator, whose CPU is reported with every round, so the ratio shows what the
  machine allowed, not only what the app does.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from bench import comparisons, report
from bench.harness import Harness
from bench.levels import closed_level
from bench.recycle import Recycled
from bench.specs import (
    HISTORY_BASE,
    HISTORY_SYSTEM,
    SCALING_BASE,
    SCALING_SYSTEM,
    system_spec,
)

Round = Callable[[int, dict[str, Any], dict[str, Any]], dict[str, Any]]


async def alternate(
    harness: Harness,
    first: Recycled,
    second: Recycled,
    *,
    concurrency: int,
    rounds: int,
    make_round: Round,
    line: Callable[[dict[str, Any]], str],
) -> list[dict[str, Any]]:
    """`rounds` undisturbed rounds (at most twice as many in all) of one level of each
    system; `make_round(number, first's level, second's level)` must set `clean`."""
    out: list[dict[str, Any]] = []
    try:
        for n in range(2 * rounds):
            if sum(row["clean"] for row in out) >= rounds:
                break
            pair: dict[str, dict[str, Any]] = {}
            for system in (first, second) if n % 2 == 0 else (second, first):
                server = await system.before_level(concurrency, math.inf)
                level = await closed_level(harness, server, concurrency, math.inf)
                pair[system.spec.name] = system.ran(level)
            out.append(make_round(n + 1, pair[first.spec.name], pair[second.spec.name]))
            harness.log(line(out[-1]))
    finally:
        first.stop()
        second.stop()
    return out


async def history_rounds(harness: Harness) -> list[dict[str, Any]]:
    """C=`history_level` without and with history, both pinned to the app core."""
    plan = harness.plan
    return await alternate(
        harness,
        Recycled(harness, system_spec(HISTORY_BASE)),
        Recycled(harness, system_spec(HISTORY_SYSTEM)),
        concurrency=plan.history_level,
        rounds=plan.history_rounds,
        make_round=comparisons.history_round,
        line=report.round_line,
    )


async def scaling_rounds(harness: Harness) -> list[dict[str, Any]]:
    """C=`scaling_level` on one Gunicorn worker and on two, every process on every core."""
    plan = harness.plan
    with harness.unpinned():
        return await alternate(
            harness,
            Recycled(harness, system_spec(SCALING_BASE), pinned=False),
            Recycled(harness, system_spec(SCALING_SYSTEM), pinned=False),
            concurrency=plan.scaling_level,
            rounds=plan.scaling_rounds,
            make_round=comparisons.scaling_round,
            line=report.scaling_line,
        )
