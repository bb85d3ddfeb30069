"""The real server SIGKILLed while it saves conversations, for both stores: after a restart every
stored conversation is one whole save, and the store still reads and writes."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path
from typing import Any

import aiohttp
from helpers import free_port
from services.cosmos_server import CosmosContainer

pytest_plugins = ["services.cosmos_fixture"]

ROOT = Path(__file__).resolve().parent.parent
SESSIONS = 6
ANSWERS = 40


async def _start(env: dict[str, str], port: int) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app",
        cwd=ROOT,
        env={**env, "PORT": str(port)},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    async with aiohttp.ClientSession() as session:
        for _ in range(300):  # up to 30 s
            with contextlib.suppress(aiohttp.ClientConnectionError):
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return process
            if process.returncode is not None:
                raise AssertionError("the server exited while starting")
            await asyncio.sleep(0.1)
    process.kill()
    raise AssertionError("the server did not start")


def _conversation(n: int) -> dict[str, Any]:
    """Save number `n`: every answer carries `n`, so a mix of two saves would show."""
    answers = [
        [f"question {n}-{i}", {"message": {"role": "assistant", "content": f"{n}:" + "x" * 3000}}]
        for i in range(ANSWERS)
    ]
    return {"id": f"s{n % SESSIONS}", "title": f"save {n}", "answers": answers}


def _env(tmp_path: Path, backend: str, **settings: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("OPENAI_", "AZURE_", "CHAT_", "AUTH_"))
    }
    return {**env, "LOCAL_INDEX_DIR": str(tmp_path / "index"), "CHAT_HISTORY": backend, **settings}


async def test_local_store(tmp_path: Path) -> None:
    await _kill_mid_save_then_check(_env(tmp_path, "local"))


async def test_cosmos_store(tmp_path: Path, cosmos_container: CosmosContainer) -> None:
    env = _env(
        tmp_path,
        "cosmos",
        AZURE_COSMOSDB_ENDPOINT=cosmos_container.server.endpoint,
        AZURE_COSMOSDB_KEY=cosmos_container.server.key,
        AZURE_CHAT_HISTORY_DATABASE=cosmos_container.database,
        AZURE_CHAT_HISTORY_CONTAINER=cosmos_container.container,
    )
    await _kill_mid_save_then_check(env)


async def _kill_mid_save_then_check(env: dict[str, str]) -> None:
    """Eight clients save in a loop; SIGKILL the server after 30 saves; restart; check."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = await _start(env, port)
    jar = aiohttp.CookieJar(unsafe=True)  # one anonymous browser: the cookie is its identity
    saved = 0
    enough = asyncio.Event()
    killed = asyncio.Event()

    async def save_forever(session: aiohttp.ClientSession, first: int) -> None:
        nonlocal saved
        n = first
        while not killed.is_set():
            try:
                async with session.post(f"{url}/chat_history", json=_conversation(n)) as response:
                    if response.status == 201:
                        saved += 1
                        if saved >= 30:
                            enough.set()
            except aiohttp.ClientError:
                return  # the server is gone
            n += 8

    try:
        async with aiohttp.ClientSession(cookie_jar=jar) as session:
            async with session.get(f"{url}/config") as response:  # the anonymous id
                assert response.status == 200
            writers = [asyncio.create_task(save_forever(session, first)) for first in range(8)]
            await asyncio.wait_for(enough.wait(), timeout=60)
            server.send_signal(signal.SIGKILL)  # while eight saves are in flight
            killed.set()
            await asyncio.wait_for(server.wait(), timeout=30)
            await asyncio.gather(*writers)
    finally:
        if server.returncode is None:
            server.kill()
            await server.wait()

    server = await _start(env, port)
    try:
        async with aiohttp.ClientSession(cookie_jar=jar) as session:
            async with session.get(f"{url}/chat_history/sessions?count=100") as response:
                listed = (await response.json())["sessions"]
            assert len(listed) == SESSIONS
            for summary in listed:
                async with session.get(f"{url}/chat_history/sessions/{summary['id']}") as response:
                    stored = await response.json()
                n = int(stored["title"].removeprefix("save "))
                assert stored["answers"] == [list(pair) for pair in _conversation(n)["answers"]]
            # Still writable after the restart.
            async with session.post(f"{url}/chat_history", json=_conversation(999)) as response:
                assert response.status == 201
    finally:
        server.terminate()
        await server.wait()
