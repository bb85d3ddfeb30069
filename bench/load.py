"""Concurrency benchmark: `python -m bench.load` (`make bench`).

    python -m bench.load [--systems app-gunicorn,flask-sync] [--levels 10,100] [--quick]
                         [--no-pin] [--no-hold] [--no-profile] [--out bench/results]

Starts the fake upstreams (`bench.upstreams`: fake OpenAI SSE and fake Azure AI Search) in
their own process on one core, then each system under test, one at a time, on the other core,
and drives them from this process (same core as the fakes) with the same work per request: one
search, then a streamed answer of N chunks.

Systems: this app under Hypercorn (`python -m app`) and under Gunicorn with one Uvicorn worker
(`gunicorn.conf.py`), both in the production shape (CHAT_PROVIDER=openai, SEARCH_BACKEND=azure);
the Gunicorn one again with CHAT_HISTORY=local (`app-gunicorn-history`: SQLite in the run's
temp dir), whose clients save the whole conversation after every answer as the SPA does (see
bench.loadgen's `Browser`; a request is then the answer plus its save); a sync Flask +
Gunicorn baseline (bench/systems/flask_sync.py, 2 x cores + 1 sync workers); and a minimal
Quart + AsyncOpenAI reference (bench/systems/quart_minimal.py) under Uvicorn.

Measured per closed-loop level C: throughput; p50/p90/p99 of time to first byte, to the first
answer token and to the end; app-added time to first token (minus the fake's search delay and
time to first token); app CPU per answer (from /proc, master and workers); RSS; event-loop lag
(latency of `GET /healthz` sent every 100 ms during the level); the load generator's and the
fakes' own CPU; with history, the save's latency and the throughput against the same level
without history. Then open-loop runs at a fixed arrival rate, `/chat/stream` once, 2,000 open
streams held at once on one worker (RSS per stream), C=100 without and with history again in
back-to-back rounds (issue 10's target: at least 95% of the throughput), and a py-spy profile
when a target is missed. Writes bench/results/load.json and load.png and prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import aiohttp

from bench import procs, report
from bench.loadgen import (
    Browser,
    LagProbe,
    Run,
    Sample,
    Target,
    closed_loop,
    new_session,
    open_loop,
    preconnect,
    stream_once,
    summary_ms,
)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent
LEVELS = (10, 50, 100, 200, 500, 1000, 2000)
HISTORY_SYSTEM = report.HISTORY_SYSTEM
SYSTEMS = ("app-hypercorn", "app-gunicorn", HISTORY_SYSTEM, "quart-minimal", "flask-sync")
Kind = Literal["app", "minimal", "flask"]
PROBE_CALIBRATION = 300
MAX_RAMP = 8.0  # seconds; keep-alive timeouts must be longer (Hypercorn's 5 s: no preconnect)


@dataclass(frozen=True)
class Workload:
    """What every request costs upstream: one search, then a paced stream of chunks."""

    search_delay: float = 0.05
    first_token_delay: float = 0.5
    chunks: int = 100
    tokens_per_second: float = 100.0

    @property
    def model_seconds(self) -> float:
        """The fake model's answer: first token, then the other chunks at the set pace."""
        pace = (self.chunks - 1) / self.tokens_per_second if self.tokens_per_second else 0.0
        return self.first_token_delay + max(0.0, pace)

    @property
    def ideal_latency(self) -> float:
        """The end-to-end time of an answer with a server that adds nothing."""
        return self.search_delay + self.model_seconds

    @property
    def upstream_ttft(self) -> float:
        """The part of the time to first token spent waiting on the fakes."""
        return self.search_delay + self.first_token_delay

    def fakes_config(self) -> dict[str, Any]:
        """The body of the fakes' `POST /config`."""
        return {
            "model": {
                "chunks": self.chunks,
                "first_token_delay": self.first_token_delay,
                "tokens_per_second": self.tokens_per_second or None,
            },
            "search": {"delay": self.search_delay},
        }


@dataclass(frozen=True)
class Plan:
    """Everything one run does."""

    systems: tuple[str, ...] = SYSTEMS
    levels: tuple[int, ...] = LEVELS
    flask_levels: tuple[int, ...] = (10, 50)
    workload: Workload = field(default_factory=Workload)
    open_loop_rates: dict[str, float] = field(
        default_factory=lambda: {
            "app-gunicorn": 60.0,
            "flask-sync": 2.5,
        }
    )
    open_loop_window: float = 10.0
    chat_level: int | None = 100  # one /chat/stream level on app-gunicorn
    # Then C=history_level again without and with history, back to back, this many times.
    history_rounds: int = 5
    history_level: int = 100
    hold_streams: int = 2000
    hold_systems: tuple[str, ...] = ("app-gunicorn",)
    hold_workload: Workload = field(
        default_factory=lambda: Workload(
            search_delay=0.05, first_token_delay=0.2, chunks=30, tokens_per_second=2.0
        )
    )
    min_window: float = 6.0
    max_window: float = 10.0
    flask_min_window: float = 10.0
    flask_max_window: float = 12.0
    probe_interval: float = 0.1
    profile: bool = True
    profile_seconds: float = 8.0
    memory_streams: int = 300
    pin: bool = True
    out: Path = RESULTS


