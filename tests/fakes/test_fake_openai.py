"""Self-check: what :class:`FakeOpenAI` serves and records, seen from a plain aiohttp client."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest

from . import openai_server
from .base import FaultQueue, Recorder
from .openai_server import FakeOpenAI
from .threaded import serve_in_thread, wait_until

FOLLOWUP_SYSTEM = "Suggest three short follow-up questions."


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


def _chat(stream: bool, system: str = "Answer.") -> dict[str, Any]:
    messages = [{"role": "system", "content": system}, {"role": "user", "content": "?"}]
    return {"model": "m", "stream": stream, "messages": messages}


def _deltas(body: bytes) -> list[Any]:
    events = [line.removeprefix(b"data: ") for line in body.split(b"\n\n") if line]
    return [e.decode() if e == b"[DONE]" else json.loads(e)["choices"][0] for e in events]


async def _until(condition: Callable[[], bool], within: float = 10.0) -> None:
    """Wait for the fake's side of things; running out of time fails, it measures nothing."""
    for _ in range(int(within / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the fake never got there")


async def test_streams_the_answer_pieces_with_framing_and_records_them(
    session: aiohttp.ClientSession,
) -> None:
    async with FakeOpenAI(answer=["Hello ", "world."], framing=True) as fake:
        async with session.post(f"{fake.base_url}/chat/completions", json=_chat(True)) as r:
            body = await r.read()
        assert _deltas(body) == [
            {"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None},
            {"index": 0, "delta": {"content": "Hello "}, "finish_reason": None},
            {"index": 0, "delta": {"content": "world."}, "finish_reason": None},
            {"index": 0, "delta": {}, "finish_reason": "stop"},
            "[DONE]",
        ]
        await _until(lambda: fake.open_streams == 0)
        [record] = fake.streams
        assert (record.seq, record.chunks_sent, record.closed_early_at) == (0, 2, None)
        assert record.ended_at is not None
        assert record.ended_at >= record.started_at
        assert fake.stats()["streams_finished"] == 1


async def test_completions_answer_the_text_or_the_followups(
    session: aiohttp.ClientSession,
) -> None:
    async with FakeOpenAI(completion_text="query", followup_text="<<Next?>>") as fake:
        texts = []
        for system in ("Rewrite the question.", FOLLOWUP_SYSTEM):
            async with session.post(
                f"{fake.base_url}/chat/completions", json=_chat(False, system)
            ) as r:
                texts.append((await r.json())["choices"][0]["message"]["content"])
        assert texts == ["query", "<<Next?>>"]
        assert len(fake.requests) == 2
        assert fake.streams == []


@pytest.mark.parametrize("fault", [None, "hang"])
async def test_a_client_hanging_up_midway_is_seen_at_once(
    session: aiohttp.ClientSession, fault: str | None
) -> None:
    # The next chunk (or the end of the hang) is minutes away: only the hang-up ends the stream.
    async with FakeOpenAI(chunks=3, chunk_delay=300) as fake:
        if fault:
            fake.fail_next("hang", after_chunks=1, hang_seconds=300)
        response = await session.post(f"{fake.base_url}/chat/completions", json=_chat(True))
        await response.content.readuntil(b"\n\n")
        await _until(lambda: fake.streams[0].chunks_sent == 1)
        assert fake.open_streams == 1
        hung_up_at = time.monotonic()
        response.close()  # drops the connection
        await _until(lambda: fake.open_streams == 0)
        record = fake.streams[0]
        assert record.closed_early_at is not None
        assert record.closed_early_at >= hung_up_at
        assert record.ended_at == record.closed_early_at
        assert record.fault == fault
        assert fake.stats()["streams_cut"] == 1


async def test_the_fake_cutting_the_connection_is_not_a_client_hanging_up(
    session: aiohttp.ClientSession,
) -> None:
    async with FakeOpenAI(chunks=5) as fake:
        fake.fail_next("reset", after_chunks=2)
        async with session.post(f"{fake.base_url}/chat/completions", json=_chat(True)) as r:
            with pytest.raises(aiohttp.ClientPayloadError):
                await r.read()
        await _until(lambda: fake.open_streams == 0)
        [record] = fake.streams
        assert (record.fault, record.chunks_sent, record.closed_early_at) == ("reset", 2, None)
        assert fake.streams_cut == 0
        assert fake.pending_faults == 0


async def test_without_recording_memory_stays_bounded(
    session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(openai_server, "STREAM_HISTORY", 2)
    async with FakeOpenAI(record_requests=False) as fake:
        for _ in range(3):
            async with session.post(f"{fake.base_url}/chat/completions", json=_chat(True)) as r:
                await r.read()
        await _until(lambda: fake.open_streams == 0)
        assert fake.requests == []
        assert fake.requests.total == 3
        assert [record.seq for record in fake.streams] == [1, 2]
        assert fake.streams.total == 3


def test_serve_in_thread_runs_the_fake_for_synchronous_code() -> None:
    with serve_in_thread(FakeOpenAI(answer=["Hi."])) as fake:

        async def ask() -> bytes:
            async with aiohttp.ClientSession() as client:
                url = f"{fake.base_url}/chat/completions"
                async with client.post(url, json=_chat(True)) as r:
                    return await r.read()

        assert b'"Hi."' in asyncio.run(ask())
        assert wait_until(lambda: fake.streams_finished == 1, timeout=10)


def test_recorder_reads_like_a_list() -> None:
    recorder: Recorder[int] = Recorder()
    for n in range(4):
        recorder.record(n)
    assert recorder == [0, 1, 2, 3]
    assert (recorder[-1], recorder[1:3]) == (3, [1, 2])
    recorder.clear()
    assert (recorder, recorder.total) == ([], 4)
    bounded: Recorder[int] = Recorder(keep=2)
    for n in range(4):
        bounded.record(n)
    assert (list(bounded), bounded.total) == ([2, 3], 4)


async def test_a_fault_mix_fails_each_share_of_requests_the_same_way_each_run(
    session: aiohttp.ClientSession,
) -> None:
    mix = [(0.3, openai_server.Fault("429")), (0.2, openai_server.Fault("500"))]
    runs = []
    for _ in range(2):
        async with FakeOpenAI(seed=3) as fake:
            fake.set_fault_mix(mix)
            statuses = []
            for _ in range(40):
                async with session.post(f"{fake.base_url}/chat/completions", json=_chat(True)) as r:
                    statuses.append(r.status)
                    await r.read()
            assert fake.faults.injected == statuses.count(429) + statuses.count(500)
            assert {record.question for record in fake.streams} == {"?"}  # whose stream
            runs.append(statuses)
    assert runs[0] == runs[1]
    assert set(runs[0]) == {200, 429, 500}


def test_fault_mix_shares_add_up_and_are_checked() -> None:
    queue: FaultQueue[str] = FaultQueue(seed=1)
    queue.set_mix([(0.25, "a"), (0.5, "b")])
    assert queue.rate == 0.75
    drawn = [queue.take() for _ in range(4000)]
    assert 800 < drawn.count("a") < 1200
    assert 1800 < drawn.count("b") < 2200
    assert queue.injected == drawn.count("a") + drawn.count("b")
    queue.fail_next("c")
    assert queue.take() == "c"  # queued faults come first
    with pytest.raises(ValueError, match="at most 1"):
        queue.set_mix([(0.7, "a"), (0.5, "b")])
    queue.clear()
    assert (queue.rate, queue.take()) == (0.0, None)
