"""The fault run: `make bench-faults` (`python -m bench.faults`).

The app as `make run` serves it (Hypercorn, `SEARCH_BACKEND=local` on the sample index,
`CHAT_PROVIDER=openai`) and in the container's shape (Gunicorn, one Uvicorn worker), each
against the fake model (tests/fakes/openai_server.py, in this process) failing a seeded mix of
its requests: 429 with `Retry-After`, a connection reset mid-stream, a 500, a model that hangs
after a few chunks. Clients stream `/chat/stream`, `concurrency` at a time, and a share of them
hang up after the first line.

For each shape it reports how each request ended (a complete answer, an `{"error"}` line, a
refusal by status, the client hanging up, or broken: cut off with neither an answer nor an error
line), statuses by code, error lines by message, requests still open past the app's deadline
(`MODEL_TIMEOUT_SECONDS`), the model streams and connections left open 5 s after the run
against the baseline after a clean warm-up at the same concurrency, and for each client that
hung up how long until the fake model saw its stream closed. Results go to
bench/results/faults.json; the README shows them. tests/test_fault_run.py runs a short version
and asserts on the counts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

import aiohttp

from bench import procs
from bench.harness import child_env, free_port, wait_healthy
from bench.indexes import Indexes
from bench.specs import BIN, ROOT

TESTS = ROOT / "tests"  # the fakes live with the tests, which are not an installed package
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from fakes.openai_server import FakeOpenAI, Fault  # noqa: E402

Shape = Literal["hypercorn", "gunicorn"]
Ending = Literal["complete", "error_line", "refused", "hung_up", "broken", "open"]
QUESTION = "What is the deductible? (request {n})"
TAG = re.compile(r"\(request (\d+)\)")  # which request a model stream answers
RESULTS = ROOT / "bench" / "results" / "faults.json"


@dataclass(frozen=True)
class Plan:
    """One fault run: the load, the fault mix and the app's timeouts."""

    requests: int = 500
    concurrency: int = 50
    chunks: int = 20  # of the fake model's answer, `chunk_delay` apart
    chunk_delay: float = 0.02
    throttled: float = 0.10  # 429 with Retry-After
    reset: float = 0.05  # the connection reset mid-stream
    server_error: float = 0.05  # 500
    hang: float = 0.01  # silent after a few chunks, for minutes
    hang_up: float = 0.05  # clients that disconnect after the first line
    model_timeout: float = 10.0  # MODEL_TIMEOUT_SECONDS: the deadline of an answer
    idle_timeout: float = 2.0  # MODEL_IDLE_TIMEOUT_SECONDS: what ends a hang
    settle: float = 5.0  # seconds after the run before connections are counted
    seed: int = 7

    def mix(self) -> list[tuple[float, Fault]]:
        """The fake model's faults, each with its share of requests."""
        return [
            (self.throttled, Fault("429", retry_after=1.0)),
            (self.reset, Fault("reset", after_chunks=3)),
            (self.server_error, Fault("500")),
            (self.hang, Fault("hang", after_chunks=3, hang_seconds=300.0)),
        ]


@dataclass
class Outcome:
    """How one request ended, as its client saw it; times are `time.monotonic()`."""

    n: int
    ending: Ending = "open"
    status: int | None = None
    error: str | None = None
    seconds: float = 0.0
    hung_up_at: float | None = None


@dataclass
class Report:
    """What one shape's run gives: the numbers the README shows."""

    shape: Shape
    requests: int
    concurrency: int
    endings: dict[str, int]
    statuses: dict[str, int]
    error_lines: dict[str, int]
    faults_injected: int
    model_requests: int
    open_past_deadline: int
    streams_open_after: int
    connections_baseline: int
    connections_after: int
    hang_ups: int
    hang_ups_closed_within_1s: int
    hang_ups_already_ended: int  # the model had sent everything before the client left
    hang_ups_left_open: int  # model streams the app never closed after its client left
    close_after_hang_up_ms: dict[str, float | None] = field(default_factory=dict)


async def _ask(
    session: aiohttp.ClientSession, url: str, n: int, hang_up: bool, limit: float
) -> Outcome:
    outcome = Outcome(n)
    body = {"messages": [{"role": "user", "content": QUESTION.format(n=n)}]}
    started = time.monotonic()
    try:
        async with asyncio.timeout(limit):
            async with session.post(url, json=body) as response:
                outcome.status = response.status
                if response.status != 200:
                    outcome.ending = "refused"
                    outcome.error = (await response.json()).get("error")
                    return outcome
                first = await response.content.readline()
                if hang_up and first.endswith(b"\n"):
                    outcome.hung_up_at = time.monotonic()
                    outcome.ending = "hung_up"
                    response.close()  # drops the connection, as a closed tab does
                    return outcome
                rest = await response.content.read()
                _read_stream(first + rest, outcome)
    except TimeoutError:
        outcome.ending = "open"
    except aiohttp.ClientError:
        outcome.ending = "broken"
    finally:
        outcome.seconds = time.monotonic() - started
    return outcome