def quick_plan(out: Path, systems: tuple[str, ...] = SYSTEMS) -> Plan:
    """A short run of the whole machinery (about a minute): small levels, short windows."""
    return Plan(
        systems=systems,
        levels=(10, 100),
        flask_levels=(10,),
        open_loop_window=3.0,
        chat_level=None,
        history_rounds=3,
        hold_streams=200,
        hold_systems=("app-gunicorn",),
        min_window=2.0,
        max_window=3.0,
        flask_min_window=3.0,
        flask_max_window=3.0,
        profile=False,
        out=out,
    )


def smoke_plan(out: Path) -> Plan:
    """A few seconds: our app under Hypercorn, and under Gunicorn saving every answer, C=2,
    fast fakes, everything else off."""
    fast = Workload(search_delay=0.0, first_token_delay=0.0, chunks=5, tokens_per_second=0.0)
    return Plan(
        systems=("app-hypercorn", HISTORY_SYSTEM),
        levels=(2,),
        workload=fast,
        open_loop_rates={"app-hypercorn": 5.0},
        open_loop_window=1.0,
        chat_level=None,
        history_rounds=0,
        hold_streams=4,
        hold_systems=("app-hypercorn",),
        hold_workload=replace(fast, chunks=4, tokens_per_second=4.0),
        min_window=1.0,
        max_window=1.0,
        flask_min_window=1.0,
        flask_max_window=1.0,
        profile=False,
        pin=False,
        out=out,
    )


# ---------------------------------------------------------------------- servers


@dataclass(frozen=True)
class SystemSpec:
    """How to start one system under test."""

    name: str
    kind: Kind
    label: str
    workers: int = 1
    # Serves on uvloop, which accepts one connection per loop iteration: open the clients'
    # connections before the load (see `preconnect`). Its keep-alive must outlast MAX_RAMP.
    uvloop: bool = False
    max_level: int | None = None  # the highest C to run
    # CHAT_HISTORY=local, and each client saves the conversation after every answer.
    history: bool = False

    def command(self, port: int) -> list[str]:
        """The command line, bound to 127.0.0.1:port."""
        bind = f"127.0.0.1:{port}"
        if self.name == "app-hypercorn":
            return [str(BIN / "python"), "-m", "app", "--host", "127.0.0.1"]
        if self.name in ("app-gunicorn", HISTORY_SYSTEM):
            # The production config; only the address changes (it binds 0.0.0.0).
            config = str(ROOT / "gunicorn.conf.py")
            return [str(BIN / "gunicorn"), "-c", config, "-b", bind, "app:create_app()"]
        if self.name == "flask-sync":
            return [
                str(BIN / "gunicorn"),
                "-w",
                str(self.workers),
                "-k",
                "sync",
                "-b",
                bind,
                "--log-level",
                "warning",
                "bench.systems.flask_sync:app",
            ]
        if self.name in ("quart-minimal", "quart-minimal-sdk"):
            return [
                str(BIN / "python"),
                "-m",
                "uvicorn",
                "bench.systems.quart_minimal:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
                "--no-access-log",
                "--timeout-keep-alive",
                "75",  # as gunicorn.conf.py's keepalive
            ]
        raise ValueError(f"unknown system {self.name}")


def system_spec(name: str) -> SystemSpec:
    """The spec of a system by name."""
    cpus = os.cpu_count() or 1
    specs = {
        # Hypercorn (`make run`) stops at 500 and the floor at 1000, both saturated already:
        # C=2000 is for production's server only (the time budget).
        "app-hypercorn": SystemSpec(
            "app-hypercorn", "app", "app (Hypercorn, 1 worker)", max_level=500
        ),
        "app-gunicorn": SystemSpec(
            "app-gunicorn", "app", "app (Gunicorn+Uvicorn, 1 worker)", uvloop=True
        ),
        HISTORY_SYSTEM: SystemSpec(
            HISTORY_SYSTEM,
            "app",
            "app (Gunicorn+Uvicorn, 1 worker), CHAT_HISTORY=local, a save after every answer",
            uvloop=True,
            history=True,
        ),
        "quart-minimal": SystemSpec(
            "quart-minimal", "minimal", "minimal Quart (Uvicorn)", uvloop=True, max_level=1000
        ),
        "quart-minimal-sdk": SystemSpec(
            "quart-minimal-sdk", "minimal", "minimal Quart, SDK chunk objects", uvloop=True
        ),
        "flask-sync": SystemSpec(
            "flask-sync", "flask", f"Flask sync ({2 * cpus + 1} workers)", workers=2 * cpus + 1
        ),
    }
    return specs[name]


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
    lag_endpoint: bool = False
    probe_cpu: float = 0.0  # app CPU seconds per `GET /healthz`, subtracted per probe

    @property
    def pid(self) -> int:
        """The root process (Gunicorn's master, or the only process)."""
        return self.process.pid


