"""Concurrency benchmark: `python -m bench.load` (`make bench`, about 20 minutes).

    python -m bench.load [--systems app-gunicorn,flask-sync] [--levels 10,100] [--quick]
                         [--no-pin] [--no-hold] [--no-profile] [--wait-lock] [--out DIR]

Starts the fake upstreams (`bench.upstreams`: fake OpenAI SSE and fake Azure AI Search) in
their own process on one core, then each system under test (`bench.specs`: this app in the
Azure shape and in the default local shape, on the sample index and on 10,000 chunks, under
Hypercorn and under Gunicorn; a minimal Quart reference; a sync Flask baseline), one at a
time, on the other core, and drives them from this process (same core as the fakes) with the
same work per request: one search, then a streamed answer of 100 chunks from the fake model.

Per system, closed-loop levels (`bench.sweep`, `bench.levels`: throughput, latency, CPU per
answer, RSS, event-loop lag, the server's search time when it sends `Server-Timing`, the app
core's speed); then open-loop runs, 2,000 streams held open at once on one worker
(`bench.hold`), back-to-back rounds with and without history and with one and two workers
(`bench.rounds`), and py-spy and tracemalloc profiles when a target is missed
(`bench.profiling`, `bench.memory`). A pinned run holds the host's benchmark lock
(`bench.host`): a second one is refused, or waits with `--wait-lock`. Writes load.json and
load.png to the results folder and prints the tables (`bench.report`) and the targets
(`bench.targets`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Coroutine
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, replace
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bench import comparisons, host, procs, report, targets
from bench.harness import Harness
from bench.hold import hold_streams
from bench.memory import memory_profile
from bench.plan import RESULTS, Plan, quick_plan, smoke_plan
from bench.profiling import profile_app
from bench.rounds import history_rounds, scaling_rounds
from bench.specs import (
    HISTORY_BASE,
    HISTORY_SYSTEM,
    ROOT,
    SCALING_BASE,
    SCALING_SYSTEM,
    SYSTEMS,
    known_systems,
    system_spec,
)
from bench.sweep import run_system

# Profiled when a CPU or latency target is missed: one of each shape at most.
PROFILED = (("app-gunicorn", "app-hypercorn"), ("app-local10k-gunicorn", "app-local-gunicorn"))


async def run(plan: Plan, processes: procs.Processes, workdir: Path) -> dict[str, Any]:
    """The whole benchmark; returns the results."""
    started = time.perf_counter()
    fd_limit = procs.raise_fd_limit()
    harness = Harness(plan, processes, workdir)
    available = sorted(harness.all_cores)
    if plan.pin and len(available) >= 2:
        harness.app_core, harness.load_core = available[0], available[1]
        os.sched_setaffinity(0, {harness.load_core})
    harness.log(
        f"cores: app {harness.app_core}, fakes + load generator {harness.load_core}; "
        f"fd limit {fd_limit}; logs in {workdir}"
    )
    harness.start_fakes()
    await harness.configure_fakes(plan.workload)
    results: dict[str, Any] = {
        "meta": meta(plan, harness, fd_limit),
        "levels": [],
        "rss": [],
        "hold": [],
        "profiles": [],
        "memory_profiles": [],
    }
    speeds: list[dict[str, Any]] = results["meta"]["app_core_speed"]
    for name in plan.systems:
        speed = await harness.calibrate(f"system {name}", harness.app_core)
        speeds.append({"before": name, "speed": speed})
        harness.log(f"--- {system_spec(name).label} (app core speed {speed})")
        sweep = await run_system(harness, name)
        results["levels"].extend(sweep.levels)
        if sweep.rss:
            results["rss"].append(sweep.rss)
    for name in plan.hold_systems:
        if name in plan.systems or plan.systems == SYSTEMS:
            harness.log(f"--- {plan.hold_streams} open streams on {name}")
            held = await hold_streams(harness, system_spec(name))
            results["hold"].append(held)
            harness.log(report.hold_line(held))
    results["history"] = comparisons.history_comparison(results)
    if plan.history_rounds and {HISTORY_BASE, HISTORY_SYSTEM} <= set(plan.systems):
        harness.log(
            f"--- C={plan.history_level} with and without history, back to back: "
            f"{plan.history_rounds} rounds"
        )
        began = time.perf_counter()
        results["history_rounds"] = await history_rounds(harness)
        results["history_summary"] = comparisons.history_summary(
            results["history_rounds"], round(time.perf_counter() - began, 1)
        )
    if plan.scaling_rounds and SCALING_BASE in plan.systems:
        harness.log(
            f"--- C={plan.scaling_level} on 1 and 2 Gunicorn workers, unpinned, back to back: "
            f"{plan.scaling_rounds} rounds"
        )
        began = time.perf_counter()
        results["scaling_rounds"] = await scaling_rounds(harness)
        results["scaling_summary"] = comparisons.scaling_summary(
            results["scaling_rounds"],
            round(time.perf_counter() - began, 1),
            len(harness.all_cores),
        )
    results["targets"] = targets.targets(results, plan.workload)
    if plan.profile:
        await profile_missed(harness, results)
    end_speed = await harness.calibrate("end", harness.app_core)
    speeds.append({"before": "end", "speed": end_speed})
    harness.log(f"app core speed at the end: {end_speed}")
    summary = host.speed_summary([speed for _, speed in harness.speeds])
    levels = [
        *results["levels"],
        *(row[side] for row in results.get("history_rounds", []) for side in ("without", "with")),
        *(row[side] for row in results.get("scaling_rounds", []) for side in ("one", "two")),
    ]
    summary["slow_levels"] = host.mark_slow(levels, summary["median"])
    results["meta"]["app_core_speed_summary"] = summary
    results["meta"]["seconds"] = round(time.perf_counter() - started, 1)
    return results


async def profile_missed(harness: Harness, results: dict[str, Any]) -> None:
    """py-spy where a CPU or latency target was missed, tracemalloc where streams' RSS was."""
    plan = harness.plan
    missed = [t for t in results["targets"] if t["met"] is False]
    cpu_missed = {
        t["system"] for t in missed if t["key"] in ("cpu", "little", "ttft", "latency", "search")
    }
    to_profile: list[str] = []
    for shape in PROFILED:  # the first system of each shape that missed one
        to_profile += [name for name in shape if name in cpu_missed][:1]
    if any(t["key"] == "history" for t in missed):
        # The same level with and without the saves: the difference is the save's.
        to_profile = list(dict.fromkeys([*to_profile, HISTORY_BASE, HISTORY_SYSTEM]))
    for name in to_profile:
        harness.log(f"--- py-spy profile of {name} at C=100")
        profile = await profile_app(harness, name, 100)
        if profile is not None:
            results["profiles"].append(profile)
    rss_missed = [t["system"] for t in missed if t["key"] == "streams"]
    for name in rss_missed[:1]:
        harness.log(f"--- tracemalloc profile of {name} with {plan.memory_streams} open streams")
        memory = await memory_profile(harness, name, plan.memory_streams)
        if memory is not None:
            results["memory_profiles"].append(memory)


