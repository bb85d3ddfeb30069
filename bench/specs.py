"""The systems under test: how each starts, what it searches, how far its sweep goes.

This app, with `CHAT_PROVIDER=openai` on the fake model, in two shapes:

* Azure (`SEARCH_BACKEND=azure` on the fake Azure AI Search, 50 ms a search, history in the
  browser): `app-hypercorn` (`python -m app`) and `app-gunicorn` (`gunicorn.conf.py`, one
  Uvicorn worker), and `app-gunicorn-history`, the same with `CHAT_HISTORY=local` whose
  clients save the conversation after every answer;
* local, the default (`make run`'s settings: `SEARCH_BACKEND=local`, `CHAT_HISTORY` unset so
  it is `local`): `app-local-*` on the sample index (`python -m app.ingest data`) and
  `app-local10k-*` on a generated index of 10,000 chunks (`bench.corpus`), each under
  Hypercorn and under Gunicorn; `app-local10k-gunicorn-2w` is the latter with two workers
  sharing one SQLite file, run only in the multi-core rounds (`bench.rounds`).

And two references on the fake search: a minimal Quart + AsyncOpenAI app under Uvicorn
(bench/systems/quart_minimal.py) and a sync Flask + Gunicorn baseline (2 x cores + 1 workers).

Levels (the run's time budget, about 20 minutes in all): Gunicorn systems on the Azure shape go
to C=2000, the local Gunicorn ones to C=1000 (10, 50, 100, 200, 500, 1000), Hypercorn (the
local one as `make run`'s) to C=500 and the minimal reference to C=1000, all saturated by then;
Flask to C=50.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from bench import chat_completions

if TYPE_CHECKING:
    from bench.plan import Workload

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
Kind = Literal["app", "minimal", "flask"]
Search = Literal["azure", "local"]
Index = Literal["sample", "generated"]

HISTORY_SYSTEM = "app-gunicorn-history"
HISTORY_BASE = "app-gunicorn"
SCALING_SYSTEM = "app-local10k-gunicorn-2w"
SCALING_BASE = "app-local10k-gunicorn"
AZURE_APPS = ("app-gunicorn", "app-hypercorn")
LOCAL_APPS = (
    "app-local-gunicorn",
    "app-local-hypercorn",
    "app-local10k-gunicorn",
    "app-local10k-hypercorn",
)
SYSTEMS = (
    "app-hypercorn",
    "app-gunicorn",
    HISTORY_SYSTEM,
    "app-local-hypercorn",
    "app-local-gunicorn",
    "app-local10k-hypercorn",
    SCALING_BASE,
    "quart-minimal",
    "flask-sync",
)


@dataclass(frozen=True)
class SystemSpec:
    """How to start one system under test, and what its requests wait for upstream."""

    name: str
    kind: Kind
    label: str
    workers: int = 1
    # Under gunicorn.conf.py (the production config): its worker is recycled after
    # max_requests (see bench.recycle).
    gunicorn: bool = False
    # Serves on uvloop, which accepts one connection per loop iteration: open the clients'
    # connections before the load (see `preconnect`). Its keep-alive must outlast MAX_RAMP.
    uvloop: bool = False
    max_level: int | None = None  # the highest C to run
    # CHAT_HISTORY=local, and each client saves the conversation after every answer.
    history: bool = False
    # Where retrieval happens: the fake Azure AI Search (its delay is part of every answer's
    # time), or the app's own SQLite index (no wait upstream: its time is the app's).
    search: Search = "azure"
    index: Index | None = None  # the local index it serves, copied for it

    def ideal_latency(self, workload: Workload) -> float:
        """An answer's end-to-end time with a server that adds nothing."""
        return self.search_wait(workload) + workload.model_seconds

    def upstream_ttft(self, workload: Workload) -> float:
        """The part of the time to first token spent waiting on the fakes."""
        return self.search_wait(workload) + workload.first_token_delay

    def search_wait(self, workload: Workload) -> float:
        """The fake search's delay, for systems that call it."""
        return workload.search_delay if self.search == "azure" else 0.0

    def command(self, port: int) -> list[str]:
        """The command line, bound to 127.0.0.1:port."""
        bind = f"127.0.0.1:{port}"
        if self.gunicorn:
            # The production config; only the address changes (it binds 0.0.0.0).
            config = str(ROOT / "gunicorn.conf.py")
            return [str(BIN / "gunicorn"), "-c", config, "-b", bind, "app:create_app()"]
        if self.kind == "app":
            return [str(BIN / "python"), "-m", "app", "--host", "127.0.0.1"]
        if self.kind == "flask":
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

    def settings(self, *, port: int, fakes: dict[str, str], data_dir: Path) -> dict[str, str]:
        """The app's settings (environment variables): every upstream is a fake.

        The bench's own choices for every system: no retries (a failure is counted, not
        hidden) and warnings-only logs (an access log line per request is not the server's
        work being compared). The local shape leaves CHAT_HISTORY unset, as `make run` does.
        """
        env = {
            "PORT": str(port),
            "WEB_CONCURRENCY": str(self.workers),
            "CHAT_PROVIDER": "openai",
            "OPENAI_BASE_URL": fakes["model"],
            "OPENAI_API_KEY": "x",
            "OPENAI_CHAT_MODEL": "fake",
            # A hosted model's window (gpt-4.1-mini's is 1M): prompts fit by their bytes and
            # are not counted. A 4,096-token local model costs a count, ~0.8 ms per answer.
            "OPENAI_CONTEXT_TOKENS": "128000",
            "UPSTREAM_MAX_RETRIES": "0",
            "LOG_LEVEL": "WARNING",
            "LOCAL_INDEX_DIR": str(data_dir),
            "API_KEYS": chat_completions.KEY,  # turns on /v1 (only app-gunicorn is sent there)
        }
        if self.search == "local":
            return env | {"SEARCH_BACKEND": "local"}
        return env | {
            "SEARCH_BACKEND": "azure",
            "AZURE_SEARCH_ENDPOINT": fakes["search"],
            "AZURE_SEARCH_API_KEY": "x",
            "AZURE_SEARCH_SEMANTIC_RANKER": "false",
            "CHAT_HISTORY": "local" if self.history else "browser",
            "MINIMAL_STREAM": "sdk" if self.name == "quart-minimal-sdk" else "raw",
        }