@dataclass
class Harness:
    """Shared state of a run: plan, child processes, fakes, cores."""

    plan: Plan
    processes: procs.Processes
    workdir: Path
    app_core: int | None = None
    load_core: int | None = None
    fakes: dict[str, Any] = field(default_factory=dict)
    fakes_pid: int = 0
    started: float = field(default_factory=time.perf_counter)

    def log(self, text: str) -> None:
        """A progress line, with the seconds since the start."""
        print(f"[{time.perf_counter() - self.started:5.0f} s] {text}", flush=True)

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
        process = self.processes.start(
            command,
            env=child_env({}),
            cwd=self.workdir,
            core=self.load_core,
            log=self.workdir / "upstreams.log",
            stdout_pipe=True,
        )
        assert process.stdout is not None
        try:
            line = procs.read_line(process.stdout, timeout=30)
            self.fakes = json.loads(line)
        except (TimeoutError, ValueError) as exc:
            tail = (self.workdir / "upstreams.log").read_text()[-2000:]
            raise RuntimeError(f"fake upstreams did not start: {exc}\n{tail}") from None
        self.fakes_pid = int(self.fakes["pid"])

    def server_env(self, spec: SystemSpec, port: int) -> dict[str, str]:
        """The environment of a system under test: everything points at the fakes; with
        history, the SQLite store (LOCAL_INDEX_DIR/history.sqlite3) in the run's temp dir."""
        history = {
            "CHAT_HISTORY": "local" if spec.history else "browser",
            "LOCAL_INDEX_DIR": str(self.workdir / f"{spec.name}-data"),
        }
        return child_env(
            {
                "PORT": str(port),
                "WEB_CONCURRENCY": "1",
                "CHAT_PROVIDER": "openai",
                "OPENAI_BASE_URL": str(self.fakes["model"]),
                "OPENAI_API_KEY": "x",
                "OPENAI_CHAT_MODEL": "fake",
                "SEARCH_BACKEND": "azure",
                "AZURE_SEARCH_ENDPOINT": str(self.fakes["search"]),
                "AZURE_SEARCH_API_KEY": "x",
                "AZURE_SEARCH_SEMANTIC_RANKER": "false",
                "UPSTREAM_MAX_RETRIES": "0",
                "LOG_LEVEL": "WARNING",
                "MINIMAL_STREAM": "sdk" if spec.name == "quart-minimal-sdk" else "raw",
            }
            | history
        )

    async def start_server(self, spec: SystemSpec, env: dict[str, str] | None = None) -> Server:
        """Start a system on the app core and wait until `/healthz` answers."""
        port = free_port()
        log = self.workdir / f"{spec.name}.log"
        process = self.processes.start(
            spec.command(port),
            env=self.server_env(spec, port) | (env or {}),
            cwd=self.workdir,
            core=self.app_core,
            log=log,
        )
        url = f"http://127.0.0.1:{port}"
        async with new_session(limit=1) as session:
            for _ in range(300):
                if process.poll() is not None:
                    raise RuntimeError(f"{spec.name} exited:\n{log.read_text()[-3000:]}")
                try:
                    async with session.get(url + "/healthz") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise RuntimeError(
                    f"{spec.name} did not become healthy:\n{log.read_text()[-3000:]}"
                )
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
        return Server(spec, process, url, log, lag_endpoint=lag, probe_cpu=probe_cpu)

    def stop_server(self, server: Server) -> None:
        """Stop a system under test (and its workers)."""
        self.processes.stop(server.process)

    async def configure_fakes(self, workload: Workload) -> None:
        """Set the fakes' knobs for a workload."""
        async with (
            new_session(limit=1) as session,
            session.post(f"{self.fakes['control']}/config", json=workload.fakes_config()) as r,
        ):
            r.raise_for_status()


@asynccontextmanager
async def serving(harness: Harness, spec: SystemSpec, env: dict[str, str] | None = None) -> Any:
    """A started system, stopped on the way out."""
    server = await harness.start_server(spec, env)
    try:
        yield server
    finally:
        harness.stop_server(server)


# ---------------------------------------------------------------------- one level


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


def interference(
    before: Readings, after: Readings, app_core: int | None, load_core: int | None
) -> dict[str, float]:
    """Share of each pinned core used by something other than our processes, and stolen.

    Anything above a few percent on the app core (a test run, a build, a noisy VM
    neighbour) makes that level's latency and CPU numbers unreliable.
    """
    window = max(after.at - before.at, 1e-9)
    out: dict[str, float] = {}
    ours = {
        app_core: after.app_cpu - before.app_cpu,
        load_core: (after.fakes_cpu - before.fakes_cpu) + (after.loadgen_cpu - before.loadgen_cpu),
    }
    for label, core in (("app_core", app_core), ("load_core", load_core)):
        if core is None or core not in before.cores or core not in after.cores:
            continue
        busy = after.cores[core][0] - before.cores[core][0]
        steal = after.cores[core][1] - before.cores[core][1]
        out[f"{label}_other"] = round(max(0.0, busy - ours[core]) / window, 3)
        out[f"{label}_steal"] = round(steal / window, 3)
    return out


def read_counters(server: Server, fakes_pid: int) -> Readings:
    """Read CPU and memory of the server, the fakes and this process."""
    workers = tuple(procs.worker_pids(server.pid))
    return Readings(
        at=time.perf_counter(),
        app_cpu=procs.cpu_seconds(server.pid),
        fakes_cpu=procs.cpu_seconds(fakes_pid),
        loadgen_cpu=procs.own_cpu_seconds(),
        app_rss=procs.rss_bytes(procs.descendants(server.pid)),
        worker_rss=max((procs.rss_bytes([pid]) for pid in workers), default=0),
        workers=workers,
        cores=procs.core_times(),
        threads=procs.thread_cpu_seconds(workers[0]) if workers else {},
    )


