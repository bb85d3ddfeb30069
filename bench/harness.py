"""The run's child processes: the fake upstreams and the systems under test, on their cores.

A pinned run puts the fakes and this process (the load generator) on one core and each
system under test on the other; `Harness.unpinned` lifts that for the multi-core rounds,
where every process may run on every core.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bench import host, procs
from bench.indexes import Indexes
from bench.loadgen import new_session
from bench.plan import Plan, Workload
from bench.specs import BIN, ROOT, SystemSpec

PROBE_CALIBRATION = 300  # `GET /healthz` sent to time what one probe costs the app


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def child_env(extra: dict[str, str]) -> dict[str, str]:
    """This environment without any app setting or coverage hook, plus `extra`."""
    from app.settings import Settings

    names = {name.upper() for name in Settings.model_fields} | {"WEB_CONCURRENCY"}
    env = {
        key: value
        for key, value in os.environ.items()
        if key.upper() not in names
        and not key.startswith(("OPENAI_", "AZURE_", "COV_CORE_", "COVERAGE_"))
    }
    env["PYTHONPATH"] = str(ROOT)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


@dataclass
class Server:
    """A running system under test."""

    spec: SystemSpec
    process: subprocess.Popen[bytes]
    url: str
    log: Path
    core: int | None  # the core it is pinned to, None when unpinned
    lag_endpoint: bool = False
    probe_cpu: float = 0.0  # app CPU seconds per `GET /healthz`, subtracted per probe

    @property
    def pid(self) -> int:
        """The root process (Gunicorn's master, or the only process)."""
        return self.process.pid


@dataclass
class Harness:
    """Shared state of a run: plan, child processes, fakes, cores, indexes, calibrations."""

    plan: Plan
    processes: procs.Processes
    workdir: Path
    app_core: int | None = None
    load_core: int | None = None
    all_cores: set[int] = field(default_factory=lambda: set(procs.cores()))
    fakes: dict[str, Any] = field(default_factory=dict)
    fakes_pid: int = 0
    started: float = field(default_factory=time.perf_counter)
    # Every calibration of the core a system runs on: (what came next, speed).
    speeds: list[tuple[str, float | None]] = field(default_factory=list)
    indexes: Indexes = field(init=False)

    def __post_init__(self) -> None:
        self.indexes = Indexes(self.workdir, child_env, self.log)

    def log(self, text: str) -> None:
        """A progress line, with the seconds since the start."""
        print(f"[{time.perf_counter() - self.started:5.0f} s] {text}", flush=True)

    async def calibrate(self, before: str, core: int | None) -> float | None:
        """The speed of `core` now (`host.core_speed`), recorded as taken before `before`."""
        speed = await asyncio.to_thread(host.core_speed, core)
        self.speeds.append((before, speed))
        return speed

    @property
    def last_speed(self) -> float | None:
        """The latest calibration."""
        return self.speeds[-1][1] if self.speeds else None

    def start_fakes(self) -> None:
        """Start bench.upstreams on the load core and read where it listens."""
        w = self.plan.workload
        command = [
            str(BIN / "python"),
            "-m",
            "bench.upstreams",
            "--watch-stdin",
            f"--chunks={w.chunks}",
            f"--first-token-delay={w.first_token_delay}",
            f"--tokens-per-second={w.tokens_per_second}",
            f"--search-delay={w.search_delay}",
        ]
        log = self.workdir / "upstreams.log"
        process = self.processes.start(
            command,
            env=child_env({}),
            cwd=self.workdir,
            core=self.load_core,
            log=log,
            stdout_pipe=True,
        )
        assert process.stdout is not None
        try:
            self.fakes = json.loads(procs.read_line(process.stdout, timeout=30))
        except (TimeoutError, ValueError) as exc:
            tail = log.read_text()[-2000:]
            raise RuntimeError(f"fake upstreams did not start: {exc}\n{tail}") from None
        self.fakes_pid = int(self.fakes["pid"])

    async def configure_fakes(self, workload: Workload) -> None:
        """Set the fakes' knobs for a workload."""
        async with (
            new_session(limit=1) as session,
            session.post(f"{self.fakes['control']}/config", json=workload.fakes_config()) as r,
        ):
            r.raise_for_status()

    async def start_server(
        self, spec: SystemSpec, env: dict[str, str] | None = None, *, pinned: bool = True
    ) -> Server:
        """Start a system (on the app core when `pinned`) and wait until `/healthz` answers."""
        port = free_port()
        log = self.workdir / f"{spec.name}.log"
        data_dir = await self.indexes.data_dir(spec)
        fakes = {"model": str(self.fakes["model"]), "search": str(self.fakes["search"])}
        core = self.app_core if pinned else None
        process = self.processes.start(
            spec.command(port),
            env=child_env(spec.settings(port=port, fakes=fakes, data_dir=data_dir) | (env or {})),
            cwd=self.workdir,
            core=core,
            log=log,
        )
        url = f"http://127.0.0.1:{port}"
        async with new_session(limit=1) as session:
            await wait_healthy(session, url, process, spec.name, log)
            lag = False
            try:
                async with session.get(url + "/debug/loop-lag") as response:
                    lag = response.status == 200
            except aiohttp.ClientError:
                pass
            # What one probe costs the app, to take the probes out of CPU per answer.
            before = procs.cpu_seconds(process.pid)
            for _ in range(PROBE_CALIBRATION):
                async with session.get(url + "/healthz") as response:
                    await response.read()
            probe_cpu = (procs.cpu_seconds(process.pid) - before) / PROBE_CALIBRATION
        return Server(spec, process, url, log, core, lag_endpoint=lag, probe_cpu=probe_cpu)

    def stop_server(self, server: Server) -> None:
        """Stop a system under test (and its workers)."""
        self.processes.stop(server.process)

    @contextmanager
    def unpinned(self) -> Iterator[None]:
        """Meanwhile the fakes and the load generator may run on every core, and so may the
        servers started meanwhile (children inherit this process' cores)."""
        if self.load_core is None:
            yield
            return
        for pid in (self.fakes_pid, os.getpid()):
            procs.set_affinity(pid, self.all_cores)
        try:
            yield
        finally:
            for pid in (self.fakes_pid, os.getpid()):
                procs.set_affinity(pid, {self.load_core})


async def wait_healthy(
    session: aiohttp.ClientSession,
    url: str,
    process: subprocess.Popen[bytes],
    name: str,
    log: Path,
) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited:\n{_tail(log)}")
        try:
            async with session.get(url + "/healthz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError(f"{name} did not become healthy:\n{_tail(log)}")


def _tail(log: Path) -> str:
    """The end of a server's log, for an error message."""
    return log.read_text(errors="replace")[-3000:]


@asynccontextmanager
async def serving(
    harness: Harness, spec: SystemSpec, env: dict[str, str] | None = None
) -> AsyncIterator[Server]:
    """A started system, stopped on the way out."""
    server = await harness.start_server(spec, env)
    try:
        yield server
    finally:
        harness.stop_server(server)
