"""The host under the numbers: one pinned run at a time, and how fast the app's core is.

Two benchmarks pinned to the same cores halve each other's numbers without either noticing,
so a pinned run holds an exclusive `flock` on `LOCK_FILE` for its whole duration; a second
one is refused at once with the holder's pid (or waits, with `--wait-lock`). The kernel drops
the lock when its holder exits, however it exits, so a crashed run leaves nothing to clean up.

On a shared or throttled host a core can run at half speed for minutes, and every number
with it: `core_speed` times a pure-Python loop on the app's core before every system and
level, and `speed_summary` marks what was measured on a slow core.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench import procs
from bench.specs import BIN

LOCK_FILE = Path("/tmp/ragchat-bench.lock")  # noqa: S108 - well known on purpose: one per host
SLOW = 0.15  # a core this much below the run's median speed makes a level suspect


class LockHeld(RuntimeError):
    """Another pinned benchmark holds the lock; the message names it."""


@contextmanager
def exclusive_run(path: Path = LOCK_FILE, *, wait: bool = False) -> Iterator[None]:
    """Hold the benchmark lock meanwhile; `LockHeld` at once if another run has it, unless
    `wait`. The file then says who holds it: `pid <pid>: <command>`."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except PermissionError:  # another user's file: it can still be locked, not written
        fd = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            if not wait:
                raise LockHeld(
                    f"another pinned benchmark is running ({holder}; lock {path}): "
                    "run again when it ends, or pass --wait-lock to wait for it"
                ) from None
            print(f"waiting for the benchmark lock, held by {holder}", file=sys.stderr)
            fcntl.flock(fd, fcntl.LOCK_EX)
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()}: {' '.join(sys.argv)}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def _holder(fd: int) -> str:
    """What the lock file says about its holder."""
    text = os.pread(fd, 4096, 0).decode(errors="replace").strip()
    return text or "a process that has not written its pid yet"


SPEED_TEST = """
import time
start = time.perf_counter(); n = 0
while time.perf_counter() - start < 0.5:
    for i in range(10_000):
        n += i & 3
print(round(n / 1.5e4 / (time.perf_counter() - start), 1))
"""


def core_speed(core: int | None) -> float | None:
    """A pure-Python loop's speed on `core` (arbitrary units): compare runs and machines."""
    try:
        done = subprocess.run(
            procs.pinned([str(BIN / "python"), "-c", SPEED_TEST], core),
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        )
        return float(done.stdout.strip())
    except (subprocess.SubprocessError, ValueError, OSError):
        return None


def speed_summary(speeds: list[float | None]) -> dict[str, Any]:
    """Median, range and spread (1 - min/max) of a run's calibrations."""
    known = sorted(s for s in speeds if s is not None)
    if not known:
        return {"count": 0, "median": None, "min": None, "max": None, "spread": None}
    middle = len(known) // 2
    median = known[middle] if len(known) % 2 else (known[middle - 1] + known[middle]) / 2
    return {
        "count": len(known),
        "median": round(median, 1),
        "min": known[0],
        "max": known[-1],
        "spread": round(1 - known[0] / known[-1], 3),
    }


def mark_slow(levels: list[dict[str, Any]], median: float | None) -> int:
    """Set `slow_core` on each level measured on a core more than `SLOW` below `median`;
    returns how many."""
    slow = 0
    for level in levels:
        speed = level.get("app_core_speed")
        level["slow_core"] = bool(median and speed is not None and speed < (1 - SLOW) * median)
        slow += level["slow_core"]
    return slow


def spread_warning(summary: dict[str, Any]) -> str | None:
    """A warning when the app core's speed varied by more than `SLOW` during the run."""
    spread = summary.get("spread")
    if spread is None or spread <= SLOW:
        return None
    return (
        f"warning: the app core's speed varied by {spread:.0%} during the run "
        f"({summary['min']} to {summary['max']}, median {summary['median']}): the host was "
        f"shared or throttled; levels measured more than {SLOW:.0%} below the median are "
        "marked (slow core) in the table"
    )