def stats(
    run: Run,
    before: Readings,
    after: Readings,
    workload: Workload,
    probe: LagProbe | None,
    probe_cpu: float = 0.0,
) -> dict[str, Any]:
    """The numbers of one level; `probe_cpu` is the app's CPU seconds per `/healthz` probe."""
    window = max(after.at - before.at, 1e-9)
    probes = probe.latencies(before.at, after.at) if probe is not None else []
    done = run.in_window()
    good = [s for s in done if s.ok]
    errors: dict[str, int] = {}
    failed = [sample for sample in run.samples if not sample.ok]
    for sample in failed:
        key = sample.error or "unknown"
        errors[key] = errors.get(key, 0) + 1
    total_cpu = after.app_cpu - before.app_cpu
    cpu = max(0.0, total_cpu - len(probes) * probe_cpu)  # without the probes' own cost
    added = [s.ttft - workload.upstream_ttft for s in good]
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
        "app_added_ttft_ms": summary_ms(added),
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
    saves = [s for s in good if not math.isnan(s.save)]
    if saves:
        result["save_ms"] = summary_ms([s.save for s in saves])
        result["save_body_kb"] = {
            "mean": round(sum(s.save_bytes for s in saves) / len(saves) / 1024, 1),
            "max": round(max(s.save_bytes for s in saves) / 1024, 1),
        }
    if good and before.workers and before.workers == after.workers:
        # The event loop is the worker's main thread (less the probes); aiosqlite's and any
        # executor threads are the others. Both are in app_cpu_ms_per_answer.
        main = before.workers[0]
        spent = {t: cpu - before.threads.get(t, 0.0) for t, cpu in after.threads.items()}
        loop_ms = 1000 * max(0.0, spent.pop(main, 0.0) - len(probes) * probe_cpu) / len(good)
        result["worker_threads_cpu_ms_per_answer"] = {
            "event_loop": round(loop_ms, 3),
            "other_threads": round(1000 * sum(spent.values()) / len(good), 3),
        }
    return result


def next_capacity(level: dict[str, Any]) -> float:
    """The throughput to expect at the next, higher level of an async server.

    Saturated (90% of its core), it will not do much better; below that, CPU per answer
    drops as load rises (more chunks per read and per write), so allow half as much again.
    """
    throughput = float(level["throughput_rps"])
    if float(level["app_cpu_util"]) >= 0.9:
        return max(1.0, 1.1 * throughput)
    return max(1.0, throughput, 1.5 * 0.9 * 1000 / float(level["app_cpu_ms_per_answer"]))


def level_timing(
    plan: Plan, spec: SystemSpec, concurrency: int, capacity: float
) -> tuple[float, float, float, float]:
    """(ramp, warmup, window, drain) for a level, from the expected latency.

    `capacity` is the throughput the system can reach (answers per second); below it the
    latency is the ideal one, above it closed-loop latency grows as C / capacity. The warmup
    lets the first wave of requests through; requests still open `drain` seconds after the
    window are cancelled (not counted as errors: the level is over).
    """
    ideal = plan.workload.ideal_latency
    expected = max(ideal, concurrency / capacity) if capacity > 0 else ideal
    # Clients start spread over one answer's time, so their requests are out of phase: started
    # together, they would end together (in waves), and a window would count whole waves or
    # none. Past the ramp every client has a request open: steady state, once the requests
    # started early in the ramp (under less load) are through.
    ramp = min(MAX_RAMP, max(ideal, expected))
    warmup = ramp + 0.75 * expected + 0.5
    if spec.kind == "flask":
        shortest, longest = plan.flask_min_window, plan.flask_max_window
    else:
        shortest, longest = plan.min_window, plan.max_window
    window = min(longest, max(shortest, 1.5 * expected))
    drain = min(3.0, expected)
    return ramp, warmup, window, drain


async def measure(
    harness: Harness,
    server: Server,
    workload: Workload,
    drive: Callable[[Callable[[], Awaitable[None]], Callable[[], Awaitable[None]]], Awaitable[Run]],
) -> tuple[Run, dict[str, Any]]:
    """Run `drive(on_start, on_end)`, probing `/healthz` throughout; read the counters at the
    window's edges."""
    readings: dict[str, Readings] = {}
    lag: dict[str, Any] = {}
    probe = LagProbe(server.url, interval=harness.plan.probe_interval)
    stop = asyncio.Event()
    probe_task = asyncio.create_task(probe.run(stop))
    await probe.ready.wait()

    async def on_start() -> None:
        readings["before"] = read_counters(server, harness.fakes_pid)
        if server.lag_endpoint:
            await probe.fetch_json("/debug/loop-lag?reset=1")

    async def on_end() -> None:
        readings["after"] = read_counters(server, harness.fakes_pid)
        if server.lag_endpoint:
            lag.update(await probe.fetch_json("/debug/loop-lag") or {})

    try:
        run = await drive(on_start, on_end)
    finally:
        stop.set()
        await probe_task
    result = stats(run, readings["before"], readings["after"], workload, probe, server.probe_cpu)
    saves = sum(1 for sample in run.samples if sample.save_bytes)
    sent = len(run.samples) + saves + len(probe.probes) + probe.errors + run.preconnected
    result["requests_sent"] = sent
    result["interference"] = interference(
        readings["before"], readings["after"], harness.app_core, harness.load_core
    )
    if lag:
        result["loop_lag_ms"] = lag
    return run, result


