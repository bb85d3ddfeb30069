"""Where the memory of open streams goes: tracemalloc snapshots, open streams vs idle.

The server runs with bench/memprobe on PYTHONPATH (a `sitecustomize` that starts
tracemalloc and dumps snapshots on request): no change to the app. tracemalloc slows the
server down, so the answers last longer here, and its RSS is not the one reported; the
snapshot of the open streams is compared with one taken just after tracing started.
"""

from __future__ import annotations

import asyncio
import os
import tracemalloc
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench import procs
from bench.harness import Harness, Server
from bench.hold import hold_streams
from bench.specs import ROOT, system_spec


async def memory_profile(harness: Harness, name: str, count: int) -> dict[str, Any] | None:
    """tracemalloc's view of `count` open streams on `name`, per stream."""
    folder = harness.workdir / f"tracemalloc-{name}"
    folder.mkdir(exist_ok=True)
    env = {
        "PYTHONPATH": f"{ROOT / 'bench' / 'memprobe'}{os.pathsep}{ROOT}",
        "BENCH_TRACEMALLOC": str(folder),
    }
    taken: dict[str, Path] = {}

    async def snapshot(server: Server, label: str) -> None:
        worker = procs.worker_pids(server.pid)[0]
        if label == "idle":  # tracing starts now: start-up and warm-up ran at full speed
            (folder / "start.request").touch()
            await asyncio.sleep(0.5)
        (folder / f"{label}.request").touch()
        target = folder / f"{worker}-{label}.snap"
        for _ in range(600):
            if target.exists():
                taken[label] = target
                return
            await asyncio.sleep(0.1)

    slow = replace(harness.plan.hold_workload, chunks=60)  # tracemalloc: slower to open all
    held = await hold_streams(
        harness, system_spec(name), count=count, slow=slow, env=env, snapshot=snapshot
    )
    if set(taken) != {"idle", "open"}:
        return None
    harness.log("comparing the snapshots")
    idle = tracemalloc.Snapshot.load(str(taken["idle"]))
    busy = tracemalloc.Snapshot.load(str(taken["open"]))
    return {
        "system": name,
        "streams": count,
        "open_at_snapshot": held["open_at_snapshot"],
        **summarize_memory(busy, idle, held["open_at_snapshot"] or count),
    }


def summarize_memory(busy: Any, idle: Any, streams: int, top: int = 20) -> dict[str, Any]:
    """What grew between two tracemalloc snapshots, per open stream: by line and by file."""
    by_file = busy.compare_to(idle, "filename")
    total = sum(stat.size_diff for stat in by_file)

    def rows(stats: list[Any], with_line: bool) -> list[dict[str, Any]]:
        out = []
        for stat in stats[:top]:
            frame = stat.traceback[0]
            where = _short(frame.filename) + (f":{frame.lineno}" if with_line else "")
            out.append(
                {
                    "where": where,
                    "kb_per_stream": round(stat.size_diff / streams / 1024, 2),
                    "blocks_per_stream": round(stat.count_diff / streams, 1),
                    "share": round(stat.size_diff / total, 3) if total else None,
                }
            )
        return out

    tracebacks = [
        {
            "kb_per_stream": round(stat.size_diff / streams / 1024, 2),
            "stack": [f"{_short(f.filename)}:{f.lineno}" for f in stat.traceback],
        }
        for stat in busy.compare_to(idle, "traceback")[:10]
    ]
    return {
        "python_kb_per_stream": round(total / streams / 1024, 1),
        "by_file": rows(by_file, with_line=False),
        "by_line": rows(busy.compare_to(idle, "lineno"), with_line=True),
        "top_tracebacks": tracebacks,
    }


def _short(path: str) -> str:
    """A path from its package folder on: ".../site-packages/quart/app.py" -> "quart/app.py"."""
    for marker in ("site-packages/", "/lib/python3", "/work/main/"):
        if marker in path:
            rest = path.split(marker, 1)[1]
            return rest.split("/", 1)[1] if marker == "/lib/python3" else rest
    return path
