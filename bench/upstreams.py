"""The fake upstreams in their own process: `python -m bench.upstreams`.

Runs the test suite's fakes on 127.0.0.1, on uvloop when it is installed, so the load
benchmark never reaches a real service:

* `FakeOpenAI` (tests/fakes/openai_server.py): the chat completions SSE stream, with settable
  time to first token, number of chunks and tokens per second, and fault knobs;
* `FakeAzureSearch` (tests/fakes/azure_search.py): the Azure AI Search REST API that the real
  azure-search-documents SDK talks to, answering every search with three realistic documents
  after a settable delay;
* a control server: `POST /config` `{"model": {...}, "search": {...}}` sets knobs,
  `POST /fault` `{"target": "model", "kind": "429", ...}` queues a fault (or, with `"rate"`,
  injects it into that share of requests), `GET /stats` returns the counters and
  `GET /streams?since=SEQ` the model's recent stream records (`StreamRecord`: started, pieces
  sent, ended, and when the client hung up early), with `now` on the same `time.monotonic()`
  clock as the caller's.

Both fakes run with `record_requests=False`: counters and a bounded history, no request bodies,
so memory stays flat however long the run.

It prints one JSON line `{"model": ..., "search": ..., "control": ..., "pid": ...}` when it
is ready, then serves until SIGTERM or SIGINT, or until its stdin closes (the harness that
started it is gone), so it never outlives a benchmark.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Coroutine, Mapping
from pathlib import Path
from typing import Any

from aiohttp import web

# The fakes live with the tests (`tests/fakes/`), which are not an installed package.
TESTS = Path(__file__).resolve().parent.parent / "tests"
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from fakes.azure_search import FakeAzureSearch  # noqa: E402
from fakes.base import listen  # noqa: E402
from fakes.openai_server import FAULT_KINDS, FakeOpenAI, Fault  # noqa: E402

MODEL_KNOBS: dict[str, type[Any]] = {
    "chunks": int,
    "chunk_delay": float,
    "first_token_delay": float,
    "tokens_per_second": float,
    "min_write_interval": float,
    "framing": bool,
    "completion_text": str,
}
SEARCH_KNOBS: dict[str, type[Any]] = {"delay": float}

# What an index of company documents returns for "What is the deductible?": three chunks of
# about a thousand characters each, the usual size of an indexed passage.
DOCUMENTS: list[dict[str, Any]] = [
    {
        "id": "benefit-options-3",
        "sourcepage": "Benefit_Options.pdf#page=3",
        "sourcefile": "Benefit_Options.pdf",
        "category": "benefits",
        "@search.score": 14.2,
        "content": (
            "Northwind Health Plus is a comprehensive plan that covers medical, vision and dental "
            "services, prescription drugs, mental health and substance abuse services, and "
            "preventive care. The in-network deductible is $1,500 per person and $3,000 per "
            "family each calendar year; out-of-network services have a separate deductible of "
            "$3,000 per person. Preventive care from in-network providers is covered in full and "
            "does not count towards the deductible. After the deductible, the plan pays 80% of "
            "covered in-network costs and you pay 20% coinsurance until you reach the "
            "out-of-pocket maximum of $6,000 per person. Copays for primary care visits are $30 "
            "and for specialist visits $50, and they apply before the deductible is met. "
            "Emergency room visits have a $250 copay that is waived if you are admitted."
        ),
    },
    {
        "id": "northwind-standard-12",
        "sourcepage": "Northwind_Standard_Benefits_Details.pdf#page=12",
        "sourcefile": "Northwind_Standard_Benefits_Details.pdf",
        "category": "benefits",
        "@search.score": 11.7,
        "content": (
            "Northwind Standard has an annual deductible of $2,000 for an individual and "
            "$4,000 for a family. The deductible resets on January 1 of each year. Some "
            "services, such as preventive care, routine eye exams and generic prescriptions "
            "filled at an in-network pharmacy, are not subject to the deductible. Once the "
            "deductible has been met, you pay a coinsurance of 30% for most in-network "
            "services. Amounts you pay for services that are not covered, and charges above the "
            "allowed amount from out-of-network providers, do not count towards the deductible. "
            "If you change plans during the year because of a qualifying life event, the amount "
            "you already paid towards your deductible is carried over to the new plan."
        ),
    },
    {
        "id": "employee-handbook-7",
        "sourcepage": "employee_handbook.pdf#page=7",
        "sourcefile": "employee_handbook.pdf",
        "category": "handbook",
        "@search.score": 8.9,
        "content": (
            "Open enrollment takes place every November. During open enrollment you can choose "
            "between Northwind Standard and Northwind Health Plus, add or remove dependents, and "
            "set your contribution to a health savings account. Contoso pays 80% of the premium "
            "for employees and 50% for dependents. A health savings account can be used to pay "
            "the deductible, copays and coinsurance with pre-tax money; Contoso contributes $500 "
            "a year to the account of every employee enrolled in a plan with a deductible of at "
            "least $1,500. Questions about benefits go to the HR service desk, which answers "
            "within two business days."
        ),
    },
]


class Upstreams:
    """The two fakes plus a control server, all on 127.0.0.1."""

    def __init__(self, model: FakeOpenAI, search: FakeAzureSearch) -> None:
        self.model = model
        self.search = search
        self.control_port = 0
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Start the control server (the fakes are started by the caller)."""
        app = web.Application()
        app.router.add_post("/config", self._config)
        app.router.add_post("/fault", self._fault)
        app.router.add_get("/stats", self._stats)
        app.router.add_get("/streams", self._streams)
        self._runner, self.control_port = await listen(app)

    async def close(self) -> None:
        """Stop the control server."""
        if self._runner is not None:
            await self._runner.cleanup()

    async def _config(self, request: web.Request) -> web.Response:
        body = await request.json()
        try:
            _apply(self.model, body.get("model") or {}, MODEL_KNOBS)
            _apply(self.search, body.get("search") or {}, SEARCH_KNOBS)
        except (TypeError, ValueError) as exc:
            return web.json_response({"error": str(exc)}, status=400)
        return await self._stats(request)

    async def _fault(self, request: web.Request) -> web.Response:
        body = await request.json()
        target = body.get("target", "model")
        kind = str(body.get("kind", ""))
        times = int(body.get("times", 1))
        if target == "search" and kind.isdigit():
            # FakeAzureSearch's own knob: a status with optional headers (429 + Retry-After).
            headers = {"Retry-After": str(body["retry_after"])} if "retry_after" in body else None
            if "rate" in body:
                self.search.set_fault_rate(float(body["rate"]), int(kind), headers)
            else:
                self.search.fail_next(int(kind), headers=headers, times=times)
        elif target == "model" and kind in FAULT_KINDS:
            fault = Fault(
                kind,
                after_chunks=body.get("after_chunks"),
                retry_after=float(body.get("retry_after", 1.0)),
                hang_seconds=float(body.get("hang_seconds", 300.0)),
            )
            if "rate" in body:
                self.model.set_fault_rate(float(body["rate"]), fault)
            else:
                self.model.fail_next(
                    fault.kind,
                    times=times,
                    after_chunks=fault.after_chunks,
                    retry_after=fault.retry_after,
                    hang_seconds=fault.hang_seconds,
                )
        else:
            return web.json_response({"error": f"unknown fault {target}/{kind}"}, status=400)
        return await self._stats(request)

    async def _stats(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "model": {
                    **self.model.stats(),
                    **{name: getattr(self.model, name) for name in MODEL_KNOBS},
                },
                "search": {
                    "requests": self.search.requests.total,
                    "faults_injected": self.search.faults.injected,
                    "delay": self.search.delay,
                },
            }
        )

    async def _streams(self, request: web.Request) -> web.Response:
        since = int(request.query.get("since", 0))
        streams = [dataclasses.asdict(r) for r in self.model.streams if r.seq >= since]
        return web.json_response({"now": time.monotonic(), "streams": streams})