async def closed_level(
    harness: Harness,
    server: Server,
    concurrency: int,
    capacity: float,
    *,
    path: str = "/ask/stream",
    during: Callable[[], Coroutine[Any, Any, None]] | None = None,
) -> dict[str, Any]:
    """One closed-loop level; returns its numbers."""
    plan, workload = harness.plan, harness.plan.workload
    ramp, warmup, window, drain = level_timing(plan, server.spec, concurrency, capacity)
    target = Target(server.url, path=path, expected_pieces=workload.chunks)

    async def drive(
        on_start: Callable[[], Awaitable[None]], on_end: Callable[[], Awaitable[None]]
    ) -> Run:
        async def start() -> None:
            await on_start()
            if during is not None:
                extra.append(asyncio.create_task(during()))

        extra: list[asyncio.Task[None]] = []
        async with new_session() as session:
            run = await closed_loop(
                session,
                target,
                concurrency,
                ramp=ramp,
                warmup=warmup,
                window=window,
                drain=drain,
                on_start=start,
                on_end=on_end,
                connect_first=server.spec.uvloop,
                save_history=server.spec.history,
            )
        await asyncio.gather(*extra)
        return run

    _, result = await measure(harness, server, workload, drive)
    ideal = workload.ideal_latency
    little = concurrency / ideal if ideal > 0 else None
    return {
        "system": server.spec.name,
        "mode": "closed",
        "path": path,
        "concurrency": concurrency,
        "little_limit_rps": None if little is None else round(little, 2),
        **result,
        "little_fraction": None if little is None else round(result["throughput_rps"] / little, 3),
    }


async def open_level(harness: Harness, server: Server, rate: float) -> dict[str, Any]:
    """One open-loop run at a fixed Poisson arrival rate."""
    workload = harness.plan.workload
    target = Target(server.url, expected_pieces=workload.chunks)
    warmup = workload.ideal_latency + 1.0

    async def drive(
        on_start: Callable[[], Awaitable[None]], on_end: Callable[[], Awaitable[None]]
    ) -> Run:
        async with new_session() as session:
            return await open_loop(
                session,
                target,
                rate,
                warmup=warmup,
                window=harness.plan.open_loop_window,
                drain=4 * workload.ideal_latency + 30,
                on_start=on_start,
                on_end=on_end,
            )

    _, result = await measure(harness, server, workload, drive)
    return {"system": server.spec.name, "mode": "open", "rate_rps": rate, **result}


# ---------------------------------------------------------------------- open streams


@dataclass
class Tracker:
    """How many streams have shown their first token and not ended yet."""

    open: int = 0
    opened: int = 0


Snapshot = Callable[[Server, str], Awaitable[None]]


async def hold_streams(
    harness: Harness,
    spec: SystemSpec,
    *,
    count: int | None = None,
    slow: Workload | None = None,
    env: dict[str, str] | None = None,
    snapshot: Snapshot | None = None,
) -> dict[str, Any]:
    """Hold `count` slow answers open at once on a fresh server; RSS per stream.

    `snapshot(server, "idle")` runs before the streams open and `snapshot(server, "open")`
    once 90% of them are open (the memory profile takes tracemalloc snapshots there).
    """
    plan = harness.plan
    count = count or plan.hold_streams
    slow = slow or plan.hold_workload
    async with serving(harness, spec, env) as server:
        # Warm up with ordinary answers, so imports and pools are not counted per stream.
        await harness.configure_fakes(plan.workload)
        warm = Target(server.url, expected_pieces=plan.workload.chunks)
        async with new_session() as session:
            await closed_loop(session, warm, 10, ramp=0.2, warmup=0, window=1.0, drain=30)
        await asyncio.sleep(1.0)
        workers = procs.worker_pids(server.pid)
        if snapshot is not None:
            await snapshot(server, "idle")
        idle = procs.rss_bytes(workers)
        await harness.configure_fakes(slow)
        tracker = Tracker()
        target = Target(server.url, expected_pieces=slow.chunks, timeout=300)
        ramp = min(2.0, count / 1000)
        peak_open, rss_at_peak, rss_max, cpu_before = 0, idle, idle, procs.cpu_seconds(server.pid)
        started = time.perf_counter()

        async def one(n: int, session: aiohttp.ClientSession) -> Sample:
            await asyncio.sleep(ramp * n / count)
            return await tracked(session, target, tracker)

        async with new_session() as session:
            # Connections first (they count towards the RSS per stream): see `preconnect`.
            if spec.uvloop:
                await preconnect(session, server.url, count)
            started = time.perf_counter()
            tasks = [asyncio.create_task(one(n, session)) for n in range(count)]
            all_open_at: float | None = None
            snapped = 0  # streams open when the "open" snapshot was asked for
            deadline = started + ramp + slow.model_seconds  # the first streams end then
            while not all(task.done() for task in tasks):
                await asyncio.sleep(0.25)
                rss = procs.rss_bytes(workers)
                rss_max = max(rss_max, rss)
                if tracker.open > peak_open or (tracker.open == peak_open and rss > rss_at_peak):
                    peak_open, rss_at_peak = tracker.open, rss
                if tracker.open == count and all_open_at is None:
                    all_open_at = time.perf_counter() - started
                if snapshot is not None and not snapped and tracker.open >= 0.9 * count:
                    snapped = tracker.open
                    await snapshot(server, "open")
                    break  # a memory profile needs no more: cancel the streams
                if time.perf_counter() > deadline + 60:
                    break
            for task in tasks:
                task.cancel()  # only those still running after the deadline or a snapshot
            await asyncio.gather(*tasks, return_exceptions=True)
            samples = [task.result() for task in tasks if not task.cancelled()]
        cpu = procs.cpu_seconds(server.pid) - cpu_before
        await harness.configure_fakes(plan.workload)
    errors: dict[str, int] = {}
    for sample in samples:
        if not sample.ok:
            errors[sample.error or "unknown"] = errors.get(sample.error or "unknown", 0) + 1
    per_stream = (rss_at_peak - idle) / peak_open if peak_open else math.nan
    return {
        "system": spec.name,
        "streams": count,
        "answer_seconds": round(slow.model_seconds + slow.search_delay, 2),
        "peak_open": peak_open,
        "all_open_after_s": None if all_open_at is None else round(all_open_at, 2),
        "completed": sum(s.ok for s in samples),
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "idle_rss_mb": round(idle / 2**20, 1),
        "rss_at_peak_mb": round(rss_at_peak / 2**20, 1),
        "max_rss_mb": round(rss_max / 2**20, 1),
        "rss_per_open_stream_kb": round(per_stream / 1024, 1) if peak_open else None,
        "rss_per_stream_all_kb": round((rss_max - idle) / count / 1024, 1),
        "ttft_ms": summary_ms([s.ttft for s in samples if s.ok]),
        "app_cpu_ms_per_answer": round(1000 * cpu / max(1, len(samples)), 3),
        **({"open_at_snapshot": snapped} if snapshot is not None else {}),
    }


