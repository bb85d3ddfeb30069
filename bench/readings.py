"""The numbers of one measurement window: counters read at its edges, and the samples in it.

CPU and memory come from /proc (`bench.procs`): the server's (master and workers), the
fakes', this process' (the load generator) and each core's, so a level also says what else
used the cores meanwhile.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

from bench import procs
from bench.loadgen import LagProbe, Run, summary_ms


@dataclass
class Readings:
    """Counters read at the start and at the end of a measurement window."""

    at: float = 0.0
    app_cpu: float = 0.0
    fakes_cpu: float = 0.0
    loadgen_cpu: float = 0.0
    app_rss: int = 0
    worker_rss: int = 0
    workers: tuple[int, ...] = ()
    cores: dict[int, tuple[float, float]] = field(default_factory=dict)
    threads: dict[int, float] = field(default_factory=dict)  # the first worker's, by id


def read_counters(server_pid: int, fakes_pid: int) -> Readings:
    """Read CPU and memory of the server, the fakes and this process."""
    workers = tuple(procs.worker_pids(server_pid))
    return Readings(
        at=time.perf_counter(),
        app_cpu=procs.cpu_seconds(server_pid),
        fakes_cpu=procs.cpu_seconds(fakes_pid),
        loadgen_cpu=procs.own_cpu_seconds(),
        app_rss=procs.rss_bytes(procs.descendants(server_pid)),
        worker_rss=max((procs.rss_bytes([pid]) for pid in workers), default=0),
        workers=workers,
        cores=procs.core_times(),
        threads=procs.thread_cpu_seconds(workers[0]) if workers else {},
    )


def interference(
    before: Readings, after: Readings, app_core: int | None, load_core: int | None
) -> dict[str, float]:
    """Share of each pinned core used by something other than our processes, and stolen;
    unpinned, the same over the whole machine (in cores).

    Anything above a few percent on the app core (a test run, a build, a noisy VM
    neighbour) makes that level's latency and CPU numbers unreliable.
    """
    window = max(after.at - before.at, 1e-9)
    app = after.app_cpu - before.app_cpu
    load = (after.fakes_cpu - before.fakes_cpu) + (after.loadgen_cpu - before.loadgen_cpu)
    if app_core is None and load_core is None:
        shared = set(before.cores) & set(after.cores)
        busy = sum(after.cores[c][0] - before.cores[c][0] for c in shared)
        steal = sum(after.cores[c][1] - before.cores[c][1] for c in shared)
        return {
            "machine_other": round(max(0.0, busy - app - load) / window, 3),
            "machine_steal": round(steal / window, 3),
            "machine_busy": round(busy / window, 3),
        }
    out: dict[str, float] = {}
    ours = {app_core: app, load_core: load}
    for label, core in (("app_core", app_core), ("load_core", load_core)):
        if core is None or core not in before.cores or core not in after.cores:
            continue
        busy = after.cores[core][0] - before.cores[core][0]
        steal = after.cores[core][1] - before.cores[core][1]
        out[f"{label}_other"] = round(max(0.0, busy - ours[core]) / window, 3)
        out[f"{label}_steal"] = round(steal / window, 3)
    return out


def stats(
    run: Run,
    before: Readings,
    after: Readings,
    *,
    upstream_ttft: float,
    probe: LagProbe | None,
    probe_cpu: float = 0.0,
) -> dict[str, Any]:
    """The numbers of one level; `upstream_ttft` is the part of the time to first token
    spent on the fakes, `probe_cpu` the app's CPU seconds per `/healthz` probe."""
    window = max(after.at - before.at, 1e-9)
    probes = probe.latencies(before.at, after.at) if probe is not None else []
    good = [s for s in run.in_window() if s.ok]
    errors: dict[str, int] = {}
    failed = [sample for sample in run.samples if not sample.ok]
    for sample in failed:
        key = sample.error or "unknown"
        errors[key] = errors.get(key, 0) + 1
    total_cpu = after.app_cpu - before.app_cpu
    cpu = max(0.0, total_cpu - len(probes) * probe_cpu)  # without the probes' own cost
    result: dict[str, Any] = {
        "window_s": round(window, 2),
        "requests": len(run.samples),
        "completed": len(good),
        "errors": sum(errors.values()),
        "error_kinds": errors,
        # When the failed requests started, in seconds from the window's start.
        "errors_started_s": [
            round(min(f.start for f in failed) - run.window_start, 2),
            round(max(f.start for f in failed) - run.window_start, 2),
        ]
        if failed
        else None,
        "cancelled_after_window": run.cut,
        "throughput_rps": round(len(good) / window, 2),
        "ttfb_ms": summary_ms([s.ttfb for s in good]),
        "ttft_ms": summary_ms([s.ttft for s in good]),
        "total_ms": summary_ms([s.total for s in good]),
        # A closed loop's throughput is C / this (Little's law), without the count's noise.
        "mean_total_ms": round(1000 * sum(s.total for s in good) / len(good), 2) if good else None,
        "app_added_ttft_ms": summary_ms([s.ttft - upstream_ttft for s in good]),
        "app_cpu_s": round(total_cpu, 3),
        "app_cpu_util": round(total_cpu / window, 3),
        "app_cpu_ms_per_answer": round(1000 * cpu / len(good), 3) if good else None,
        "app_rss_mb": round(after.app_rss / 2**20, 1),
        "worker_rss_mb": round(after.worker_rss / 2**20, 1),
        "worker_recycled": before.workers != after.workers,
        "loadgen_cpu_util": round((after.loadgen_cpu - before.loadgen_cpu) / window, 3),
        "fakes_cpu_util": round((after.fakes_cpu - before.fakes_cpu) / window, 3),
    }
    if probe is not None:
        result["healthz_ms"] = summary_ms(probes) | {"count": len(probes), "errors": probe.errors}
    # The server's own account of its search call (`Server-Timing: search;dur=...`).
    searches = [s.search for s in good if not math.isnan(s.search)]
    if searches:
        result["search_ms"] = summary_ms(searches) | {"count": len(searches)}
    saves = [s for s in good if not math.isnan(s.save)]
    if saves:
        result["save_ms"] = summary_ms([s.save for s in saves])
        result["save_body_kb"] = {
            "mean": round(sum(s.save_bytes for s in saves) / len(saves) / 1024, 1),
            "max": round(max(s.save_bytes for s in saves) / 1024, 1),
        }
    if good and len(before.workers) == 1 and before.workers == after.workers:
        # The event loop is the worker's main thread (less the probes); aiosqlite's, the
        # local index's and any executor threads are the others. Both are in
        # app_cpu_ms_per_answer.
        main = before.workers[0]
        spent = {t: cpu - before.threads.get(t, 0.0) for t, cpu in after.threads.items()}
        loop_ms = 1000 * max(0.0, spent.pop(main, 0.0) - len(probes) * probe_cpu) / len(good)
        result["worker_threads_cpu_ms_per_answer"] = {
            "event_loop": round(loop_ms, 3),
            "other_threads": round(1000 * sum(spent.values()) / len(good), 3),
        }
    return result
