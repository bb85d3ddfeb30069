"""Where a server's CPU goes under load: a py-spy profile at one level, summarised.

`profile_app` runs one closed-loop level while py-spy records the worker (`--native`, so the
time under uvloop's C code is named too, and `--threads`, the event loop apart from the
other threads); `summarize_profile` turns the collapsed stacks into the top functions (self
and inclusive) and packages. Run only when a target is missed, never while measuring: py-spy
pauses the process 100 times a second.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench import procs
from bench.harness import Harness, serving
from bench.levels import closed_level
from bench.specs import BIN, ROOT, system_spec


@contextmanager
def py_spy(pid: int, seconds: float, output: Path, core: int | None) -> Iterator[bool]:
    """Record a py-spy profile (collapsed stacks, native frames too) of `pid` meanwhile.

    `--native` shows what the Python-only view lumps into the event loop (uvloop is C):
    system calls, the interpreter, C parsers. It needs blocking sampling, which pauses the
    process 100 times a second: fine for a profile, never used while measuring.
    """
    exe = shutil.which("py-spy") or str(BIN / "py-spy")
    if not Path(exe).exists():
        yield False
        return
    command = procs.pinned(
        [
            exe,
            "record",
            "--pid",
            str(pid),
            "--rate",
            "100",
            "--duration",
            str(int(seconds)),
            "--format",
            "raw",
            "--native",
            "--threads",  # the event loop apart from aiosqlite's and executor threads
            "--output",
            str(output),
        ],
        core,
    )
    with subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    ) as process:
        try:
            yield True
        finally:
            try:
                _, err = process.communicate(timeout=seconds + 30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                _, err = process.communicate()
            if process.returncode and not output.exists():
                print(f"py-spy failed: {err.decode()[-500:]}", file=sys.stderr)


async def profile_app(harness: Harness, name: str, concurrency: int) -> dict[str, Any] | None:
    """A py-spy profile of the app's worker at C=`concurrency`; summary of where time goes."""
    plan = harness.plan
    spec = system_spec(name)
    output = plan.out / f"profile-{name}-c{concurrency}.txt"
    async with serving(harness, spec) as server:
        worker = procs.worker_pids(server.pid)[0]
        result: dict[str, Any] = {}

        async def record() -> None:
            with py_spy(worker, plan.profile_seconds, output, harness.load_core) as ok:
                result["recorded"] = ok
                await asyncio.sleep(plan.profile_seconds + 1)

        level = await closed_level(harness, server, concurrency, 1e9, during=record)
    if not output.exists():
        return None
    summary = summarize_profile(output)
    return {
        "system": name,
        "concurrency": concurrency,
        "file": str(output.relative_to(ROOT)) if output.is_relative_to(ROOT) else str(output),
        "level": level,
        **summary,
    }


_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")


# py-spy names files relative to their sys.path entry: "quart/app.py", "core/pipeline/...".
_PACKAGES = {"documents": "azure.search.documents", "core": "azure.core", "app": "app (ours)"}
# Native frames (py-spy --native), by file or library.
_NATIVE = {
    "loop.c": "uvloop (C)",
    "_json.c": "stdlib json (C)",
    "_asynciomodule.c": "stdlib asyncio (C)",
    "_http_parser.c": "aiohttp parser (C)",
    "libpython": "CPython interpreter (C)",
    "object.h": "CPython interpreter (C)",
}
_SYSCALLS = {"write", "writev", "send", "sendmsg", "read", "recv", "recvmsg", "epoll_pwait",
             "epoll_wait", "epoll_ctl", "close", "accept4", "connect", "getpid"}  # fmt: skip
# The event loop's own frames: what runs below them is one callback or task step.
_LOOP_FRAMES = {
    "Runner.run", "BaseEventLoop.run_forever", "BaseEventLoop._run_once", "Handle._run",
    "run_until_complete", "run_forever", "uv_run", "Loop__on_idle", "Handle__run", "task_step",
    "task_step_impl", "task_wakeup", "uv__io_poll", "uv__run_idle", "loop_cb_idle_callback",
}  # fmt: skip
# The first frame of a stack recorded with `py-spy --threads`: "thread (1234): MainThread".
_THREAD = re.compile(r"^thread \(\d+\): (?P<name>.*)$")
# A thread waiting for work (the default executor's idle threads), not CPU.
_IDLE = ("PyThread_acquire_lock_timed", "_queue_SimpleQueue_get", "pthread_cond_")


def _where(function: str, file: str) -> str:
    """A short package (or native library) name for a frame as py-spy prints it."""
    if file.startswith("lib") and ".so" in file:
        if file.startswith("libc.") and function in _SYSCALLS:
            return "system calls (read/write/epoll)"
        return next((v for k, v in _NATIVE.items() if file.startswith(k)), file.split(".so")[0])
    if file.endswith((".c", ".h")) or file in _NATIVE:
        return _NATIVE.get(file, "CPython interpreter (C)" if file.endswith(".h") else file)
    if ".so" in file:
        return file.split("/", 1)[0] + " (C)"
    first = file.split("/", 1)[0].removesuffix(".py")
    if first in _PACKAGES:
        return _PACKAGES[first]
    if first in sys.stdlib_module_names:
        return f"stdlib {first}"
    return first


def summarize_profile(path: Path, top: int = 25) -> dict[str, Any]:
    """Top functions (self and inclusive) and packages from py-spy's collapsed stacks.

    Inclusive counts start below the event loop's frames, so they show which callbacks and
    task steps the time goes to; time in the loop itself (uvloop is C) is one entry. A profile
    recorded with `--threads` also gets the samples of each thread (by name: "MainThread" is
    the event loop, "Thread (_connection_worker_thread)" is aiosqlite's).
    """
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    packages: Counter[str] = Counter()
    threads: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [frame for frame in stack.split(";") if frame]
        thread = None
        if frames and (named := _THREAD.match(frames[0])):
            thread = re.sub(r"-\d+\b", "", named["name"])
            frames = frames[1:]
        if any(marker in frame for frame in frames for marker in _IDLE):
            continue
        if thread is not None:
            threads[thread] += count
        names = []
        for frame in frames:
            match = _FRAME.match(frame.strip())
            if match is None:
                names.append((frame.strip(), "?"))
                continue
            file = match["file"]
            names.append((f"{match['func']} ({file})", _where(match["func"], file)))
        if not names:
            continue
        total += count
        loop = max(
            (i for i, (name, _) in enumerate(names) if name.split(" (")[0] in _LOOP_FRAMES),
            default=-1,
        )
        leaf, package = names[-1]
        if loop == len(names) - 1:
            leaf, package = "(in the event loop, no deeper frame)", "event loop (C)"
        own[leaf] += count
        packages[package] += count
        for name in {name for name, _ in names[loop + 1 :] if ".py)" in name}:
            inclusive[name] += count

    def share(counter: Counter[str]) -> list[dict[str, Any]]:
        return [
            {"name": name, "samples": n, "share": round(n / total, 4)}
            for name, n in counter.most_common(top)
        ]

    return {
        "samples": total,
        "self": share(own),
        "inclusive": share(inclusive),
        "packages": share(packages),
        **({"threads": share(threads)} if threads else {}),
    }