async def tracked(session: aiohttp.ClientSession, target: Target, tracker: Tracker) -> Sample:
    """`stream_once`, counting the stream as open from its first token to its end."""

    def opened() -> None:
        tracker.open += 1
        tracker.opened += 1

    sample = await stream_once(session, target, on_token=opened)
    if not math.isnan(sample.ttft):
        tracker.open -= 1
    return sample


# ---------------------------------------------------------------------- profile


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
    summary = report.summarize_profile(output)
    return {
        "system": name,
        "concurrency": concurrency,
        "file": str(output.relative_to(ROOT)) if output.is_relative_to(ROOT) else str(output),
        "level": level,
        **summary,
    }


async def memory_profile(harness: Harness, name: str, count: int) -> dict[str, Any] | None:
    """Where the memory of open streams goes: tracemalloc, open streams vs idle.

    The server runs with bench/memprobe on PYTHONPATH (a `sitecustomize` that starts
    tracemalloc and dumps snapshots on request): no change to the app. tracemalloc slows the
    server down, so the answers last longer here, and its RSS is not the one reported;
    the snapshot of the open streams is compared with one taken just after tracing started.
    """
    import tracemalloc

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
        **report.summarize_memory(busy, idle, held["open_at_snapshot"] or count),
    }


# ---------------------------------------------------------------------- the run


def gunicorn_max_requests() -> int | None:
    """`max_requests` of gunicorn.conf.py: the worker is replaced after that many requests."""
    import runpy

    value = runpy.run_path(str(ROOT / "gunicorn.conf.py")).get("max_requests")
    return int(value) if value else None


def expected_requests(plan: Plan, spec: SystemSpec, concurrency: int, capacity: float) -> int:
    """About how many requests a level sends (answers, probes, preconnects), to stay clear of
    the worker's max_requests."""
    ramp, warmup, window, drain = level_timing(plan, spec, concurrency, capacity)
    seconds = ramp + warmup + window + drain
    # A fake with no delays (the smoke run) answers in about 10 ms.
    rate = min(concurrency / max(plan.workload.ideal_latency, 0.01), capacity)
    per_answer = 2 if spec.history else 1  # the answer and its save
    return int(concurrency + per_answer * rate * seconds + seconds / plan.probe_interval)


async def warm_up(server: Server, workload: Workload) -> int:
    """A few answers (and saves) on a fresh server: imports, connection pools, the SQLite
    file. Returns the requests sent."""
    warm = Target(server.url, expected_pieces=workload.chunks)
    if server.spec.history:
        browser = Browser()
        try:
            samples = [await browser.ask(warm) for _ in range(4)]
        finally:
            await browser.close()
        failed = [s.error for s in samples if not s.ok]
        if failed:
            raise RuntimeError(f"{server.spec.name}: the warm-up failed: {failed}")
        return 8
    async with new_session() as session:
        await asyncio.gather(*(stream_once(session, warm) for _ in range(4)))
    return 4