def _apply(target: object, values: dict[str, Any], knobs: Mapping[str, type[Any]]) -> None:
    for name, value in values.items():
        if name not in knobs:
            raise ValueError(f"unknown knob {name!r}")
        setattr(target, name, None if value is None else knobs[name](value))


async def serve(args: argparse.Namespace) -> None:
    """Run until a signal or the end of stdin."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if args.watch_stdin:
        threading.Thread(target=_wait_for_eof, args=(loop, stop.set), daemon=True).start()
    model = FakeOpenAI(
        chunks=args.chunks,
        first_token_delay=args.first_token_delay,
        tokens_per_second=args.tokens_per_second,
        framing=True,
        record_requests=False,
    )
    search = FakeAzureSearch(search_results=DOCUMENTS, record_requests=False)
    search.delay = args.search_delay
    async with model, search:
        upstreams = Upstreams(model, search)
        await upstreams.start()
        ready = {
            "model": model.base_url,
            "search": search.endpoint,
            "control": f"http://127.0.0.1:{upstreams.control_port}",
            "pid": os.getpid(),
        }
        print(json.dumps(ready), flush=True)
        try:
            await stop.wait()
        finally:
            await upstreams.close()


def _wait_for_eof(loop: asyncio.AbstractEventLoop, done: Callable[[], None]) -> None:
    sys.stdin.buffer.read()
    loop.call_soon_threadsafe(done)


def run(main: Coroutine[Any, Any, None]) -> None:
    """Run on uvloop when available (cheaper per write and per timer), else asyncio."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        asyncio.run(main)
    else:
        uvloop.run(main)


def main() -> int:
    parser = argparse.ArgumentParser(description="Fake OpenAI and Azure AI Search for bench/.")
    parser.add_argument("--chunks", type=int, default=100)
    parser.add_argument("--first-token-delay", type=float, default=0.5)
    parser.add_argument("--tokens-per-second", type=float, default=100.0)
    parser.add_argument("--search-delay", type=float, default=0.05)
    parser.add_argument("--watch-stdin", action="store_true", help="exit when stdin closes")
    run(serve(parser.parse_args()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
