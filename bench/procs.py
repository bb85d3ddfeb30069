"""Child processes of the benchmark: start them pinned to a core, measure them, stop them.

Every process is started in its own session (process group), so stopping it also stops the
workers it forked; `Processes.stop_all` runs from `finally`, including on Ctrl-C. CPU time and
memory come from `/proc/<pid>/stat` and `/proc/<pid>/statm` of the process and its
descendants.
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def raise_fd_limit() -> int:
    """Raise this process' open-file limit to the hard limit; children inherit it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = max(soft, 1_048_576)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def cores() -> list[int]:
    """The cores this process may run on."""
    return sorted(os.sched_getaffinity(0))


def pinned(command: Sequence[str], core: int | None) -> list[str]:
    """`command` run under `taskset -c core` (unchanged when core is None or no taskset)."""
    taskset = shutil.which("taskset")
    if core is None or taskset is None:
        return list(command)
    return [taskset, "-c", str(core), *command]


def set_affinity(pid: int, allowed: set[int]) -> None:
    """Move every thread of `pid` to the `allowed` cores (not its children).

    `sched_setaffinity` moves one thread; threads started later inherit their creator's.
    """
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return
    for tid in tasks:
        with contextlib.suppress(OSError):
            os.sched_setaffinity(int(tid), allowed)


@dataclass
class Processes:
    """The child processes of one benchmark run."""

    running: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(
        self,
        command: Sequence[str],
        *,
        env: dict[str, str],
        cwd: Path,
        core: int | None,
        log: Path,
        stdout_pipe: bool = False,
    ) -> subprocess.Popen[bytes]:
        """Start `command` pinned to `core`, logging stderr (and stdout unless piped) to `log`."""
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as log_file:
            process = subprocess.Popen(
                pinned(command, core),
                env=env,
                cwd=cwd,
                stdin=subprocess.PIPE,  # EOF when we exit: see --watch-stdin
                stdout=subprocess.PIPE if stdout_pipe else log_file,
                stderr=log_file,
                start_new_session=True,
            )
        self.running.append(process)
        return process

    def stop(self, process: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
        """SIGTERM the process group, wait, then SIGKILL what is left."""
        if process in self.running:
            self.running.remove(process)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        # Workers that ignored SIGTERM after their master left.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        for stream in (process.stdin, process.stdout, process.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()

    def stop_all(self) -> None:
        """Stop every process still running, newest first."""
        for process in reversed(list(self.running)):
            self.stop(process, timeout=5.0)


def read_line(stream: IO[bytes], timeout: float) -> bytes:
    """One line from a child's stdout, or TimeoutError."""
    import selectors

    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if selector.select(timeout=deadline - time.monotonic()):
                return stream.readline()
    raise TimeoutError("the child process did not answer in time")


# ---------------------------------------------------------------------- /proc readings


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # Field 2 (the command) may hold spaces and parentheses: split after its last ")".
    return text[text.rindex(")") + 2 :].split()


def descendants(root: int) -> list[int]:
    """`root` and every live process under it."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if fields is not None:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, queue = [], [root]
    while queue:
        pid = queue.pop()
        found.append(pid)
        queue.extend(children.get(pid, []))
    return found


def cpu_seconds(root: int) -> float:
    """User + system CPU of `root` and its live descendants, plus the children it reaped.

    A Gunicorn worker that is recycled moves from the live sum into its master's
    cutime/cstime, so the total stays continuous across restarts.
    """
    ticks = 0
    for pid in descendants(root):
        fields = _stat_fields(pid)
        if fields is None:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
        if pid == root:
            ticks += int(fields[13]) + int(fields[14])  # cutime, cstime
    return ticks / CLOCK_TICKS


def thread_cpu_seconds(pid: int) -> dict[int, float]:
    """User + system CPU of each live thread of `pid`, by thread id (the main thread's is
    `pid`)."""
    out: dict[int, float] = {}
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return out
    for tid in tasks:
        try:
            text = Path(f"/proc/{pid}/task/{tid}/stat").read_text()
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        fields = text[text.rindex(")") + 2 :].split()
        out[int(tid)] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return out


def rss_bytes(pids: Iterator[int] | Sequence[int]) -> int:
    """Resident memory of the given processes, summed."""
    total = 0
    for pid in pids:
        try:
            resident = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        total += resident * PAGE_SIZE
    return total


def worker_pids(root: int) -> list[int]:
    """The processes that serve requests: the children of a master, else `root` itself."""
    tree = descendants(root)
    return tree[1:] or tree


def own_cpu_seconds() -> float:
    """CPU time used by this process (the load generator)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def core_times() -> dict[int, tuple[float, float]]:
    """Per core: (busy seconds, stolen seconds) since boot, from /proc/stat.

    Busy is user + nice + system + irq + softirq + steal: everything but idle and iowait.
    Minus the CPU of our own processes on that core, it is what something else used.
    """
    out: dict[int, tuple[float, float]] = {}
    for line in Path("/proc/stat").read_text().splitlines():
        name, *fields = line.split()
        if not name.startswith("cpu") or name == "cpu":
            continue
        user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
        busy = user + nice + system + irq + softirq + steal
        out[int(name[3:])] = (busy / CLOCK_TICKS, steal / CLOCK_TICKS)
    return out