@dataclass
class Recycled:
    """A system under test, started on first use and restarted before a level that would
    take its worker past Gunicorn's max_requests.

    Gunicorn replaces its worker after max_requests (gunicorn.conf.py: 10,000 + jitter), and
    a sweep sends more than that: a replacement inside a level resets keep-alive connections
    (an early run saw 207 failed requests) and mixes two workers' numbers. So the server is
    restarted before a level that would cross the limit; the recycling itself is production
    behaviour, reported here rather than measured.
    """

    harness: Harness
    spec: SystemSpec
    server: Server | None = None
    sent: int = 0  # requests the current worker has served

    async def before_level(self, concurrency: int, capacity: float) -> Server:
        """The server to run a level of `concurrency` clients on."""
        plan = self.harness.plan
        limit = gunicorn_max_requests() if self.spec.name.startswith("app-gunicorn") else None
        expected = expected_requests(plan, self.spec, concurrency, capacity)
        if self.server is not None and not (limit and self.sent + expected > 0.9 * limit):
            return self.server
        if self.server is not None:
            self.harness.stop_server(self.server)
            self.harness.log(
                f"restarting {self.spec.name}: a fresh worker, below max_requests={limit}"
            )
        self.server = await self.harness.start_server(self.spec)
        self.sent = PROBE_CALIBRATION + await warm_up(self.server, plan.workload)
        return self.server

    def ran(self, level: dict[str, Any]) -> dict[str, Any]:
        """Count a level's requests; returns the level."""
        self.sent += level["requests_sent"]
        return level

    def stop(self) -> None:
        """Stop the server, if it runs."""
        if self.server is not None:
            self.harness.stop_server(self.server)
            self.server = None


async def run_system(harness: Harness, name: str) -> list[dict[str, Any]]:
    """Every closed-loop level, the open-loop run and (app) /chat/stream on one system."""
    plan = harness.plan
    spec = system_spec(name)
    levels = plan.flask_levels if spec.kind == "flask" else plan.levels
    if spec.max_level is not None:
        levels = tuple(c for c in levels if c <= spec.max_level) or levels[:1]
    capacity = spec.workers / plan.workload.ideal_latency if spec.kind == "flask" else math.inf
    system = Recycled(harness, spec)
    results: list[dict[str, Any]] = []
    try:
        for concurrency in levels:
            server = await system.before_level(concurrency, capacity)
            level = system.ran(await closed_level(harness, server, concurrency, capacity))
            results.append(level)
            harness.log(report.level_line(level))
            if spec.kind != "flask" and level["app_cpu_ms_per_answer"]:
                capacity = next_capacity(level)
        rate = plan.open_loop_rates.get(name)
        if rate:
            in_flight = int(rate * plan.workload.ideal_latency) + 1
            server = await system.before_level(in_flight, capacity)
            level = system.ran(await open_level(harness, server, rate))
            results.append(level)
            harness.log(report.level_line(level))
        if spec.name == "app-gunicorn" and plan.chat_level:
            server = await system.before_level(plan.chat_level, capacity)
            level = await closed_level(
                harness, server, plan.chat_level, capacity, path="/chat/stream"
            )
            results.append(system.ran(level))
            harness.log(report.level_line(level))
    finally:
        system.stop()
    return results


async def history_rounds(harness: Harness) -> list[dict[str, Any]]:
    """The comparison at `plan.history_level` again, in rounds: each round one level without
    history and one with, both servers kept running, alternating which goes first.

    Two levels minutes apart in a sweep can differ by 10% on a shared host (a test run next
    door, a throttled core); pairs run back to back, in alternating order, see the same host.
    A round in which something else used the app core is run again, up to twice as many
    rounds in all.
    """
    plan = harness.plan
    concurrency = plan.history_level
    base = Recycled(harness, system_spec(report.HISTORY_BASE))
    saving = Recycled(harness, system_spec(HISTORY_SYSTEM))
    rounds: list[dict[str, Any]] = []
    try:
        for n in range(2 * plan.history_rounds):
            if sum(row["clean"] for row in rounds) >= plan.history_rounds:
                break
            pair: dict[str, dict[str, Any]] = {}
            for system in (base, saving) if n % 2 == 0 else (saving, base):
                server = await system.before_level(concurrency, math.inf)
                level = await closed_level(harness, server, concurrency, math.inf)
                pair[system.spec.name] = system.ran(level)
            rounds.append(
                report.history_round(n + 1, pair[report.HISTORY_BASE], pair[HISTORY_SYSTEM])
            )
            harness.log(report.round_line(rounds[-1]))
    finally:
        base.stop()
        saving.stop()
    return rounds