def meta(plan: Plan, harness: Harness, fd_limit: int) -> dict[str, Any]:
    """What the numbers were measured on."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        commit = ""
    import openai

    systems = list(plan.systems)
    if plan.scaling_rounds and SCALING_BASE in plan.systems:
        systems.append(SCALING_SYSTEM)
    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "commit": commit,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "cores": {"app": harness.app_core, "fakes_and_loadgen": harness.load_core},
        "fd_limit": fd_limit,
        # A pure-Python loop's speed on the app core, before each system and at the end (and
        # in each level's row, before the level): on a shared host it can drop by half for
        # minutes, and every number with it.
        "app_core_speed": [],
        "workload": asdict(plan.workload)
        | {
            "ideal_latency_s": round(plan.workload.ideal_latency, 3),
            "model_seconds_s": round(plan.workload.model_seconds, 3),
            "upstream_ttft_s": round(plan.workload.upstream_ttft, 3),
        },
        "hold_workload": asdict(plan.hold_workload),
        "versions": {"openai": openai.__version__, "quart": version("quart")},
        "systems": {name: system_spec(name).label for name in systems},
    }


def parse_plan(args: argparse.Namespace) -> Plan:
    """The plan the command line asks for."""
    systems = tuple(args.systems.split(",")) if args.systems else SYSTEMS
    for name in systems:
        if name not in known_systems():
            raise SystemExit(f"unknown system {name!r}; known: {', '.join(known_systems())}")
    if args.smoke:
        plan = smoke_plan(args.out)
    elif args.quick:
        plan = quick_plan(args.out, systems)
    else:
        plan = Plan(systems=systems, out=args.out)
    if args.levels:
        levels = tuple(int(c) for c in args.levels.split(","))
        plan = replace(plan, levels=levels, flask_levels=levels)
    return replace(
        plan,
        pin=plan.pin and not args.no_pin,
        profile=plan.profile and not args.no_profile,
        hold_systems=() if args.no_hold else plan.hold_systems,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", help=f"comma-separated, from {', '.join(known_systems())}")
    parser.add_argument("--levels", help="comma-separated concurrency levels")
    parser.add_argument("--quick", action="store_true", help="a short run of everything")
    parser.add_argument("--smoke", action="store_true", help="seconds: tiny scale, for tests")
    parser.add_argument("--no-pin", action="store_true", help="do not pin to cores")
    parser.add_argument("--no-hold", action="store_true", help="skip the open-streams test")
    parser.add_argument("--no-profile", action="store_true", help="never run py-spy")
    parser.add_argument("--no-plot", action="store_true", help="skip the PNG")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results folder")
    parser.add_argument("--keep-logs", action="store_true", help="keep the servers' logs")
    parser.add_argument(
        "--wait-lock", action="store_true", help="wait for another pinned run to end"
    )
    # Another lock file than the host's: for the tests of the lock.
    parser.add_argument("--lock-file", type=Path, default=host.LOCK_FILE, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    plan = parse_plan(args)
    try:
        lock: AbstractContextManager[None] = (
            host.exclusive_run(args.lock_file, wait=args.wait_lock) if plan.pin else nullcontext()
        )
        with lock:
            return _run_and_report(plan, keep_logs=args.keep_logs, draw=not args.no_plot)
    except host.LockHeld as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 75  # EX_TEMPFAIL: try again later


def _run_and_report(plan: Plan, *, keep_logs: bool, draw: bool) -> int:
    plan.out.mkdir(parents=True, exist_ok=True)
    processes = procs.Processes()
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    try:
        results = _run_loop(run(plan, processes, workdir))
    except KeyboardInterrupt:
        print(f"interrupted; server logs in {workdir}", file=sys.stderr)
        return 130
    except BaseException:
        print(f"failed; server logs in {workdir}", file=sys.stderr)
        raise
    finally:
        processes.stop_all()
    (plan.out / "load.json").write_text(json.dumps(results, indent=1) + "\n")
    print()
    print(report.table(results))
    if results["history"]:
        print()
        print(report.history_table(results["history"]))
    if results.get("history_rounds"):
        print()
        print(report.rounds_table(results["history_rounds"], results["history_summary"]))
    if results.get("scaling_rounds"):
        print()
        print(report.scaling_table(results["scaling_rounds"], results["scaling_summary"]))
    print()
    print(report.targets_table(results["targets"]))
    if draw:
        from bench.plot import plot

        plot(results, plan.out / "load.png")
    speed = results["meta"]["app_core_speed_summary"]
    print(f"\n{report.speed_line(speed, speed['slow_levels'])}")
    print(f"written to {plan.out / 'load.json'}" + (" and load.png" if draw else ""))
    if keep_logs:
        print(f"took {results['meta']['seconds']:.0f} s; server logs in {workdir}")
    else:
        print(f"took {results['meta']['seconds']:.0f} s")
        shutil.rmtree(workdir, ignore_errors=True)
    if warning := host.spread_warning(speed):
        print(warning)
    return 0


def _run_loop(coro: Coroutine[Any, Any, dict[str, Any]]) -> dict[str, Any]:
    try:
        import uvloop
    except ImportError:  # pragma: no cover
        return asyncio.run(coro)
    result: dict[str, Any] = uvloop.run(coro)
    return result


if __name__ == "__main__":
    sys.exit(main())