def _read_stream(body: bytes, outcome: Outcome) -> None:
    """A complete answer, an error line, or broken (cut off with neither)."""
    lines = body.split(b"\n")
    if lines[-1] != b"" or len(lines) < 2:
        outcome.ending = "broken"
        return
    last = json.loads(lines[-2])
    if "error" in last:
        outcome.ending = "error_line"
        outcome.error = str(last["error"])
    else:
        outcome.ending = "complete"


async def _load(url: str, plan: Plan, *, requests: int, hang_up: float, seed: int) -> list[Outcome]:
    """`requests` answers, `plan.concurrency` at a time; a seeded share of clients hang up."""
    chooser = random.Random(seed)
    hang_ups = [chooser.random() < hang_up for _ in range(requests)]
    queue = iter(range(requests))
    outcomes: list[Outcome] = []
    timeout = plan.model_timeout + 20.0  # past the deadline, to count what stays open
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def client() -> None:
            for n in queue:
                outcomes.append(await _ask(session, url, n, hang_ups[n], timeout))

        await asyncio.gather(*(client() for _ in range(plan.concurrency)))
    return sorted(outcomes, key=lambda outcome: outcome.n)


def established(port: int) -> int:
    """TCP connections established to `port` on this host (the server's ends, from /proc)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            local, state = row.split()[1], row.split()[3]
            if state == "01" and int(local.rsplit(":", 1)[1], 16) == port:
                count += 1
    return count


def _command(shape: Shape, port: int) -> tuple[list[str], dict[str, str]]:
    if shape == "hypercorn":
        return [str(BIN / "python"), "-m", "app"], {"PORT": str(port)}
    command = [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "app:create_app()"]
    return command, {"PORT": str(port), "WEB_CONCURRENCY": "1"}


async def run_shape(shape: Shape, plan: Plan, index: Path, workdir: Path) -> Report:
    """Serve the app in `shape` on the fake model and put it through the fault mix."""
    processes = procs.Processes()
    async with FakeOpenAI(chunks=plan.chunks, chunk_delay=plan.chunk_delay, seed=plan.seed) as fake:
        data = workdir / f"{shape}-data"
        shutil.copytree(index, data)
        port = free_port()
        command, extra = _command(shape, port)
        env = child_env(
            {
                **extra,
                "CHAT_PROVIDER": "openai",
                "OPENAI_BASE_URL": fake.base_url,
                "OPENAI_API_KEY": "fault-run",
                "OPENAI_CHAT_MODEL": "fake-model",
                "SEARCH_BACKEND": "local",
                "LOCAL_INDEX_DIR": str(data),
                "MODEL_TIMEOUT_SECONDS": str(plan.model_timeout),
                "MODEL_IDLE_TIMEOUT_SECONDS": str(plan.idle_timeout),
            }
        )
        log = workdir / f"{shape}.log"
        process = processes.start(command, env=env, cwd=ROOT, core=None, log=log)
        base = f"http://127.0.0.1:{port}"
        try:
            async with aiohttp.ClientSession() as session:
                await wait_healthy(session, base, process, shape, log)
            url = base + "/chat/stream"
            # The baseline: the connections a clean run at this concurrency leaves pooled.
            warm = await _load(url, plan, requests=plan.concurrency, hang_up=0.0, seed=0)
            if any(outcome.ending != "complete" for outcome in warm):
                raise RuntimeError(f"the warm-up failed: {warm}\n{log.read_text()[-3000:]}")
            await asyncio.sleep(1.0)
            baseline = established(fake.port)
            fake.streams.clear()
            before = fake.requests.total
            fake.set_fault_mix(plan.mix())
            outcomes = await _load(
                url, plan, requests=plan.requests, hang_up=plan.hang_up, seed=plan.seed
            )
            await asyncio.sleep(plan.settle)
            return _report(shape, plan, outcomes, fake, before, baseline)
        finally:
            processes.stop_all()


def _report(
    shape: Shape,
    plan: Plan,
    outcomes: Sequence[Outcome],
    fake: FakeOpenAI,
    requests_before: int,
    baseline: int,
) -> Report:
    closes = _closes_after_hang_up(outcomes, fake)
    waits = sorted(wait for wait in closes if wait is not None and wait != float("inf"))
    return Report(
        shape=shape,
        requests=len(outcomes),
        concurrency=plan.concurrency,
        endings=dict(Counter(outcome.ending for outcome in outcomes)),
        statuses={
            str(k): v for k, v in sorted(Counter(o.status for o in outcomes).items(), key=str)
        },
        error_lines=dict(
            Counter(o.error for o in outcomes if o.ending == "error_line" and o.error)
        ),
        faults_injected=fake.faults.injected,
        model_requests=fake.requests.total - requests_before,
        open_past_deadline=sum(
            1 for o in outcomes if o.ending == "open" or o.seconds > plan.model_timeout + 1.0
        ),
        streams_open_after=fake.open_streams,
        connections_baseline=baseline,
        connections_after=established(fake.port),
        hang_ups=len(closes),
        hang_ups_closed_within_1s=sum(1 for wait in waits if wait <= 1.0),
        hang_ups_already_ended=sum(1 for wait in closes if wait is None),
        hang_ups_left_open=sum(1 for wait in closes if wait == float("inf")),
        close_after_hang_up_ms={
            "p50": round(waits[len(waits) // 2] * 1000, 1) if waits else None,
            "max": round(waits[-1] * 1000, 1) if waits else None,
        },
    )


def _closes_after_hang_up(outcomes: Sequence[Outcome], fake: FakeOpenAI) -> list[float | None]:
    """For each client that hung up: seconds until the fake saw its model stream closed early,
    or None when that stream had already ended (nothing was left to close)."""
    streams = {}
    for record in fake.streams:  # in order, so a retry's stream replaces the one it retried
        tag = TAG.search(record.question)
        if tag is not None:
            streams[int(tag.group(1))] = record
    waits: list[float | None] = []
    for outcome in outcomes:
        if outcome.hung_up_at is None:
            continue
        record = streams.get(outcome.n)
        if record is None or (
            record.closed_early_at is None
            and record.ended_at is not None
            and record.ended_at <= outcome.hung_up_at
        ):
            waits.append(None)
        elif record.closed_early_at is None:
            waits.append(float("inf"))  # never closed by the app: a leak
        else:
            waits.append(max(0.0, record.closed_early_at - outcome.hung_up_at))
    return waits


async def run(plan: Plan, shapes: Sequence[Shape], workdir: Path) -> list[Report]:
    """Index the sample data once, then run each shape."""
    indexes = Indexes(workdir, child_env)
    index = await indexes.source("sample")
    return [await run_shape(shape, plan, index, workdir) for shape in shapes]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=Plan.requests)
    parser.add_argument("--concurrency", type=int, default=Plan.concurrency)
    parser.add_argument("--shape", action="append", choices=["hypercorn", "gunicorn"])
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    plan = Plan(requests=args.requests, concurrency=args.concurrency)
    procs.raise_fd_limit()
    with tempfile.TemporaryDirectory(prefix="ragchat-faults-") as workdir:
        reports = asyncio.run(run(plan, args.shape or ["hypercorn", "gunicorn"], Path(workdir)))
    payload = {"plan": asdict(plan), "reports": [asdict(report) for report in reports]}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(payload, indent=2) + "\n")
    print(json.dumps(payload, indent=2))
    failed = [report.shape for report in reports if problems(report)]
    for report in reports:
        for problem in problems(report):
            print(f"{report.shape}: {problem}", file=sys.stderr)
    return 1 if failed else 0


def problems(report: Report) -> list[str]:
    """What the issue's targets say must not happen, as sentences (none: all held)."""
    found = []
    if report.endings.get("broken"):
        found.append(f"{report.endings['broken']} streams cut off with no error line")
    if report.open_past_deadline:
        found.append(f"{report.open_past_deadline} requests open past the deadline")
    if report.statuses.get("500"):
        found.append(f"{report.statuses['500']} requests answered 500")
    if report.streams_open_after:
        found.append(f"{report.streams_open_after} model streams still open after the run")
    if report.connections_after > report.connections_baseline:
        found.append(
            f"{report.connections_after} model connections open after the run, "
            f"baseline {report.connections_baseline}"
        )
    if report.hang_ups_closed_within_1s + report.hang_ups_already_ended < report.hang_ups:
        found.append("a client hung up and its model stream stayed open past 1 s")
    return found


if __name__ == "__main__":
    raise SystemExit(main())