async def run(plan: Plan, processes: procs.Processes, workdir: Path) -> dict[str, Any]:
    """The whole benchmark; returns the results (also written to plan.out)."""
    started = time.perf_counter()
    fd_limit = procs.raise_fd_limit()
    available = procs.cores()
    harness = Harness(plan, processes, workdir)
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
        "hold": [],
        "profiles": [],
        "memory_profiles": [],
    }
    speeds: list[dict[str, Any]] = results["meta"]["app_core_speed"]
    for name in plan.systems:
        speed = core_speed(harness.app_core)
        speeds.append({"before": name, "speed": speed})
        harness.log(f"--- {system_spec(name).label} (app core speed {speed})")
        results["levels"].extend(await run_system(harness, name))
    for name in plan.hold_systems:
        if name in plan.systems or plan.systems == SYSTEMS:
            harness.log(f"--- {plan.hold_streams} open streams on {name}")
            held = await hold_streams(harness, system_spec(name))
            results["hold"].append(held)
            harness.log(report.hold_line(held))
    results["history"] = report.history_comparison(results)
    if plan.history_rounds and {report.HISTORY_BASE, HISTORY_SYSTEM} <= set(plan.systems):
        harness.log(
            f"--- C={plan.history_level} with and without history, back to back: "
            f"{plan.history_rounds} rounds"
        )
        began = time.perf_counter()
        results["history_rounds"] = await history_rounds(harness)
        results["history_summary"] = report.history_summary(
            results["history_rounds"], round(time.perf_counter() - began, 1)
        )
    results["targets"] = report.targets(results, plan.workload)
    if plan.profile:
        missed = [t for t in results["targets"] if t["met"] is False]
        cpu_missed = {t["system"] for t in missed if t["key"] in ("cpu", "little", "ttft")}
        to_profile = [n for n in ("app-gunicorn", "app-hypercorn") if n in cpu_missed][:1]
        if any(t["key"] == "history" for t in missed):
            # The same level with and without the saves: the difference is the save's.
            to_profile = list(dict.fromkeys([*to_profile, "app-gunicorn", HISTORY_SYSTEM]))
        for name in to_profile:
            harness.log(f"--- py-spy profile of {name} at C=100")
            profile = await profile_app(harness, name, 100)
            if profile is not None:
                results["profiles"].append(profile)
        rss_missed = [t["system"] for t in missed if t["key"] == "streams"]
        for name in rss_missed[:1]:
            harness.log(
                f"--- tracemalloc profile of {name} with {plan.memory_streams} open streams"
            )
            memory = await memory_profile(harness, name, plan.memory_streams)
            if memory is not None:
                results["memory_profiles"].append(memory)
    end_speed = core_speed(harness.app_core)
    results["meta"]["app_core_speed"].append({"before": "end", "speed": end_speed})
    harness.log(f"app core speed at the end: {end_speed}")
    results["meta"]["seconds"] = round(time.perf_counter() - started, 1)
    return results


SPEED_TEST = """
import time
start = time.perf_counter(); n = 0
while time.perf_counter() - start < 0.5:
    for i in range(10_000):
        n += i & 3
print(round(n / 1.5e4 / (time.perf_counter() - start), 1))
"""


def core_speed(core: int | None) -> float | None:
    """A pure-Python loop's speed on `core` (arbitrary units): compare runs and machines.

    Taken before and after the run; a big difference means the host throttled or was shared.
    """
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
    from importlib.metadata import version

    import openai

    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "commit": commit,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "cores": {"app": harness.app_core, "fakes_and_loadgen": harness.load_core},
        "fd_limit": fd_limit,
        # A pure-Python loop's speed on the app core, before each system and at the end: on a
        # shared host it can drop by half for minutes, and every number with it.
        "app_core_speed": [],
        "workload": asdict(plan.workload)
        | {
            "ideal_latency_s": round(plan.workload.ideal_latency, 3),
            "upstream_ttft_s": round(plan.workload.upstream_ttft, 3),
        },
        "hold_workload": asdict(plan.hold_workload),
        "versions": {"openai": openai.__version__, "quart": version("quart")},
        "systems": {name: system_spec(name).label for name in plan.systems},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", help=f"comma-separated, from {', '.join(SYSTEMS)}")
    parser.add_argument("--levels", help="comma-separated concurrency levels")
    parser.add_argument("--quick", action="store_true", help="a short run of everything")
    parser.add_argument("--smoke", action="store_true", help="seconds: tiny scale, for tests")
    parser.add_argument("--no-pin", action="store_true", help="do not pin to cores")
    parser.add_argument("--no-hold", action="store_true", help="skip the open-streams test")
    parser.add_argument("--no-profile", action="store_true", help="never run py-spy")
    parser.add_argument("--no-plot", action="store_true", help="skip the PNG")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results folder")
    parser.add_argument("--keep-logs", action="store_true", help="keep the servers' logs")
    args = parser.parse_args(argv)
    systems = tuple(args.systems.split(",")) if args.systems else SYSTEMS
    for name in systems:
        system_spec(name)  # fail early on a typo
    if args.smoke:
        plan = smoke_plan(args.out)
    elif args.quick:
        plan = quick_plan(args.out, systems)
    else:
        plan = Plan(systems=systems, out=args.out)
    if args.levels:
        levels = tuple(int(c) for c in args.levels.split(","))
        plan = replace(plan, levels=levels, flask_levels=levels)
    plan = replace(
        plan,
        pin=plan.pin and not args.no_pin,
        profile=plan.profile and not args.no_profile,
        hold_systems=() if args.no_hold else plan.hold_systems,
    )
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
    print()
    print(report.targets_table(results["targets"]))
    if not args.no_plot:
        report.plot(results, plan.out / "load.png")
    print(f"\nwritten to {plan.out / 'load.json'}" + ("" if args.no_plot else " and load.png"))
    if args.keep_logs:
        print(f"took {results['meta']['seconds']:.0f} s; server logs in {workdir}")
    else:
        print(f"took {results['meta']['seconds']:.0f} s")
        shutil.rmtree(workdir, ignore_errors=True)
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
