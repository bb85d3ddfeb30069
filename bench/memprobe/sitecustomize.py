"""Memory snapshots of a server the benchmark cannot instrument (`bench.load`'s memory profile).

Python imports `sitecustomize` at start-up from the first folder on sys.path that has one;
the benchmark puts this folder on PYTHONPATH only for its memory-profile run. With
BENCH_TRACEMALLOC set to a folder, every process (Gunicorn's forked workers too) watches it:
when `FOLDER/start.request` appears it starts `tracemalloc` (late, so start-up and warm-up run
at full speed), and when `FOLDER/<name>.request` appears it writes a snapshot to
`FOLDER/<pid>-<name>.snap`. Without the variable it does nothing.
"""

from __future__ import annotations

import os
import threading
import time
import tracemalloc
from pathlib import Path

FRAMES = 8


def _watch(folder: Path) -> None:
    done: set[str] = set()
    while True:
        for request in sorted(folder.glob("*.request")):
            name = request.stem
            if name in done:
                continue
            done.add(name)
            if name == "start":
                tracemalloc.start(FRAMES)
            elif tracemalloc.is_tracing():
                target = folder / f"{os.getpid()}-{name}.snap"
                tracemalloc.take_snapshot().dump(f"{target}.part")
                os.replace(f"{target}.part", target)
        time.sleep(0.1)


def _start_watching() -> None:
    folder = Path(os.environ["BENCH_TRACEMALLOC"])
    threading.Thread(target=_watch, args=(folder,), name="bench-tracemalloc", daemon=True).start()


if os.environ.get("BENCH_TRACEMALLOC"):
    _start_watching()
    os.register_at_fork(after_in_child=_start_watching)