def _local(
    name: str, label: str, index: Index, *, gunicorn: bool, workers: int = 1, max_level: int
) -> SystemSpec:
    """This app on a local index: under Gunicorn (uvloop) or under Hypercorn."""
    return SystemSpec(
        name,
        "app",
        label,
        workers=workers,
        gunicorn=gunicorn,
        uvloop=gunicorn,
        max_level=max_level,
        search="local",
        index=index,
    )


def system_spec(name: str) -> SystemSpec:
    """The spec of a system by name (KeyError for an unknown one)."""
    cpus = os.cpu_count() or 1
    gunicorn = "Gunicorn+Uvicorn, 1 worker"
    sample, generated = "SEARCH_BACKEND=local, sample index", "SEARCH_BACKEND=local, 10k chunks"
    specs = {
        "app-hypercorn": SystemSpec(
            "app-hypercorn", "app", "app (Hypercorn, 1 worker)", max_level=500
        ),
        "app-gunicorn": SystemSpec(
            "app-gunicorn", "app", f"app ({gunicorn})", gunicorn=True, uvloop=True
        ),
        HISTORY_SYSTEM: SystemSpec(
            HISTORY_SYSTEM,
            "app",
            f"app ({gunicorn}), CHAT_HISTORY=local, a save after every answer",
            gunicorn=True,
            uvloop=True,
            history=True,
        ),
        "app-local-hypercorn": _local(
            "app-local-hypercorn",
            f"app (Hypercorn), {sample}",
            "sample",
            gunicorn=False,
            max_level=500,
        ),
        "app-local-gunicorn": _local(
            "app-local-gunicorn",
            f"app ({gunicorn}), {sample}",
            "sample",
            gunicorn=True,
            max_level=1000,
        ),
        "app-local10k-hypercorn": _local(
            "app-local10k-hypercorn",
            f"app (Hypercorn), {generated}",
            "generated",
            gunicorn=False,
            max_level=500,
        ),
        SCALING_BASE: _local(
            SCALING_BASE,
            f"app ({gunicorn}), {generated}",
            "generated",
            gunicorn=True,
            max_level=1000,
        ),
        SCALING_SYSTEM: _local(
            SCALING_SYSTEM,
            f"app (Gunicorn+Uvicorn, 2 workers), {generated}, one SQLite file",
            "generated",
            workers=2,
            gunicorn=True,
            max_level=1000,
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


def known_systems() -> tuple[str, ...]:
    """Every system `--systems` accepts."""
    return (*SYSTEMS, SCALING_SYSTEM, "quart-minimal-sdk")
